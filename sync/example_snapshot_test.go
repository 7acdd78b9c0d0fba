package sync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// A batch judged against a snapshot is judged against the store as it was
// when the snapshot was taken, even if a feed lands while it runs.
func ExampleStore_Snapshot() {
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
	_, err = st.Apply(ctx, seqOf(pgsync.Event{ID: "E1", MemberID: "M1", Effective: day("2020-01-01"), Recorded: day("2020-01-02"),
		Name: "Ada Lovelace", Line1: "123 N Main St", City: "Springfield", State: "IL", ZIP: "62704"}), pgsync.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}

	snap, err := st.Snapshot(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer snap.Close()
	// A move lands after the snapshot was taken.
	_, err = st.Apply(ctx, seqOf(pgsync.Event{ID: "E2", MemberID: "M1", Effective: day("2024-01-01"), Recorded: day("2024-01-02"),
		Line1: "9 Elm St", City: "Springfield", State: "IL", ZIP: "62704"}), pgsync.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}

	for _, src := range []struct {
		name string
		address.HistorySource
	}{{"snapshot", snap}, {"store", st}} {
		newest, err := src.Newest(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		for h, err := range src.Histories(ctx, []string{"M1"}) {
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("%s: %d versions, newest recorded %s\n", src.name, len(h.Versions), newest.Format("2006-01-02"))
		}
	}
	// Output:
	// snapshot: 1 versions, newest recorded 2020-01-02
	// store: 2 versions, newest recorded 2024-01-02
}
