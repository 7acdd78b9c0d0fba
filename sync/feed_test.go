package sync_test

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// want is what a reader returns for one row: an event, or a row error
// (Err compared with errors.Is).
type want struct {
	ev  pgsync.Event
	err *pgsync.RowError
}

func ok(ev pgsync.Event) want { return want{ev: ev} }

func bad(line int, field, id string, err error) want {
	return want{err: &pgsync.RowError{Line: line, Field: field, EventID: id, Err: err}}
}

// phi is the name and address text of the test inputs, which no error may
// hold.
var phi = []string{"Jane Roe", "Roe", "742 Evergreen", "Evergreen", "Terrace", "Apt 4B", "Springfield", "62704", "Lisbon", "Hollis"}

func checkReader(t *testing.T, read func() (pgsync.Event, error), wants []want) {
	t.Helper()
	for i := 0; ; i++ {
		ev, err := read()
		if err == io.EOF {
			if i != len(wants) {
				t.Fatalf("EOF after %d rows, want %d", i, len(wants))
			}
			return
		}
		if i >= len(wants) {
			t.Fatalf("row %d: got %+v, %v; want EOF", i, ev, err)
		}
		w := wants[i]
		if w.err == nil {
			if err != nil {
				t.Errorf("row %d: %v", i, err)
				continue
			}
			if d := cmp.Diff(w.ev, ev); d != "" {
				t.Errorf("row %d mismatch (-want +got):\n%s", i, d)
			}
			continue
		}
		var re *pgsync.RowError
		if !errors.As(err, &re) {
			t.Errorf("row %d: got %+v, %v; want a *RowError", i, ev, err)
			continue
		}
		if re.Line != w.err.Line || re.Field != w.err.Field || re.EventID != w.err.EventID || !errors.Is(re, w.err.Err) {
			t.Errorf("row %d: got {line %d field %q event %q: %v}, want {line %d field %q event %q: %v}",
				i, re.Line, re.Field, re.EventID, re.Err, w.err.Line, w.err.Field, w.err.EventID, w.err.Err)
		}
		noPHI(t, err.Error(), phi...)
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return day(s)
	}
	return t.UTC()
}

