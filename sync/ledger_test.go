package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
	pgsync "github.com/printgate/printgate/sync"
)

var ledgerAsOf = day("2024-06-01")

// ledgerStore is a store of members L0..L(n-1), each at address k=i since
// 2020 and, for every third member, at address k=1000+i since 2023.
func ledgerStore(tb testing.TB, n int) *pgsync.Store {
	tb.Helper()
	s := MustOpen(tb)
	var evs []pgsync.Event
	for i := range n {
		m := fmt.Sprintf("L%d", i)
		evs = append(evs, move(fmt.Sprintf("E%d-0", i), m, "2020-01-01", uint64(i)))
		if i%3 == 0 {
			ev := move(fmt.Sprintf("E%d-1", i), m, "2023-01-01", uint64(1000+i))
			ev.Name = ""
			evs = append(evs, ev)
		}
	}
	mustApply(tb, s, evs, pgsync.ApplyOptions{})
	return s
}

// ledgerPiece is member i's piece printed to address k.
func ledgerPiece(id string, i int, k uint64, phi bool) address.Piece {
	l1, l2, city, st, zip := addressFields(k)
	a, err := address.ParseFields(l1, l2, city, st, zip)
	if err != nil {
		panic(err)
	}
	return address.Piece{ID: id, MemberID: fmt.Sprintf("L%d", i), Name: nameFor(uint64(i)), Address: a, PHI: phi}
}

// ledgerBatch is n pieces, one per member, to the address in force, but
// every fifth member's is printed to the first address (stale for the
// members who moved), plus a duplicate piece id, an invalid piece, and a
// non-PHI piece to a former address.
func ledgerBatch(n int) []address.Piece {
	var ps []address.Piece
	for i := range n {
		k := uint64(i)
		if i%3 == 0 && i%5 != 0 {
			k = uint64(1000 + i)
		}
		ps = append(ps, ledgerPiece(fmt.Sprintf("P%d", i), i, k, true))
	}
	ps = append(ps, ledgerPiece("P1", 1, 1, true))
	ps = append(ps, address.Piece{ID: "P-bad", MemberID: "L2", PHI: true, Line: 99, Err: errors.New("line 99: zip: invalid ZIP code")})
	ps = append(ps, ledgerPiece("P-nonphi", 0, 0, false))
	return ps
}

func runLedger(tb testing.TB, s *pgsync.Store, batchID string, g address.Gate, ps []address.Piece) address.Outcome {
	tb.Helper()
	ctx := context.Background()
	l, err := s.Ledger(ctx, batchID, ledgerAsOf)
	if err != nil {
		tb.Fatalf("Ledger: %v", err)
	}
	defer l.Close()
	g.Source, g.AsOf = s, ledgerAsOf
	if g.ChunkSize == 0 {
		g.ChunkSize = 7 // many chunks, one uneven
	}
	out, err := g.Check(ctx, addresstest.Pieces(ps), l)
	if err != nil {
		tb.Fatalf("Check: %v", err)
	}
	return out
}

func entries(tb testing.TB, s *pgsync.Store, batchID string) []pgsync.Entry {
	tb.Helper()
	var es []pgsync.Entry
	for e, err := range s.Entries(context.Background(), batchID) {
		if err != nil {
			tb.Fatalf("Entries: %v", err)
		}
		es = append(es, e)
	}
	return es
}

