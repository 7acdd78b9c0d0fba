package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestApplyKeepsTheLogShort: a feed applied in many chunks, its commits
// checkpointed on another connection, leaves a write-ahead log of a few
// chunks' pages, not one that grew with the whole feed; and every page is
// checkpointed once the apply is done.
func TestApplyKeepsTheLogShort(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s := openStore(t, path)
	const members, chunks = 20_000, 10 * walChunksAhead
	events := func(yield func(Event, error) bool) {
		day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for m := range members {
			ev := Event{ID: fmt.Sprintf("E%06d", m), MemberID: fmt.Sprintf("M%06d", m), Effective: day, Recorded: day,
				Name: "Pat Doe", Line1: fmt.Sprintf("%d %d ST", 1+m%9000, 1+m%90), City: "SPRINGFIELD", State: "IL", ZIP: "62701"}
			if !yield(ev, nil) {
				return
			}
		}
	}
	rep, err := s.Apply(ctx, events, ApplyOptions{ChunkSize: members / chunks})
	if err != nil || rep.Applied != members {
		t.Fatalf("apply: %v, %d applied", err, rep.Applied)
	}
	db, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// Each chunk writes about a fortieth of the file's pages; a log that
	// never restarted would hold them all, and more.
	if wal.Size() > db.Size()/2 {
		t.Errorf("after %d chunks the log is %d bytes, the file %d: the log did not restart", chunks, wal.Size(), db.Size())
	}
	var busy, log, done int
	if err := s.r.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
		t.Fatal(err)
	}
	t.Logf("file %d bytes, log %d bytes; at the end %d frames in the log, %d checkpointed", db.Size(), wal.Size(), log, done)
}

// TestCheckpointer: wait returns once the checkpoints asked for are done,
// after which the log is all checkpointed; a checkpointer that cannot run
// says so, and its waits and stop return.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, prewarmStore(t, 1000))
	applyMoves(t, s, []string{"M000001", "M000002"}, 1)
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		t.Fatal(err)
	}
	applyMoves(t, s, []string{"M000001", "M000002"}, 2)
	cp := s.startCheckpointer(ctx)
	if !cp.poke() {
		t.Fatal("poke: no checkpointer")
	}
	cp.wait()
	var busy, log, done int
	if err := s.r.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
		t.Fatal(err)
	}
	if log != done {
		t.Errorf("after wait: %d frames in the log, %d checkpointed", log, done)
	}
	cp.stop()

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cp = s.startCheckpointer(cancelled)
	<-cp.exited
	if cp.poke() {
		t.Error("poke: a checkpointer that could not start took a poke")
	}
	cp.wait()
	cp.stop()
}