func TestCSVReader(t *testing.T) {
	const header = "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip,kind\n"
	jane := pgsync.Event{ID: "e1", MemberID: "M1", Effective: day("2019-10-03"), Recorded: ts("2019-10-04T09:30:00Z"),
		Kind: address.Moved, Name: "Jane Roe", Line1: "742 Evergreen Terrace", Line2: "Apt 4B", City: "Springfield", State: "IL", ZIP: "62704", Line: 2}
	at := func(ev pgsync.Event, line int) pgsync.Event { ev.Line = line; return ev }
	tests := []struct {
		name  string
		in    string
		wants []want
	}{
		{"standard", header + "e1,M1,2019-10-03,2019-10-04T09:30:00Z,Jane Roe,742 Evergreen Terrace,Apt 4B,Springfield,IL,62704,\n",
			[]want{ok(jane)}},
		{"any column order, case, spaces, BOM",
			"\ufeffZIP, kind ,state,city,line2,line1,Name,recorded,effective,member_id,event_id\n" +
				"62704,address,IL,Springfield,Apt 4B,742 Evergreen Terrace,Jane Roe,2019-10-04T04:30:00-05:00,2019-10-03,M1,e1\n",
			[]want{ok(jane)}},
		{"optional columns left out", "event_id,member_id,effective,recorded,kind\ne9,M9,2020-01-01,2020-01-02,undeliverable\n",
			[]want{ok(pgsync.Event{ID: "e9", MemberID: "M9", Effective: day("2020-01-01"), Recorded: day("2020-01-02"), Kind: address.Undeliverable, Line: 2})}},
		{"empty input", "", nil},
		{"header only", header, nil},
		{"quoted field over two lines; lines counted",
			header + `e1,M1,2019-10-03,2019-10-04T09:30:00Z,"Jane Roe",742 Evergreen Terrace,"Apt` + "\n" + `4B",Springfield,IL,62704,` + "\n" +
				"e1,M1,2019-10-03,2019-10-04T09:30:00Z,Jane Roe,742 Evergreen Terrace,Apt 4B,Springfield,IL,62704,\n",
			[]want{ok(pgsync.Event{ID: "e1", MemberID: "M1", Effective: day("2019-10-03"), Recorded: ts("2019-10-04T09:30:00Z"), Kind: address.Moved,
				Name: "Jane Roe", Line1: "742 Evergreen Terrace", Line2: "Apt\n4B", City: "Springfield", State: "IL", ZIP: "62704", Line: 2}),
				ok(at(jane, 4))}},
		{"bad rows, and reading goes on", header +
			"e1,M1,03/10/2019,2019-10-04,Jane Roe,742 Evergreen Terrace,,Springfield,IL,62704,\n" + // 2
			"e2,,2019-10-03,2019-10-04,Jane Roe,742 Evergreen Terrace,,Springfield,IL,62704,\n" + // 3
			"Jane Roe,M1,2019-10-03,2019-10-04,,742 Evergreen Terrace,,Springfield,IL,62704,\n" + // 4
			"e4,M1,2019-10-03,,Jane Roe,742 Evergreen Terrace,,Springfield,IL,62704,\n" + // 5
			"e5,M1,2019-10-03,2019-10-04,Jane Roe,742 Evergreen Terrace,,Springfield,IL,62704,moved\n" + // 6
			"e6,M1,2019-10-03,2019-10-04,Jane Roe,742 Evergreen Terrace,Springfield,IL,62704,\n" + // 7
			"e7,M1,2019-10-03,2019-10-04,Jane \"Roe\",742 Evergreen Terrace,,Springfield,IL,62704,\n" + // 8
			"e8,M 1,2019-10-03,2019-10-04,Jane Roe,742 Evergreen Terrace,,Springfield,IL,62704,\n" + // 9
			"e9,M1,2019-10-03,3000-01-01,,,,,,,undeliverable\n" + // 10
			"e1,M1,2019-10-03,2019-10-04T09:30:00Z,Jane Roe,742 Evergreen Terrace,Apt 4B,Springfield,IL,62704,\n", // 11
			[]want{
				bad(2, "effective", "e1", pgsync.ErrInvalidTime),
				bad(3, "member_id", "e2", pgsync.ErrMissing),
				bad(4, "event_id", "", pgsync.ErrInvalidID),
				bad(5, "recorded", "e4", pgsync.ErrMissing),
				bad(6, "kind", "e5", pgsync.ErrInvalidKind),
				bad(7, "", "", csv.ErrFieldCount),
				bad(8, "", "", csv.ErrBareQuote),
				bad(9, "member_id", "e8", pgsync.ErrInvalidID),
				bad(10, "recorded", "e9", pgsync.ErrInvalidTime),
				ok(at(jane, 11)),
			}},
		{"a row over MaxCSVRecord, and reading goes on", header +
			"e1,M1,2019-10-03,2019-10-04,Jane Roe," + strings.Repeat("742 Evergreen Terrace ", pgsync.MaxCSVRecord/22+1) + ",,Springfield,IL,62704,\n" + // 2
			"e1,M1,2019-10-03,2019-10-04,\"Jane Roe\nHollis\n" + strings.Repeat("742 Evergreen Terrace\n", pgsync.MaxCSVRecord/22+1) + "\",,,,,,\n" + // 3-2985
			"e1,M1,2019-10-03,2019-10-04T09:30:00Z,Jane Roe,742 Evergreen Terrace,Apt 4B,Springfield,IL,62704,\n", // 2986
			[]want{
				bad(2, "", "", pgsync.ErrLineTooLong),
				bad(3, "", "", pgsync.ErrLineTooLong),
				ok(at(jane, 6+pgsync.MaxCSVRecord/22+1)),
			}},
		{"a quote that never closes, read past MaxCSVRecord", header +
			"e1,M1,2019-10-03,2019-10-04,\"Jane Roe,742 Evergreen Terrace\n" +
			strings.Repeat("e1,M1,2019-10-03,2019-10-04T09:30:00Z,Jane Roe,742 Evergreen Terrace,Apt 4B,Springfield,IL,62704,\n", pgsync.MaxCSVRecord/50),
			[]want{bad(2, "", "", pgsync.ErrLineTooLong)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReader(t, pgsync.NewCSVReader(strings.NewReader(tt.in)).Read, tt.wants)
		})
	}
}

