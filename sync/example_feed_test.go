package sync_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	pgsync "github.com/printgate/printgate/sync"
)

// Reading a feed row by row: a bad row is a *RowError naming its line, the
// field at fault and the reason, never the row's text, and reading goes on
// with the next row. A record over MaxCSVRecord is read to its end without
// being kept.
func ExampleCSVReader() {
	feed := "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n" +
		"E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016\n" +
		"E2,M1,03/10/2019,2019-10-04,,55 Park Ave,Apt 12C,New York,NY,10016\n" +
		"E3,M2,2019-01-01,2019-01-02,Alan Turing," + strings.Repeat("9 Elm St ", pgsync.MaxCSVRecord/9+1) + ",,Springfield,IL,62704\n" +
		"E4,M2,2020-01-01,2020-01-02,Alan Turing,9 Elm St,,Springfield,IL,62704\n"
	r := pgsync.NewCSVReader(strings.NewReader(feed))
	for {
		ev, err := r.Read()
		var re *pgsync.RowError
		switch {
		case err == io.EOF:
			return
		case errors.As(err, &re):
			fmt.Println(err)
		case err != nil:
			fmt.Println(err) // the header, or reading: the end of the feed
			return
		default:
			fmt.Printf("line %d: event %s, member %s, effective %s\n", ev.Line, ev.ID, ev.MemberID, ev.Effective.Format("2006-01-02"))
		}
	}
	// Output:
	// line 2: event E1, member M1, effective 2018-01-01
	// pgsync: line 3: event E2: effective: invalid time: want RFC 3339 or YYYY-MM-DD, between years 1678 and 2261
	// pgsync: line 4: line too long
	// line 5: event E4, member M2, effective 2020-01-01
}

// A feed file is read by its name: JSON Lines for .jsonl or .ndjson, CSV
// otherwise. The events are the same either way; a JSON line has no
// header before it.
func ExampleFeedEvents() {
	files := map[string]string{
		"events.csv": "event_id,member_id,effective,recorded,line1,city,state,zip\n" +
			"E1,M1,2018-01-01,2018-01-02,55 Park Ave,New York,NY,10016\n",
		"events.jsonl": `{"event_id":"E1","member_id":"M1","effective":"2018-01-01","recorded":"2018-01-02","line1":"55 Park Ave","city":"New York","state":"NY","zip":"10016"}` + "\n",
	}
	for _, name := range []string{"events.csv", "events.jsonl"} {
		for ev, err := range pgsync.FeedEvents(name, strings.NewReader(files[name])) {
			if err != nil {
				fmt.Println(name, err)
				continue
			}
			fmt.Printf("%s line %d: event %s, member %s, effective %s\n", name, ev.Line, ev.ID, ev.MemberID, ev.Effective.Format("2006-01-02"))
		}
	}
	// Output:
	// events.csv line 2: event E1, member M1, effective 2018-01-01
	// events.jsonl line 1: event E1, member M1, effective 2018-01-01
}
