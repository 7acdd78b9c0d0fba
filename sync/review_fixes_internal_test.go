package sync

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/printgate/printgate/address"
)

// TestHoldsPlacedBeforeChunksCommit: Apply places the holds of a feed's
// bad rows and ties before any chunk commits, so that an apply that stops
// after its chunks committed (and Newest moved), before it ends, leaves
// the members held; re-run, the same feed ends with the store an
// uninterrupted apply leaves, and counts no hold placed again.
func TestHoldsPlacedBeforeChunksCommit(t *testing.T) {
	ctx := context.Background()
	const header = "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n"
	const base = header +
		"E1,M1,2020-01-01,2020-01-02,Ada Lovelace,1 Oak St,,Springfield,IL,62704\n" +
		"E9,M2,2020-01-01,2020-01-02,Alan Turing,5 Pine St,,Springfield,IL,62704\n"
	const feed = header +
		"E10,M2,2024-04-20,2024-04-21,Alan Turing,6 Pine St,,Springfield,IL,62704\n" +
		"E2,M1,2024-04-25,2024-04-26,,9 Elm St,,Springfield,IL,627\n" + // a bad ZIP
		"E30,M3,2024-04-01,2024-04-02,Grace Hopper,1 Elm St,,Springfield,IL,62704\n" +
		"E31,M3,2024-04-01,2024-04-02,Grace Hopper,2 Elm St,,Springfield,IL,62704\n" // a tie
	apply := func(s *Store, ctx context.Context, in string, opt ApplyOptions) (*ApplyReport, error) {
		return s.Apply(ctx, NewCSVReader(strings.NewReader(in)).All(), opt)
	}
	open := func(name string) *Store {
		s := openStore(t, filepath.Join(t.TempDir(), name))
		s.Now = func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) }
		if _, err := apply(s, ctx, base, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	holds := func(s *Store) []Hold {
		var hs []Hold
		for h, err := range s.Holds(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		return hs
	}
	histories := func(s *Store) []address.History {
		var hs []address.History
		for h, err := range s.Histories(ctx, []string{"M1", "M2", "M3"}) {
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		return hs
	}

	ref := open("ref.db")
	refRep, err := apply(ref, ctx, feed, ApplyOptions{ChunkSize: 1})
	if err != nil || refRep.Held != 3 {
		t.Fatalf("uninterrupted: %+v, %v", refRep, err)
	}

	s := open("store.db")
	stopped, stop := context.WithCancel(ctx)
	defer stop()
	rep, err := apply(s, stopped, feed, ApplyOptions{ChunkSize: 1, afterChunks: stop})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted: %+v, %v", rep, err)
	}
	if newest, err := s.Newest(ctx); err != nil || !newest.Equal(time.Date(2024, 4, 21, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Newest after the chunks: %v, %v", newest, err)
	}
	opts := cmpopts.IgnoreFields(Hold{}, "Received")
	if d := cmp.Diff(holds(ref), holds(s), opts); d != "" {
		t.Errorf("holds after the chunks, before the end (-uninterrupted +interrupted):\n%s", d)
	}
	h, err := s.History(ctx, "M1")
	if err != nil || len(h.Unapplied) != 1 || h.Unapplied[0].EventID != "E2" {
		t.Errorf("M1 after the chunks: %+v, %v", h, err)
	}

	rep, err = apply(s, ctx, feed, ApplyOptions{})
	if err != nil || rep.Held != 0 || rep.Skipped != 3 {
		t.Fatalf("re-run: %+v, %v", rep, err)
	}
	if d := cmp.Diff(holds(ref), holds(s), opts); d != "" {
		t.Errorf("holds after the re-run (-uninterrupted +re-run):\n%s", d)
	}
	if d := cmp.Diff(histories(ref), histories(s), cmpopts.IgnoreFields(address.UnappliedEvent{}, "Received")); d != "" {
		t.Errorf("histories after the re-run (-uninterrupted +re-run):\n%s", d)
	}
}