func TestCSVReaderHeader(t *testing.T) {
	tests := []struct{ name, in string }{
		{"no header: a row of PHI", "e1,M1,2019-10-03,2019-10-04,Jane Roe,742 Evergreen Terrace,,Springfield,IL,62704,\n"},
		{"unknown column", "event_id,member_id,effective,recorded,Evergreen\n"},
		{"repeated column", "event_id,member_id,effective,recorded,zip,zip\n"},
		{"missing required column", "event_id,member_id,effective,line1\n"},
		{"malformed", "event_id,\"member_id\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pgsync.NewCSVReader(strings.NewReader(tt.in + "e1,M1,2019-10-03,2019-10-04\n"))
			_, err := r.Read()
			if !errors.Is(err, pgsync.ErrHeader) {
				t.Fatalf("Read: %v, want ErrHeader", err)
			}
			noPHI(t, err.Error(), phi...)
			if _, err2 := r.Read(); err2 != err {
				t.Errorf("second Read: %v, want the same error", err2)
			}
			n := 0
			for _, err := range r.All() {
				n++
				if !errors.Is(err, pgsync.ErrHeader) {
					t.Errorf("All: %v", err)
				}
			}
			if n != 1 {
				t.Errorf("All yielded %d pairs, want 1", n)
			}
		})
	}
}

func TestJSONLReader(t *testing.T) {
	jane := pgsync.Event{ID: "e1", MemberID: "M1", Effective: day("2019-10-03"), Recorded: ts("2019-10-04T09:30:00Z"),
		Kind: address.Moved, Name: "Jane Roe", Line1: "742 Evergreen Terrace", Line2: "Apt 4B", City: "Springfield", State: "IL", ZIP: "62704", Line: 1}
	const janeJSON = `{"event_id":"e1","member_id":"M1","effective":"2019-10-03","recorded":"2019-10-04T09:30:00Z","name":"Jane Roe","line1":"742 Evergreen Terrace","line2":"Apt 4B","city":"Springfield","state":"IL","zip":"62704","kind":""}`
	at := func(line int) pgsync.Event { ev := jane; ev.Line = line; return ev }
	tests := []struct {
		name  string
		in    string
		wants []want
	}{
		{"one line", janeJSON + "\n", []want{ok(jane)}},
		{"no final newline, CRLF, blank lines", "\r\n" + janeJSON + "\r\n\n  \n" + janeJSON, []want{ok(at(2)), ok(at(5))}},
		{"nulls and missing fields", `{"event_id":"e9","member_id":"M9","effective":"2020-01-01","recorded":"2020-01-02","name":null,"kind":"undeliverable"}`,
			[]want{ok(pgsync.Event{ID: "e9", MemberID: "M9", Effective: day("2020-01-01"), Recorded: day("2020-01-02"), Kind: address.Undeliverable, Line: 1})}},
		{"empty input", "", nil},
		{"bad rows, and reading goes on",
			`{"event_id":"e1","member_id":"M1","effective":"2019-10-03","recorded":"2019-10-04","line1":"742 Evergreen Terrace",` + "\n" + // 1
				`{"event_id":"e2","member_id":"M1","effective":20191003,"recorded":"2019-10-04","name":"Jane Roe"}` + "\n" + // 2
				`{"event_id":"e3","member_id":"M1","effective":"2019-10-03","recorded":"2019-10-04","Line_2":"Apt 4B"}` + "\n" + // 3
				`["Jane Roe","742 Evergreen Terrace"]` + "\n" + // 4
				`{"event_id":"e5","member_id":"M1","effective":"2019-13-03","recorded":"2019-10-04","name":"Jane Roe"}` + "\n" + // 5
				`{"event_id":"e6","member_id":"M1","effective":"2019-10-03","recorded":"2019-10-04"} {"name":"Jane Roe"}` + "\n" + // 6
				`{"event_id":"Jane Roe","member_id":"M1","effective":"2019-10-03","recorded":"2019-10-04"}` + "\n" + // 7
				`"Hollis, Lisbon"` + "\n" + // 8
				"{\"event_id\":\"e8\",\"name\":\"" + strings.Repeat("Jane Roe ", pgsync.MaxJSONLine/9+1) + "\"}\n" + // 9
				janeJSON + "\n", // 10
			[]want{
				bad(1, "", "", pgsync.ErrInvalidJSON),
				bad(2, "effective", "e2", pgsync.ErrNotString),
				bad(3, "", "e3", pgsync.ErrUnknownField),
				bad(4, "", "", pgsync.ErrInvalidJSON),
				bad(5, "effective", "e5", pgsync.ErrInvalidTime),
				bad(6, "", "e6", pgsync.ErrInvalidJSON),
				bad(7, "event_id", "", pgsync.ErrInvalidID),
				bad(8, "", "", pgsync.ErrInvalidJSON),
				bad(9, "", "", pgsync.ErrLineTooLong),
				ok(at(10)),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkReader(t, pgsync.NewJSONLReader(strings.NewReader(tt.in)).Read, tt.wants)
		})
	}
}