// TestLedgerRecordsEveryPiece: one row per piece read, in input order, with
// the gate's verdict, and counts that account for every piece.
func TestLedgerRecordsEveryPiece(t *testing.T) {
	s := ledgerStore(t, 60)
	ps := ledgerBatch(60)
	sink := &addresstest.Sink{}
	want, err := (&address.Gate{Source: s, AsOf: ledgerAsOf, HaltRate: 1}).Check(context.Background(), addresstest.Pieces(ps), sink)
	if err != nil {
		t.Fatal(err)
	}
	out := runLedger(t, s, "b1", address.Gate{HaltRate: 1}, ps)
	if diff := cmp.Diff(want, out); diff != "" {
		t.Fatalf("outcome differs with the ledger as sink (-without +with):\n%s", diff)
	}
	es := entries(t, s, "b1")
	if len(es) != len(ps) {
		t.Fatalf("%d ledger rows for %d pieces", len(es), len(ps))
	}
	for i, e := range es {
		v := sink.Got[i]
		p := v.Piece
		wantE := pgsync.Entry{Seq: i, Piece: p.Key(), Line: p.Line, MemberID: p.MemberID, PHI: p.PHI,
			Status: v.Status, Decision: v.Decision, Detail: v.Detail, VersionID: v.VersionID}
		if diff := cmp.Diff(wantE, e); diff != "" {
			t.Errorf("row %d (-want +got):\n%s", i, diff)
		}
	}
	b, err := s.Batch(context.Background(), "b1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Finished.IsZero() || b.Halted || b.Pieces != len(ps) || b.Released+b.Quarantined+b.Blocked != b.Pieces ||
		b.Released != out.Released || b.Blocked != out.Blocked || !b.AsOf.Equal(ledgerAsOf) {
		t.Errorf("batch record %+v; outcome %+v", b, out)
	}
	if diff := cmp.Diff(out.ByStatus, b.ByStatus); diff != "" {
		t.Errorf("counts by status (-outcome +ledger):\n%s", diff)
	}
	if out.SourceNewest.IsZero() || !b.SourceNewest.Equal(out.SourceNewest) {
		t.Errorf("batch record's newest change %v; the outcome's %v", b.SourceNewest, out.SourceNewest)
	}
	for _, e := range es {
		if e.Final() != e.Decision {
			t.Errorf("piece %s, not reviewed: Final() = %s; want the gate's %s", e.Piece, e.Final(), e.Decision)
		}
	}
	for _, st := range []address.Status{address.Current, address.Stale, address.DuplicatePiece, address.Invalid} {
		if b.ByStatus[st] == 0 {
			t.Errorf("the batch has no %s piece; the test means to cover one", st)
		}
	}
}

// TestLedgerChunksAreText: each chunk's verdicts are stored as JSON text,
// not as a blob, which SQLite's JSON functions would take for JSONB.
func TestLedgerChunksAreText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	var evs []pgsync.Event
	for i := range 20 {
		evs = append(evs, move(fmt.Sprintf("E%d-0", i), fmt.Sprintf("L%d", i), "2020-01-01", uint64(i)))
	}
	mustApply(t, s, evs, pgsync.ApplyOptions{})
	runLedger(t, s, "b1", address.Gate{HaltRate: 1}, ledgerBatch(20))
	db, err := sql.Open("sqlite3", "file:"+path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var chunks, text int
	if err := db.QueryRow("SELECT count(*), count(*) FILTER (WHERE typeof(rows) = 'text') FROM verdict_chunks").Scan(&chunks, &text); err != nil {
		t.Fatal(err)
	}
	if chunks == 0 || text != chunks {
		t.Errorf("%d of %d verdict chunks stored as text", text, chunks)
	}
}

// TestLedgerHalted: a halted batch's ledger releases nothing; every piece
// keeps its status.
func TestLedgerHalted(t *testing.T) {
	s := ledgerStore(t, 60)
	ps := ledgerBatch(60)
	out := runLedger(t, s, "b-halt", address.Gate{HaltMin: 3}, ps)
	if !out.Halted {
		t.Fatalf("the batch did not halt: %+v", out)
	}
	b, err := s.Batch(context.Background(), "b-halt")
	if err != nil {
		t.Fatal(err)
	}
	if !b.Halted || b.HaltReason != out.HaltReason || b.Released != 0 || b.Quarantined != out.Quarantined+out.Released || b.Pieces != len(ps) {
		t.Errorf("batch record %+v; outcome %+v", b, out)
	}
	for _, e := range entries(t, s, "b-halt") {
		if e.Decision == address.Release {
			t.Errorf("piece %s released in a halted batch", e.Piece)
		}
		if e.Status == address.Current && (e.Decision != address.Quarantine || e.Detail != "batch halted: "+out.HaltReason) {
			t.Errorf("current piece %s: %s, %q", e.Piece, e.Decision, e.Detail)
		}
	}
}

// TestLedgerRerun: running a batch id again gives the same rows, keeps the
// reviews, and a shorter run leaves no rows of the longer one. The rerun
// comes in chunks of another size than the first run's, so that its chunks
// of verdicts overlap the old ones unevenly.
func TestLedgerRerun(t *testing.T) {
	s := ledgerStore(t, 60)
	ctx := context.Background()
	ps := ledgerBatch(60)
	runLedger(t, s, "b", address.Gate{HaltRate: 1, ChunkSize: 7}, ps)
	first := entries(t, s, "b")
	held := -1
	for i, e := range first {
		if e.Decision == address.Quarantine {
			held = i
			break
		}
	}
	if held < 0 {
		t.Fatal("no quarantined piece to review")
	}
	if err := s.Review(ctx, "b", first[held].Piece, address.Release, "reviewer 7", "confirmed by phone"); err != nil {
		t.Fatalf("Review: %v", err)
	}
	runLedger(t, s, "b", address.Gate{HaltRate: 1, ChunkSize: 25}, ps)
	again := entries(t, s, "b")
	if again[held].Review == nil || again[held].Final() != address.Release || again[held].Review.Reviewer != "reviewer 7" {
		t.Errorf("the review did not survive the rerun: %+v", again[held])
	}
	again[held].Review = nil
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("rerun differs (-first +again):\n%s", diff)
	}
	// A shorter run, ending where a chunk of the run before began (the
	// first run's chunks were of 7): the rows and the review past its end
	// are gone, and do not come back with the next run of the whole batch.
	runLedger(t, s, "b", address.Gate{HaltRate: 1, ChunkSize: 7}, ps)
	if err := s.Review(ctx, "b", first[held].Piece, address.Release, "reviewer 7", "confirmed by phone"); !errors.Is(err, pgsync.ErrReviewed) {
		t.Fatalf("the review is not kept: Review again = %v", err)
	}
	runLedger(t, s, "b", address.Gate{HaltRate: 1}, ps[:held])
	if es := entries(t, s, "b"); len(es) != held {
		t.Errorf("after a run of %d pieces the ledger holds %d rows", held, len(es))
	}
	runLedger(t, s, "b", address.Gate{HaltRate: 1, ChunkSize: 7}, ps)
	if e := entries(t, s, "b")[held]; e.Review != nil || e.Final() != address.Quarantine {
		t.Errorf("a review of a piece past a shorter run's end came back: %+v, %+v", e, e.Review)
	}
	runLedger(t, s, "b", address.Gate{HaltRate: 1}, ps[:14])
	if es := entries(t, s, "b"); len(es) != 14 {
		t.Errorf("after a run of 14 pieces the ledger holds %d rows", len(es))
	}
	runLedger(t, s, "b", address.Gate{HaltRate: 1}, ps[:10])
	if es := entries(t, s, "b"); len(es) != 10 {
		t.Errorf("after a run of 10 pieces the ledger holds %d rows", len(es))
	}
	b, _ := s.Batch(ctx, "b")
	if b.Pieces != 10 || b.Released+b.Quarantined+b.Blocked != 10 {
		t.Errorf("batch record %+v", b)
	}
}

