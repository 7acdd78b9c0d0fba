package sync

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

// TestSnapshotIsOneMoment: a snapshot's histories and freshness are the
// store's when it was taken, in one part and in several, whatever is
// applied after; a closed snapshot reads nothing; a new one sees the new
// state.
func TestSnapshotIsOneMoment(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(maxReadParts))
	ctx := context.Background()
	const members = 20_000
	for _, tc := range []struct {
		name  string
		parts int
	}{{"one part", 1}, {"parts", maxReadParts}} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GOMAXPROCS(tc.parts)
			s := openStore(t, prewarmStore(t, members))
			var ids []string
			for m := 0; m < members; m += 5 {
				ids = append(ids, fmt.Sprintf("M%06d", m))
			}
			ids = append(ids, "Z1") // not yet a member
			before := readAll(t, s, ids)
			newest, err := s.Newest(ctx)
			if err != nil {
				t.Fatal(err)
			}

			sn, err := s.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer sn.Close()
			if got := len(sn.parts); got != tc.parts {
				t.Fatalf("the snapshot has %d parts, want %d", got, tc.parts)
			}
			// Moves of members across the key range, and a new member,
			// recorded later than anything before.
			moved := []string{ids[0], ids[len(ids)/2], ids[len(ids)-2], "Z1"}
			applyMoves(t, s, moved, 1)
			// The ledger's writes are commits too.
			l, err := s.Ledger(ctx, "B1", newest)
			if err != nil {
				t.Fatal(err)
			}
			p := address.Piece{ID: "P1", MemberID: ids[0]}
			if err := l.Verdicts(ctx, []address.Verdict{{Piece: &p, Status: address.Current, Decision: address.Release}}); err != nil {
				t.Fatal(err)
			}
			if err := l.Finish(ctx, address.Outcome{Pieces: 1, Released: 1, AsOf: newest}); err != nil {
				t.Fatal(err)
			}
			l.Close()

			if d := cmp.Diff(before, readAll(t, sn, ids)); d != "" {
				t.Errorf("snapshot's histories after an apply (-before +snapshot):\n%s", d)
			}
			if got, err := sn.Newest(ctx); err != nil || !got.Equal(newest) {
				t.Errorf("snapshot's Newest = %v, %v; want %v", got, err, newest)
			}
			after := readAll(t, s, ids)
			if len(after) != len(before)+1 || len(after[0].Versions) != len(before[0].Versions)+1 {
				t.Fatalf("the store's histories do not show the apply: %d members (were %d), the first has %d versions (had %d)",
					len(after), len(before), len(after[0].Versions), len(before[0].Versions))
			}

			if err := sn.Close(); err != nil {
				t.Fatal(err)
			}
			if err := sn.Close(); err != nil {
				t.Errorf("second Close = %v", err)
			}
			for _, err := range sn.Histories(ctx, ids[:1]) {
				if err == nil || !strings.Contains(err.Error(), "snapshot is closed") {
					t.Errorf("Histories after Close yielded %v", err)
				}
			}
			if _, err := sn.Newest(ctx); err == nil {
				t.Error("Newest after Close did not fail")
			}

			// The connections went back to the pool with no transaction
			// left open: a new snapshot sees the store as it is now.
			sn2, err := s.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer sn2.Close()
			if d := cmp.Diff(after, readAll(t, sn2, ids)); d != "" {
				t.Errorf("new snapshot's histories (-store +snapshot):\n%s", d)
			}
		})
	}
}

