package sync_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	pgsync "github.com/printgate/printgate/sync"
)

// After a first bulk load, and from time to time as feeds and ledgers grow
// the file, a maintenance job compacts the store while nothing else writes:
// the histories then lie at the front of the file, in order, where the
// batch job's lookups read them fastest.
func ExampleStore_Compact() {
	dir, err := os.MkdirTemp("", "example-compact-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := pgsync.Open(ctx, filepath.Join(dir, "store.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Apply(ctx, seq([]pgsync.Event{
		move("E1", "M1", "2024-03-01", 1),
		move("E2", "M2", "2024-03-01", 2),
		move("E3", "M2", "2025-05-01", 3),
	}), pgsync.ApplyOptions{}); err != nil {
		log.Fatal(err)
	}

	if err := s.Compact(ctx); err != nil {
		log.Fatal(err)
	}
	h, err := s.History(ctx, "M2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.MemberID, len(h.Versions), "versions")
	// Output:
	// M2 2 versions
}

// A nightly maintenance job compacts the store only when its layout says
// that would help: a store this small never needs it.
func ExampleStore_Layout() {
	dir, err := os.MkdirTemp("", "example-layout-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := pgsync.Open(ctx, filepath.Join(dir, "store.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Apply(ctx, seq([]pgsync.Event{
		move("E1", "M1", "2024-03-01", 1),
		move("E2", "M2", "2024-03-01", 2),
	}), pgsync.ApplyOptions{}); err != nil {
		log.Fatal(err)
	}

	l, err := s.Layout(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if l.ShouldCompact() {
		if err := s.Compact(ctx); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(l.Leaves, "leaf, compact:", l.ShouldCompact())
	// Output:
	// 1 leaf, compact: false
}
