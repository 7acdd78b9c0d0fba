package sync_test

import (
	"context"
	"errors"
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
