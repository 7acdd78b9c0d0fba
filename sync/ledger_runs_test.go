package sync_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

// TestLedgerRerunKeepsRelease: run 1 of a batch releases piece A; the
// member's move arrives late and the batch id is run again: A is blocked
// now, but the ledger keeps run 1, whose release of A a breach report must
// count.
func TestLedgerRerunKeepsRelease(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	verdictRun(t, s, "b", "", verdict("A", "M1", address.Current, address.Release), verdict("B", "M2", address.Stale, address.Block))
	verdictRun(t, s, "b", "", verdict("A", "M1", address.Stale, address.Block), verdict("B", "M2", address.Stale, address.Block))
	b, err := s.Batch(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if b.Run != 2 || b.Released != 0 || b.Blocked != 2 {
		t.Errorf("current run: %+v", b)
	}
	runs, err := s.Runs(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Run != 1 || runs[0].Released != 1 || runs[0].Blocked != 1 || runs[0].Finished.IsZero() ||
		runs[1].Run != 2 || runs[1].Released != 0 {
		t.Errorf("runs: %+v", runs)
	}
	if d := cmp.Diff([]string{"run 1 A M1: gate"}, releases(t, s, "b")); d != "" {
		t.Errorf("Released (-want +got):\n%s", d)
	}
	// A third run releasing A again: each run's release is listed.
	verdictRun(t, s, "b", "", verdict("A", "M1", address.Current, address.Release), verdict("B", "M2", address.Stale, address.Block))
	if d := cmp.Diff([]string{"run 1 A M1: gate", "run 3 A M1: gate"}, releases(t, s, "b")); d != "" {
		t.Errorf("Released after run 3 (-want +got):\n%s", d)
	}
	if _, err := s.Runs(ctx, "nope"); err == nil {
		t.Error("Runs of no batch: no error")
	}
}

// TestLedgerHaltedThenRerun: a halted run released nothing; run again
// (the upstream data fixed), the batch releases, and the halted run's
// record is kept as run 1.
func TestLedgerHaltedThenRerun(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	vs := []address.Verdict{verdict("A", "M1", address.Current, address.Release), verdict("B", "M2", address.Stale, address.Block)}
	verdictRun(t, s, "b", "stale rate 50%", vs...)
	if got := releases(t, s, "b"); len(got) != 0 {
		t.Errorf("a halted run released: %q", got)
	}
	verdictRun(t, s, "b", "", vs...)
	runs, err := s.Runs(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || !runs[0].Halted || runs[0].HaltReason != "stale rate 50%" || runs[0].Released != 0 || runs[0].Quarantined != 1 ||
		runs[1].Halted || runs[1].Released != 1 {
		t.Errorf("runs: %+v", runs)
	}
	if d := cmp.Diff([]string{"run 2 A M1: gate"}, releases(t, s, "b")); d != "" {
		t.Errorf("Released (-want +got):\n%s", d)
	}
}

// TestLedgerInterruptedThenRerun: a first run that dies part way, run
// again, ends with exactly the rows and record of a run never interrupted,
// as run 1: the run that died released nothing and leaves no run of its
// own.
func TestLedgerInterruptedThenRerun(t *testing.T) {
	ctx := context.Background()
	s := ledgerStore(t, 30)
	ps := ledgerBatch(30)
	runLedger(t, s, "clean", address.Gate{HaltRate: 1, ChunkSize: 8}, ps)
	failedRun(t, s, "b", ps, 20)
	if got := releases(t, s, "b"); len(got) != 0 {
		t.Errorf("a run that died released: %q", got)
	}
	runLedger(t, s, "b", address.Gate{HaltRate: 1, ChunkSize: 5}, ps)
	if d := cmp.Diff(entries(t, s, "clean"), entries(t, s, "b")); d != "" {
		t.Errorf("rows (-uninterrupted +rerun):\n%s", d)
	}
	clean, _ := s.Runs(ctx, "clean")
	runs, err := s.Runs(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Run != 1 || runs[0].Released != clean[0].Released || runs[0].Pieces != clean[0].Pieces ||
		cmp.Diff(clean[0].ByStatus, runs[0].ByStatus) != "" {
		t.Errorf("runs of the rerun batch %+v; of the clean one %+v", runs, clean)
	}
	if n := len(releases(t, s, "b")); n != clean[0].Released {
		t.Errorf("Released lists %d pieces; the run released %d", n, clean[0].Released)
	}
}

// TestReleasedReviewCarriedOver: a reviewer's release made in run 1
// applies to run 2 too, whose verdict of the piece is the same (review
// -out writes its row again): Released lists it for each run it applied
// to; and once a run supersedes it, for the runs before that one only.
func TestReleasedReviewCarriedOver(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	held := verdict("A", "M1", address.RecentlyChanged, address.Quarantine)
	verdictRun(t, s, "b", "", held)
	if err := s.Review(ctx, "b", "A", address.Release, "ann", "phoned"); err != nil {
		t.Fatal(err)
	}
	verdictRun(t, s, "b", "", held)
	if e := entryOf(t, s, "b", "A"); e.Final() != address.Release {
		t.Fatalf("run 2's entry: %+v, final %s", e, e.Final())
	}
	want := []string{"run 1 A M1: reviewer ann", "run 2 A M1: reviewer ann"}
	if d := cmp.Diff(want, releases(t, s, "b")); d != "" {
		t.Errorf("Released (-want +got):\n%s", d)
	}
	// Run 3 finds A stale: the review is superseded, and applied to runs 1
	// and 2 only.
	verdictRun(t, s, "b", "", verdict("A", "M1", address.Stale, address.Block))
	want = []string{"run 1 A M1: reviewer ann (superseded)", "run 2 A M1: reviewer ann (superseded)"}
	if d := cmp.Diff(want, releases(t, s, "b")); d != "" {
		t.Errorf("Released after run 3 (-want +got):\n%s", d)
	}
}
