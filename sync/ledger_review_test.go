package sync_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// TestReviewErrorsEchoNoPHI: Review, Batch and Entries name a piece or a
// batch in an error only by a well-formed id (or "line N"): a name or an
// address given as one (a column shifted into the id's) is not echoed.
func TestReviewErrorsEchoNoPHI(t *testing.T) {
	s := ledgerStore(t, 6)
	ctx := context.Background()
	runLedger(t, s, "b", address.Gate{HaltRate: 1}, ledgerBatch(6))
	const phi = "Ada Lovelace, 1 Oak St"
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"Review piece", s.Review(ctx, "b", phi, address.Release, "ann", "ok"), pgsync.ErrNoPiece},
		{"Review batch", s.Review(ctx, phi, "P1", address.Release, "ann", "ok"), pgsync.ErrNoBatch},
		{"Review both", s.Review(ctx, phi, phi, address.Release, "", ""), pgsync.ErrReviewIncomplete},
		{"Batch", func() error { _, err := s.Batch(ctx, phi); return err }(), pgsync.ErrNoBatch},
		{"Entries", func() error {
			for _, err := range s.Entries(ctx, phi) {
				return err
			}
			return nil
		}(), pgsync.ErrNoBatch},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, tc.err, tc.want)
		}
		if tc.err != nil && (strings.Contains(tc.err.Error(), "Lovelace") || strings.Contains(tc.err.Error(), "Oak")) {
			t.Errorf("%s echoes a name or an address: %v", tc.name, tc.err)
		}
	}
	// Well-formed ids, and a piece without one, are named.
	for _, tc := range []struct{ batch, piece, want string }{
		{"b", "P-none", `piece "P-none" of batch b`},
		{"b", "line 12", `piece "line 12" of batch b`},
		{"nope", "P1", `of batch nope`},
	} {
		if err := s.Review(ctx, tc.batch, tc.piece, address.Release, "ann", "ok"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Review(%s, %s) = %v; want it to say %q", tc.batch, tc.piece, err, tc.want)
		}
	}
}

// verdictRun runs batch batchID with the verdicts vs as the gate's, and
// finishes it, halted for the reason halt unless it is "".
func verdictRun(tb testing.TB, s *pgsync.Store, batchID string, halt string, vs ...address.Verdict) {
	tb.Helper()
	ctx := context.Background()
	l, err := s.Ledger(ctx, batchID, ledgerAsOf)
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	if err := l.Verdicts(ctx, vs); err != nil {
		tb.Fatal(err)
	}
	out := address.Outcome{Pieces: len(vs), AsOf: ledgerAsOf, Halted: halt != "", HaltReason: halt}
	for _, v := range vs {
		switch v.Decision {
		case address.Release:
			out.Released++
		case address.Quarantine:
			out.Quarantined++
		case address.Block:
			out.Blocked++
		}
	}
	if out.Halted {
		out.Released, out.Quarantined = 0, out.Quarantined+out.Released
	}
	if err := l.Finish(ctx, out); err != nil {
		tb.Fatal(err)
	}
}

func verdict(id, member string, st address.Status, d address.Decision) address.Verdict {
	return address.Verdict{Piece: &address.Piece{ID: id, MemberID: member, PHI: true}, Status: st, Decision: d}
}

func entryOf(tb testing.TB, s *pgsync.Store, batchID, piece string) pgsync.Entry {
	tb.Helper()
	for _, e := range entries(tb, s, batchID) {
		if e.Piece == piece {
			return e
		}
	}
	tb.Fatalf("batch %s has no piece %s", batchID, piece)
	return pgsync.Entry{}
}

func releases(tb testing.TB, s *pgsync.Store, batchID string) []string {
	tb.Helper()
	var got []string
	for r, err := range s.Released(context.Background(), batchID) {
		if err != nil {
			tb.Fatal(err)
		}
		how := "gate"
		if r.Review != nil {
			how = "reviewer " + r.Review.Reviewer
			if r.Superseded {
				how += " (superseded)"
			}
		}
		got = append(got, fmt.Sprintf("run %d %s %s: %s", r.Run, r.Piece, r.MemberID, how))
	}
	return got
}

