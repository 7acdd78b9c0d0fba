package sync

import (
	"context"
	"testing"

	"github.com/printgate/printgate/address"
)

// TestMigrateReviewsToVerdicts: a store of schema 9 whose reviews name a
// seq only. After the migration to schema 10, a review made during the
// batch's current run records that run's verdict and applies; one made
// before the current run started (on a verdict since replaced), or of a
// piece not quarantined now, is superseded and applies to nothing.
func TestMigrateReviewsToVerdicts(t *testing.T) {
	ctx := context.Background()
	s := openAtSchema(t, 9, `
		INSERT INTO batches (id, batch_id, asof, started, finished, pieces, released, quarantined) VALUES (1, 'b1', 0, 100, 200, 3, 1, 2);
		INSERT INTO verdict_chunks (batch, seq, n, released, quarantined, blocked, rows) VALUES (1, 0, 3, 1, 2, 0,
			'[["P1",2,"M1",1,1,1,"",""],["P2",3,"M2",1,5,2,"unknown","E2"],["P3",4,"M3",1,5,2,"unknown","E3"]]');
		INSERT INTO reviews VALUES (1, 0, 1, 'ann', 'made on a quarantine', 150), (1, 1, 1, 'ann', 'during the run', 150),
			(1, 2, 1, 'bob', 'before the run', 50);`)
	defer s.Close()
	reviewed := map[string]string{}
	for e, err := range s.Entries(ctx, "b1") {
		if err != nil {
			t.Fatal(err)
		}
		if e.Review != nil {
			reviewed[e.Piece] = e.Review.Reason
		}
	}
	if len(reviewed) != 1 || reviewed["P2"] != "during the run" {
		t.Errorf("reviews that apply after the migration: %v; want P2's only", reviewed)
	}
	var superseded []string
	rows, err := s.r.QueryContext(ctx, `SELECT reason FROM superseded_reviews ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		rows.Scan(&r)
		superseded = append(superseded, r)
	}
	if len(superseded) != 2 || superseded[0] != "made on a quarantine" || superseded[1] != "before the run" {
		t.Errorf("superseded reviews: %q", superseded)
	}
	// P3 is reviewed anew; P2 was reviewed.
	if err := s.Review(ctx, "b1", "P3", address.Block, "carl", "returned mail"); err != nil {
		t.Errorf("Review of P3: %v", err)
	}
	if err := s.Review(ctx, "b1", "P2", address.Block, "carl", "again"); err == nil {
		t.Error("P2 reviewed twice")
	}
}
