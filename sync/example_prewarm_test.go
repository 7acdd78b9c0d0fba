package sync_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// Before a batch, a job tells the store how many members it is about to
// look up; the store reads its histories ahead when that is worth it, and
// the lookups follow.
func ExampleStore_Prewarm() {
	dir, err := os.MkdirTemp("", "example-prewarm-")
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

	batchMembers := []string{"M1", "M2"}
	if _, err := s.Prewarm(ctx, len(batchMembers)); err != nil {
		// Advice only: the lookups are slower without it, not wrong.
		log.Printf("reading the store ahead: %v", err)
	}
	var src address.HistorySource = s
	for h, err := range src.Histories(ctx, batchMembers) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(h.MemberID, len(h.Versions), "versions")
	}
	// Output:
	// M1 1 versions
	// M2 2 versions
}
