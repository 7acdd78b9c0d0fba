package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// compactStore is a store whose pages were written as a production
// store's are: histories in several loads, a feed that moves some members,
// a batch's ledger between them, and that batch run again, smaller.
func compactStore(t *testing.T) (*pgsync.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	var evs []pgsync.Event
	for i := range 600 {
		evs = append(evs, move(fmt.Sprintf("E%d-0", i), fmt.Sprintf("L%d", i), "2020-01-01", uint64(i)))
		if len(evs) == 200 {
			mustApply(t, s, evs, pgsync.ApplyOptions{})
			evs = evs[:0]
		}
	}
	// One chunk of verdicts, in pages of its own, which a smaller run of
	// the same batch below leaves free.
	runLedger(t, s, "before", address.Gate{HaltRate: 1, ChunkSize: 600}, ledgerBatch(600))
	for i := 0; i < 600; i += 3 {
		ev := move(fmt.Sprintf("E%d-1", i), fmt.Sprintf("L%d", i), "2023-01-01", uint64(1000+i))
		ev.Name = ""
		evs = append(evs, ev)
	}
	mustApply(t, s, evs, pgsync.ApplyOptions{})
	runLedger(t, s, "after", address.Gate{HaltRate: 1}, ledgerBatch(600))
	runLedger(t, s, "before", address.Gate{HaltRate: 1, ChunkSize: 600}, ledgerBatch(60))
	return s, path
}

// TestCompact: compacting changes nothing a reader of the store can see
// (histories, event log, ledger, review state), leaves the file no larger,
// and the store writable after.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	s, path := compactStore(t)
	if err := s.Review(ctx, "after", "P-bad", address.Block, "reviewer 7", "the row cannot be read"); err != nil {
		t.Fatal(err)
	}
	type state struct {
		Dump      []string
		Histories []address.History
		Entries   map[string][]pgsync.Entry
		Batches   map[string]pgsync.Batch
	}
	read := func() state {
		st := state{Dump: dump(t, path), Histories: histories(t, s), Entries: map[string][]pgsync.Entry{}, Batches: map[string]pgsync.Batch{}}
		for _, id := range []string{"before", "after"} {
			st.Entries[id] = entries(t, s, id)
			b, err := s.Batch(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			st.Batches[id] = b
		}
		return st
	}
	before := read()
	pages, free := pageCounts(t, path)
	if free == 0 {
		t.Fatal("no free page before Compact; the test means to have some")
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	if diff := cmp.Diff(before, read()); diff != "" {
		t.Errorf("the store differs after Compact (-before +after):\n%s", diff)
	}
	if p, f := pageCounts(t, path); p > pages-free || f != 0 {
		t.Errorf("after Compact, %d pages, %d of them free; before, %d, %d free", p, f, pages, free)
	}
	if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() != 0 {
		t.Errorf("write-ahead log of %d bytes left; want it emptied", wal.Size())
	}
	// Writable after: a feed, and a batch run again.
	mustApply(t, s, []pgsync.Event{move("E-new", "L1", "2024-01-01", 5000)}, pgsync.ApplyOptions{})
	runLedger(t, s, "after", address.Gate{HaltRate: 1}, ledgerBatch(600))
	if h, err := s.History(ctx, "L1"); err != nil || len(h.Versions) != 2 {
		t.Errorf("L1 after a feed on the compacted store: %d versions, %v; want 2", len(h.Versions), err)
	}
	// And its writer waits for another's lock again, as before Compact,
	// which checkpointed without waiting.
	other, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	released := make(chan error, 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, err := lock.ExecContext(ctx, "ROLLBACK")
		released <- err
	}()
	if _, err := s.Apply(ctx, seq([]pgsync.Event{move("E-wait", "L2", "2024-01-01", 5001)}), pgsync.ApplyOptions{}); err != nil {
		t.Errorf("Apply while another connection held the write lock for 200 ms: %v; want it to wait", err)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
}

// TestCompactWithReader: a snapshot open while the store is compacted
// reads on, as of its moment, and Compact does not wait for it.
func TestCompactWithReader(t *testing.T) {
	ctx := context.Background()
	s, _ := compactStore(t)
	ids := []string{"L0", "L3", "L599"}
	want := historiesOf(t, s, ids)
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	if err := s.Compact(ctx); err != nil {
		t.Fatalf("Compact with a snapshot open: %v", err)
	}
	mustApply(t, s, []pgsync.Event{move("E-new", "L3", "2024-01-01", 5000)}, pgsync.ApplyOptions{})
	if diff := cmp.Diff(want, historiesOf(t, sn, ids)); diff != "" {
		t.Errorf("the snapshot's histories changed (-before +after):\n%s", diff)
	}
	if err := sn.Close(); err != nil {
		t.Fatal(err)
	}
	if h, err := s.History(ctx, "L3"); err != nil || len(h.Versions) != 3 {
		t.Errorf("L3 after the feed: %d versions, %v; want 3", len(h.Versions), err)
	}
}

// pageCounts returns the number of pages of the store at path, and of
// those free.
func pageCounts(t *testing.T, path string) (pages, free int) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT * FROM pragma_page_count, pragma_freelist_count").Scan(&pages, &free); err != nil {
		t.Fatal(err)
	}
	return pages, free
}

// TestCompactCancelled: a compaction whose context has ended fails,
// naming the reason, and the store is as it was.
func TestCompactCancelled(t *testing.T) {
	s, path := compactStore(t)
	before := dump(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Compact(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Compact with its context done: %v, want context.Canceled", err)
	}
	if diff := cmp.Diff(before, dump(t, path)); diff != "" {
		t.Errorf("the store changed (-before +after):\n%s", diff)
	}
	if err := s.Compact(context.Background()); err != nil {
		t.Errorf("Compact after: %v", err)
	}
}