// TestSnapshotWhileApplying: snapshots taken and read, by two readers at
// once, while applies commit moves of members in every part: each
// snapshot sees every member at the same move, never some at one and some
// at the next.
func TestSnapshotWhileApplying(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(maxReadParts))
	ctx := context.Background()
	const members = 20_000
	s := openStore(t, prewarmStore(t, members))
	var ids []string
	for m := 0; m < members; m += members / 40 {
		ids = append(ids, fmt.Sprintf("M%06d", m))
	}
	if pivots, _ := s.split(ctx); len(pivots) < 2 {
		t.Fatalf("%d pivots: the test needs parts", len(pivots))
	}

	applyMoves(t, s, ids, 0)
	stop := make(chan struct{})
	applied := make(chan error, 1)
	go func() {
		for k := 1; ; k++ {
			select {
			case <-stop:
				applied <- nil
				return
			default:
			}
			if err := tryMoves(s, ids, k); err != nil {
				applied <- err
				return
			}
		}
	}()
	moves := map[string]bool{}
	for range 30 {
		sn, err := s.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var wg gosync.WaitGroup
		lines := make([][]string, 2)
		for r := range lines {
			wg.Go(func() {
				for h, err := range sn.Histories(ctx, ids) {
					if err != nil {
						t.Error(err)
						return
					}
					lines[r] = append(lines[r], h.Versions[len(h.Versions)-1].Address.DeliveryLine())
				}
			})
		}
		wg.Wait()
		sn.Close()
		for r, ls := range lines {
			if len(ls) != len(ids) {
				t.Fatalf("reader %d: %d histories, want %d", r, len(ls), len(ids))
			}
			for _, l := range ls {
				if l != ls[0] {
					t.Fatalf("reader %d: one snapshot shows members at different moves: %q and %q", r, ls[0], l)
				}
			}
			moves[ls[0]] = true
		}
	}
	close(stop)
	if err := <-applied; err != nil {
		t.Fatal(err)
	}
	t.Logf("30 snapshots saw %d distinct moves", len(moves))
}

// readAll reads the histories of ids from src.
func readAll(t *testing.T, src address.HistorySource, ids []string) []address.History {
	t.Helper()
	var hs []address.History
	for h, err := range src.Histories(context.Background(), ids) {
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

// applyMoves moves each of ids to an address of move k, in one apply.
func applyMoves(t *testing.T, s *Store, ids []string, k int) {
	t.Helper()
	if err := tryMoves(s, ids, k); err != nil {
		t.Fatal(err)
	}
}

func tryMoves(s *Store, ids []string, k int) error {
	day := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k)
	evs := make([]Event, len(ids))
	for i, id := range ids {
		evs[i] = Event{ID: fmt.Sprintf("MOVE%d-%s", k, id), MemberID: id, Effective: day, Recorded: day,
			Name: "Pat Doe", Line1: fmt.Sprintf("%d MAIN ST", k), City: "SPRINGFIELD", State: "IL", ZIP: "62701"}
	}
	rep, err := s.Apply(context.Background(), func(yield func(Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}, ApplyOptions{})
	if err == nil && rep.Applied != len(evs) {
		err = errors.New("apply: not every move applied")
	}
	return err
}

// TestSnapshotAcrossStoreClose: a read the caller cancels fails and
// leaves the snapshot as it was; closing the store while a snapshot is
// open neither hangs nor fails, and the snapshot can still be closed.
func TestSnapshotAcrossStoreClose(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, prewarmStore(t, 100))
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"M000001", "M000002"}
	before := readAll(t, sn, ids)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, err := range sn.Histories(cancelled, ids) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a read with a cancelled context yielded %v", err)
		}
	}
	applyMoves(t, s, ids, 1)
	if d := cmp.Diff(before, readAll(t, sn, ids)); d != "" {
		t.Errorf("histories after a cancelled read and an apply (-before +snapshot):\n%s", d)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("store Close with a snapshot open: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("store Close hung with a snapshot open")
	}
	if err := sn.Close(); err != nil {
		t.Errorf("snapshot Close after the store's: %v", err)
	}
}

// TestSnapshotCloseCheckpoints: what was committed while a snapshot was
// open could not be checkpointed past it; its Close checkpoints it, so
// that the next commit writes the log from its start again.
func TestSnapshotCloseCheckpoints(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, prewarmStore(t, 5000))
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, sn, []string{"M000001"})
	var many []string
	for m := 0; m < 5000; m += 10 {
		many = append(many, fmt.Sprintf("M%06d", m))
	}
	applyMoves(t, s, many, 1)
	frames := func() (log, done int) {
		var busy int
		if err := s.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		return log, done
	}
	held, done := frames()
	if held == 0 || done == held {
		t.Fatalf("with the snapshot open: %d frames in the log, %d checkpointed; want some held back", held, done)
	}
	if err := sn.Close(); err != nil {
		t.Fatal(err)
	}
	// A small commit that checkpoints nothing itself: a ledger's.
	l, err := s.Ledger(ctx, "B1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if log, _ := frames(); log >= held/2 {
		t.Errorf("a small commit after Close left %d frames in the log, against %d held by the snapshot: the log did not start again", log, held)
	}
}