// TestReadersAgree reads one feed written as CSV and as JSON Lines.
func TestReadersAgree(t *testing.T) {
	var evs []pgsync.Event
	for i := range 50 {
		evs = append(evs, move("e"+string(rune('a'+i%26))+string(rune('a'+i/26)), "M1", "2020-01-01", uint64(i)))
	}
	var b strings.Builder
	if err := writeCSV(&b, evs); err != nil {
		t.Fatal(err)
	}
	var fromCSV []pgsync.Event
	for ev, err := range pgsync.NewCSVReader(strings.NewReader(b.String())).All() {
		if err != nil {
			t.Fatal(err)
		}
		fromCSV = append(fromCSV, ev)
	}
	var j strings.Builder
	for _, ev := range evs {
		j.WriteString(`{"event_id":"` + ev.ID + `","member_id":"` + ev.MemberID + `","effective":"` + ev.Effective.Format(time.RFC3339) +
			`","recorded":"` + ev.Recorded.Format(time.RFC3339) + `","name":"` + ev.Name + `","line1":"` + ev.Line1 + `","line2":"` + ev.Line2 +
			`","city":"` + ev.City + `","state":"` + ev.State + `","zip":"` + ev.ZIP + `"}` + "\n")
	}
	var fromJSON []pgsync.Event
	for ev, err := range pgsync.NewJSONLReader(strings.NewReader(j.String())).All() {
		if err != nil {
			t.Fatal(err)
		}
		fromJSON = append(fromJSON, ev)
	}
	ignoreLine := cmpopts.IgnoreFields(pgsync.Event{}, "Line", "Kind")
	if d := cmp.Diff(evs, fromCSV, ignoreLine); d != "" {
		t.Errorf("CSV mismatch (-want +got):\n%s", d)
	}
	if d := cmp.Diff(fromCSV, fromJSON, ignoreLine); d != "" {
		t.Errorf("JSONL mismatch (-csv +jsonl):\n%s", d)
	}
}

// TestFeedEvents: a feed file is read as JSON Lines by its name's
// extension, and as CSV otherwise.
func TestFeedEvents(t *testing.T) {
	const (
		csvFeed   = "event_id,member_id,effective,recorded\ne1,M1,2019-10-03,2019-10-04\n"
		jsonlFeed = `{"event_id":"e1","member_id":"M1","effective":"2019-10-03","recorded":"2019-10-04"}` + "\n"
	)
	csvEvent := pgsync.Event{ID: "e1", MemberID: "M1", Effective: day("2019-10-03"), Recorded: day("2019-10-04"), Kind: address.Moved, Line: 2}
	jsonlEvent := csvEvent
	jsonlEvent.Line = 1
	for _, tt := range []struct {
		name, in string
		want     pgsync.Event
	}{
		{"events.csv", csvFeed, csvEvent},
		{"events", csvFeed, csvEvent},
		{"", csvFeed, csvEvent},
		{"events.json", csvFeed, csvEvent}, // one JSON document is not JSON Lines
		{"events.jsonl", jsonlFeed, jsonlEvent},
		{"in/events.JSONL", jsonlFeed, jsonlEvent},
		{"events.ndjson", jsonlFeed, jsonlEvent},
		{"events.jsonl.csv", csvFeed, csvEvent},
	} {
		var got []pgsync.Event
		for ev, err := range pgsync.FeedEvents(tt.name, strings.NewReader(tt.in)) {
			if err != nil {
				t.Fatalf("%q: %v", tt.name, err)
			}
			got = append(got, ev)
		}
		if d := cmp.Diff([]pgsync.Event{tt.want}, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", tt.name, d)
		}
	}
}