// TestBatches: the ledger's batch ids, oldest start first; a batch run
// again starts again, and comes last.
func TestBatches(t *testing.T) {
	s := ledgerStore(t, 6)
	ctx := context.Background()
	list := func() []string {
		t.Helper()
		ids, err := s.Batches(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if ids := list(); len(ids) != 0 {
		t.Fatalf("a new store's batches: %q", ids)
	}
	ps := ledgerBatch(6)
	for _, id := range []string{"b2", "b1", "b3"} {
		runLedger(t, s, id, address.Gate{HaltRate: 1}, ps)
	}
	if d := cmp.Diff([]string{"b2", "b1", "b3"}, list()); d != "" {
		t.Errorf("batches (-want +got):\n%s", d)
	}
	runLedger(t, s, "b2", address.Gate{HaltRate: 1}, ps)
	if d := cmp.Diff([]string{"b1", "b3", "b2"}, list()); d != "" {
		t.Errorf("batches after b2 ran again (-want +got):\n%s", d)
	}
}

func TestReview(t *testing.T) {
	s := ledgerStore(t, 30)
	ctx := context.Background()
	ps := ledgerBatch(30)
	runLedger(t, s, "b", address.Gate{HaltRate: 1}, ps)
	var held, released, blocked string
	for _, e := range entries(t, s, "b") {
		switch {
		case e.Decision == address.Quarantine && held == "":
			held = e.Piece
		case e.Decision == address.Release && released == "":
			released = e.Piece
		case e.Decision == address.Block && e.Status != address.DuplicatePiece && blocked == "":
			blocked = e.Piece
		}
	}
	if held == "" || released == "" || blocked == "" {
		t.Fatalf("need a held, a released and a blocked piece: %q %q %q", held, released, blocked)
	}
	tests := []struct {
		batch, piece string
		d            address.Decision
		who, why     string
		want         error
	}{
		{"b", held, address.Quarantine, "r", "why", pgsync.ErrReviewIncomplete},
		{"b", held, address.Release, " ", "why", pgsync.ErrReviewIncomplete},
		{"b", held, address.Block, "r", "", pgsync.ErrReviewIncomplete},
		{"nope", held, address.Release, "r", "why", pgsync.ErrNoBatch},
		{"b", "P-none", address.Release, "r", "why", pgsync.ErrNoPiece},
		{"b", released, address.Block, "r", "why", pgsync.ErrNotQuarantined},
		{"b", blocked, address.Release, "r", "why", pgsync.ErrNotQuarantined},
		{"b", held, address.Block, "reviewer 2", "not the member's address", nil},
		{"b", held, address.Release, "reviewer 3", "second thoughts", pgsync.ErrReviewed},
	}
	for _, tt := range tests {
		err := s.Review(ctx, tt.batch, tt.piece, tt.d, tt.who, tt.why)
		if !errors.Is(err, tt.want) {
			t.Errorf("Review(%s, %s, %s) = %v; want %v", tt.batch, tt.piece, tt.d, err, tt.want)
		}
	}
	b, err := s.Batch(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if b.Reviewed[address.Block] != 1 || len(b.Reviewed) != 1 {
		t.Errorf("Reviewed = %v; want one block", b.Reviewed)
	}
	i := slices.IndexFunc(entries(t, s, "b"), func(e pgsync.Entry) bool { return e.Piece == held })
	e := entries(t, s, "b")[i]
	if e.Final() != address.Block || e.Review.Reason != "not the member's address" || e.Review.At.IsZero() {
		t.Errorf("reviewed entry %+v, review %+v", e, e.Review)
	}
}

// failedRun runs batch batchID into the ledger in chunks of 8, its reader
// failing at piece n, and closes the ledger, as the batch job does when a
// check fails.
func failedRun(tb testing.TB, s *pgsync.Store, batchID string, ps []address.Piece, n int) {
	tb.Helper()
	ctx := context.Background()
	l, err := s.Ledger(ctx, batchID, ledgerAsOf)
	if err != nil {
		tb.Fatal(err)
	}
	boom := errors.New("reader failed")
	pieces := func(yield func(address.Piece, error) bool) {
		for i, p := range ps {
			if i == n {
				yield(address.Piece{}, boom)
				return
			}
			if !yield(p, nil) {
				return
			}
		}
	}
	g := &address.Gate{Source: s, AsOf: ledgerAsOf, ChunkSize: 8, HaltRate: 1}
	if _, err := g.Check(ctx, pieces, l); !errors.Is(err, boom) {
		tb.Fatalf("Check = %v; want the reader's error", err)
	}
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
}

// TestLedgerUnfinished: a check that fails leaves the batch unfinished, its
// pieces unreviewable, and nothing released in its record.
func TestLedgerUnfinished(t *testing.T) {
	s := ledgerStore(t, 30)
	ctx := context.Background()
	failedRun(t, s, "b", ledgerBatch(30), 20)
	b, err := s.Batch(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if !b.Finished.IsZero() || b.Released != 0 {
		t.Errorf("batch record of a failed check: %+v", b)
	}
	if n := len(entries(t, s, "b")); n != 16 {
		t.Errorf("%d rows after two chunks of 8 were judged", n)
	}
	for _, e := range entries(t, s, "b") {
		if e.Decision == address.Quarantine {
			if err := s.Review(ctx, "b", e.Piece, address.Release, "r", "why"); !errors.Is(err, pgsync.ErrBatchUnfinished) {
				t.Errorf("Review in an unfinished batch = %v", err)
			}
			break
		}
	}
	// The store's writer is free again.
	mustApply(t, s, []pgsync.Event{move("E-after", "L-new", "2024-01-01", 5)}, pgsync.ApplyOptions{})
}

// TestLedgerRerunInterrupted: a run of a finished batch id again that
// fails part way is the batch's current run, unfinished, with the rows of
// the pieces it judged; the finished run before it is kept whole. Run
// again, it ends with the rows of the first run, as run 2.
func TestLedgerRerunInterrupted(t *testing.T) {
	s := ledgerStore(t, 30)
	ctx := context.Background()
	ps := ledgerBatch(30)
	runLedger(t, s, "b", address.Gate{HaltRate: 1, ChunkSize: 8}, ps)
	first := entries(t, s, "b")
	if len(first) != len(ps) {
		t.Fatalf("first run: %d rows for %d pieces", len(first), len(ps))
	}
	b1, _ := s.Batch(ctx, "b")
	failedRun(t, s, "b", ps, 20)
	if d := cmp.Diff(first[:16], entries(t, s, "b")); d != "" {
		t.Errorf("rows after the interrupted rerun (-first run +now):\n%s", d)
	}
	runs, err := s.Runs(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Run != 1 || runs[0].Finished.IsZero() || runs[0].Released != b1.Released || runs[0].Pieces != len(ps) ||
		runs[1].Run != 2 || !runs[1].Finished.IsZero() {
		t.Errorf("runs after the interrupted rerun: %+v", runs)
	}
	runLedger(t, s, "b", address.Gate{HaltRate: 1, ChunkSize: 8}, ps)
	if d := cmp.Diff(first, entries(t, s, "b")); d != "" {
		t.Errorf("rows after the rerun (-first run +now):\n%s", d)
	}
	if b, _ := s.Batch(ctx, "b"); b.Run != 2 || b.Finished.IsZero() || b.Released != b1.Released {
		t.Errorf("batch after the rerun: %+v", b)
	}
}

// TestLedgerOutcomeMismatch: Finish refuses an outcome its rows do not
// account for.
func TestLedgerOutcomeMismatch(t *testing.T) {
	s := ledgerStore(t, 3)
	ctx := context.Background()
	// The rows: one released, one quarantined, one blocked.
	ps := []address.Piece{ledgerPiece("P0", 1, 1, true), ledgerPiece("P1", 2, 2, true), ledgerPiece("P2", 0, 0, true)}
	vs := []address.Verdict{
		{Piece: &ps[0], Status: address.Current, Decision: address.Release},
		{Piece: &ps[1], Status: address.UnknownAddress, Decision: address.Quarantine},
		{Piece: &ps[2], Status: address.Stale, Decision: address.Block},
	}
	right := address.Outcome{Pieces: 3, Released: 1, Quarantined: 1, Blocked: 1, AsOf: ledgerAsOf}
	for _, tc := range []struct {
		name string
		edit func(*address.Outcome)
	}{
		{"pieces", func(o *address.Outcome) { o.Pieces = 4; o.Blocked = 2 }},
		{"released", func(o *address.Outcome) { o.Released, o.Quarantined = 2, 0 }},
		{"quarantined", func(o *address.Outcome) { o.Quarantined, o.Blocked = 2, 0 }},
		{"blocked", func(o *address.Outcome) { o.Blocked, o.Released = 2, 0 }},
		{"the sum", func(o *address.Outcome) { o.Blocked = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := s.Ledger(ctx, "b-"+tc.name, ledgerAsOf)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Verdicts(ctx, vs); err != nil {
				t.Fatal(err)
			}
			out := right
			tc.edit(&out)
			if err := l.Finish(ctx, out); err == nil {
				t.Fatalf("Finish accepted the outcome %+v for rows of 1 released, 1 quarantined, 1 blocked", out)
			}
			if err := l.Finish(ctx, right); !errors.Is(err, pgsync.ErrLedgerClosed) {
				t.Errorf("second Finish = %v", err)
			}
			if b, _ := s.Batch(ctx, "b-"+tc.name); !b.Finished.IsZero() {
				t.Errorf("the batch is finished: %+v", b)
			}
			// The failed Finish left no transaction open: the store's
			// writer takes the next write.
			mustApply(t, s, []pgsync.Event{move("E-after-"+tc.name, "L-"+tc.name, "2024-01-01", 5)}, pgsync.ApplyOptions{})
		})
	}

	// A verdict whose decision is none of the three (a caller's policy
	// gave it) is counted by no one: the outcome the gate makes of it
	// leaves a piece unaccounted for, and Finish refuses it.
	l, err := s.Ledger(ctx, "b-unknown-decision", ledgerAsOf)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	odd := slices.Clone(vs)
	odd[2].Decision = address.Decision(9)
	if err := l.Verdicts(ctx, odd); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(ctx, address.Outcome{Pieces: 3, Released: 1, Quarantined: 1, AsOf: ledgerAsOf}); err == nil {
		t.Error("Finish accepted a batch with a piece neither released, quarantined nor blocked")
	}
}

func ExampleStore_Ledger() {
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
		Name: "Ada Lovelace", Line1: "123 N Main St", Line2: "Apt 4B", City: "Springfield", State: "IL", ZIP: "62704"},
		pgsync.Event{ID: "E2", MemberID: "M1", Effective: day("2024-01-01"), Recorded: day("2024-01-02"),
			Line1: "9 Elm St", City: "Springfield", State: "IL", ZIP: "62704"}), pgsync.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	asOf := day("2024-06-01")
	ledger, err := st.Ledger(ctx, "batch-2024-06-01", asOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ledger.Close()
	old := address.MustParse("123 North Main Street Apt 4B, Springfield IL 62704")
	pieces := []address.Piece{{ID: "P1", MemberID: "M1", Name: "Ada Lovelace", Address: old, PHI: true}}
	gate := &address.Gate{Source: st, AsOf: asOf}
	if _, err := gate.Check(ctx, addresstest.Pieces(pieces), ledger); err != nil {
		fmt.Println(err)
		return
	}
	for e, err := range st.Entries(ctx, "batch-2024-06-01") {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Piece, e.MemberID, e.Status, e.Decision, e.Detail, e.VersionID)
	}
	b, _ := st.Batch(ctx, "batch-2024-06-01")
	fmt.Println(b.Pieces, "pieces:", b.Released, "released,", b.Quarantined, "quarantined,", b.Blocked, "blocked")
	// Output:
	// P1 M1 stale block stale since 2024-01-01 E1
	// 1 pieces: 0 released, 0 quarantined, 1 blocked
}

func seqOf(evs ...pgsync.Event) func(func(pgsync.Event, error) bool) { return seq(evs) }