// TestReviewAppliesOnlyToItsVerdict: a review applies to a later run of
// its batch only while the verdict it was made on stands: the same piece,
// member and status, quarantined. Else it is superseded: kept, listed by
// Released, applied to nothing, and the piece can be reviewed anew.
func TestReviewAppliesOnlyToItsVerdict(t *testing.T) {
	ctx := context.Background()
	const (
		unknown = address.UnknownAddress
		q       = address.Quarantine
	)
	held := verdict("A", "M1", unknown, q)
	tests := []struct {
		name  string
		again []address.Verdict // the rerun's verdicts; piece A's at seq 1
		halt  string
		keeps bool // the review of A still applies
	}{
		{"same verdict", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), held}, "", true},
		{"same verdict, batch halted", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), held}, "stale rate", true},
		{"another status", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), verdict("A", "M1", address.UnappliedChange, q)}, "", false},
		{"released by the gate", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), verdict("A", "M1", address.Current, address.Release)}, "", false},
		{"released, batch halted", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), verdict("A", "M1", address.Current, address.Release)}, "stale rate", false},
		{"blocked", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), verdict("A", "M1", address.Stale, address.Block)}, "", false},
		{"another address version", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), func() address.Verdict {
			v := held
			v.VersionID = "E-moved"
			return v
		}()}, "", false},
		{"another detail", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), func() address.Verdict {
			v := held
			v.Detail = "different to the address in force"
			return v
		}()}, "", false},
		{"another member", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), verdict("A", "M2", unknown, q)}, "", false},
		{"another piece at its place", []address.Verdict{verdict("Z", "M9", address.Current, address.Release), verdict("B", "M1", unknown, q)}, "", false},
		{"no piece at its place", []address.Verdict{verdict("Z", "M9", address.Current, address.Release)}, "", false},
		{"moved to another place", []address.Verdict{held, verdict("Z", "M9", address.Current, address.Release)}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			verdictRun(t, s, "b", "", verdict("Z", "M9", address.Current, address.Release), held)
			if err := s.Review(ctx, "b", "A", address.Release, "ann", "confirmed by phone"); err != nil {
				t.Fatal(err)
			}
			verdictRun(t, s, "b", tt.halt, tt.again...)
			b, err := s.Batch(ctx, "b")
			if err != nil {
				t.Fatal(err)
			}
			var reviewed []string
			for _, e := range entries(t, s, "b") {
				if e.Review != nil {
					reviewed = append(reviewed, e.Piece)
				}
				if e.Review != nil && e.Final() != address.Release || e.Review == nil && e.Final() != e.Decision {
					t.Errorf("piece %s: Final %s, review %+v", e.Piece, e.Final(), e.Review)
				}
			}
			rel := releases(t, s, "b")
			if tt.keeps {
				if !slices.Equal(reviewed, []string{"A"}) || b.Reviewed[address.Release] != 1 {
					t.Errorf("the review of A does not apply to the same verdict: reviewed %q, Batch.Reviewed %v", reviewed, b.Reviewed)
				}
				if err := s.Review(ctx, "b", "A", address.Block, "bob", "again"); !errors.Is(err, pgsync.ErrReviewed) {
					t.Errorf("Review of A again = %v; want ErrReviewed", err)
				}
				if !slices.Contains(rel, "run 1 A M1: reviewer ann") {
					t.Errorf("Released does not list the review: %q", rel)
				}
				return
			}
			if len(reviewed) != 0 || len(b.Reviewed) != 0 {
				t.Errorf("a review applies to another verdict: reviewed %q, Batch.Reviewed %v", reviewed, b.Reviewed)
			}
			if !slices.Contains(rel, "run 1 A M1: reviewer ann (superseded)") {
				t.Errorf("Released does not list the superseded review: %q", rel)
			}
			// A quarantined piece of the new run is reviewed anew.
			for _, e := range entries(t, s, "b") {
				if e.Decision == address.Quarantine && e.Piece != "Z" {
					if err := s.Review(ctx, "b", e.Piece, address.Block, "bob", "returned mail"); err != nil {
						t.Errorf("Review of %s in the new run: %v", e.Piece, err)
					}
					if e := entryOf(t, s, "b", e.Piece); e.Review == nil || e.Final() != address.Block {
						t.Errorf("the new review of %s does not apply: %+v", e.Piece, e.Review)
					}
				}
			}
		})
	}
}

// TestReviewNotAppliedWhileRerunUnfinished: while a run of the batch id
// again is unfinished, its rows show no review that is not of their
// verdict, before Finish supersedes it.
func TestReviewNotAppliedWhileRerunUnfinished(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	verdictRun(t, s, "b", "", verdict("A", "M1", address.UnknownAddress, address.Quarantine))
	if err := s.Review(ctx, "b", "A", address.Release, "ann", "confirmed by phone"); err != nil {
		t.Fatal(err)
	}
	l, err := s.Ledger(ctx, "b", ledgerAsOf)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Verdicts(ctx, []address.Verdict{verdict("B", "M2", address.UnknownAddress, address.Quarantine)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil { // dies before Finish
		t.Fatal(err)
	}
	if e := entryOf(t, s, "b", "B"); e.Review != nil || e.Final() != address.Quarantine {
		t.Errorf("piece B of the unfinished rerun shows A's review: %+v", e.Review)
	}
	if b, _ := s.Batch(ctx, "b"); len(b.Reviewed) != 0 {
		t.Errorf("Batch.Reviewed of the unfinished rerun: %v", b.Reviewed)
	}
}
