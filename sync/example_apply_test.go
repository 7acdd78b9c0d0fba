package sync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pgsync "github.com/printgate/printgate/sync"
)

// A feed of change events, as upstream systems send them: a move (E2) that
// arrives after a later one (E3), an event sent twice, and a row that cannot
// be applied (a PO Box with no number), which holds its member (see
// [Hold]). Apply accounts for every row, and the member's history comes out
// in the order the moves took effect, whatever order they came in.
func ExampleStore_Apply() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "printgate-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	st, err := pgsync.Open(ctx, filepath.Join(dir, "store.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	feed := `event_id,member_id,effective,recorded,name,line1,line2,city,state,zip
E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016
E3,M1,2021-06-01,2021-06-02,,9 Elm St,,Springfield,IL,62704
E2,M1,2019-10-03,2021-06-03,,55 Park Ave,Apt 12C,New York,NY,10016
E3,M1,2021-06-01,2021-06-02,,9 Elm St,,Springfield,IL,62704
E4,M2,2020-01-01,2020-01-02,Alan Turing,PO Box,,Springfield,IL,62704
`
	rep, err := st.Apply(ctx, pgsync.NewCSVReader(strings.NewReader(feed)).All(), pgsync.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("read %d: applied %d, skipped %d, bad %d, holds placed %d\n", rep.Read, rep.Applied, rep.Skipped, rep.Bad, rep.Held)
	for _, e := range rep.Errors {
		fmt.Println(e) // names the line, field and reason, never the text
	}
	for h, err := range st.Histories(ctx, []string{"M1"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, v := range h.Versions {
			fmt.Println(v.Effective.Format("2006-01-02"), v.EventID, v.Address)
		}
	}
	// Output:
	// read 5: applied 3, skipped 1, bad 1, holds placed 1
	// pgsync: line 6: event E4: address: line1: invalid box number
	// 2018-01-01 E1 55 PARK AVE APT 4B, NEW YORK NY 10016
	// 2019-10-03 E2 55 PARK AVE APT 12C, NEW YORK NY 10016
	// 2021-06-01 E3 9 ELM ST, SPRINGFIELD IL 62704
}
