package sync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
	pgsync "github.com/printgate/printgate/sync"
)

// A member's move arrives with a ZIP code of three digits. The row applies
// nothing, so the store still has the member at the former address; it
// holds the member instead, and a PHI piece printed to that former address
// is quarantined, not released as current. Upstream sends the move again,
// corrected: the hold ends, and the same piece is stale.
func ExampleHold() {
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
	st.Now = func() time.Time { return time.Date(2024, 3, 4, 5, 0, 0, 0, time.UTC) }

	apply := func(rows string) {
		feed := "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n" + rows
		rep, err := st.Apply(ctx, pgsync.NewCSVReader(strings.NewReader(feed)).All(), pgsync.ApplyOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("applied %d, bad %d, holds placed %d, ended %d\n", rep.Applied, rep.Bad, rep.Held, rep.HoldsEnded)
	}
	judge := func() {
		sn, err := st.Snapshot(ctx) // the batch job's source of truth
		if err != nil {
			fmt.Println(err)
			return
		}
		defer sn.Close()
		printed, _ := address.Parse("55 Park Ave Apt 4B, New York, NY 10016")
		piece := address.Piece{ID: "P1", MemberID: "M1", Name: "Ada Lovelace", Address: printed, PHI: true}
		vs, _, err := addresstest.Check(sn, time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), []address.Piece{piece})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("piece P1: %s, %s: %s\n", vs[0].Status, vs[0].Decision, vs[0].Detail)
	}

	apply("E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016\n")
	apply("E2,M1,2024-03-01,2024-03-02,,9 Elm St,,Springfield,IL,627\n")
	for h, err := range st.Holds(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("hold: member %s, event %s, field %s: %s\n", h.MemberID, h.EventID, h.Field, h.Reason)
	}
	judge()
	apply("E2,M1,2024-03-01,2024-03-02,,9 Elm St,,Springfield,IL,62704\n")
	judge()
	// Output:
	// applied 1, bad 0, holds placed 0, ended 0
	// applied 0, bad 1, holds placed 1, ended 0
	// hold: member M1, event E2, field zip: address: zip: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits
	// piece P1: unapplied_change, quarantine: a change event for the member could not be applied: event E2, field zip
	// applied 1, bad 0, holds placed 0, ended 1
	// piece P1: stale, block: stale since 2024-03-01
}
