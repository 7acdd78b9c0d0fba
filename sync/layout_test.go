package sync_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// TestLayout: a store loaded in parts, with feeds and ledgers between
// them, should be compacted; once compacted, it need not be, and its
// histories lie together in full pages.
func TestLayout(t *testing.T) {
	ctx := context.Background()
	s := mustOpenPath(t, filepath.Join(t.TempDir(), "store.db"))
	// 12,000 members in four loads of members spread through the key
	// space, each followed by a batch's ledger; then a feed that moves
	// every twentieth member.
	for load := range 4 {
		var evs []pgsync.Event
		for i := load; i < 12_000; i += 4 {
			evs = append(evs, move(fmt.Sprintf("E%d-0", i), fmt.Sprintf("L%05d", i), "2020-01-01", uint64(i)))
		}
		mustApply(t, s, evs, pgsync.ApplyOptions{})
		runLedger(t, s, fmt.Sprintf("batch %d", load), address.Gate{HaltRate: 1}, ledgerBatch(3000))
	}
	var evs []pgsync.Event
	for i := 0; i < 12_000; i += 20 {
		evs = append(evs, move(fmt.Sprintf("E%d-1", i), fmt.Sprintf("L%05d", i), "2023-01-01", uint64(20_000+i)))
	}
	mustApply(t, s, evs, pgsync.ApplyOptions{})

	before, err := s.Layout(ctx)
	if err != nil {
		t.Fatalf("Layout: %v", err)
	}
	t.Logf("before Compact: %v", before)
	if !before.ShouldCompact() {
		t.Errorf("before Compact, ShouldCompact() = false for %v; want true", before)
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.Layout(ctx)
	if err != nil {
		t.Fatalf("Layout after Compact: %v", err)
	}
	t.Logf("after Compact: %v", after)
	if after.ShouldCompact() {
		t.Errorf("after Compact, ShouldCompact() = true for %v; want false", after)
	}
	if after.Leaves >= before.Leaves || after.Spread > 1.1 || after.Fill < 0.9 || after.PastMap != 0 {
		t.Errorf("after Compact: %v; want fewer leaves than %d, a spread of at most 1.1, a fill of 0.9 or more, none past the map", after, before.Leaves)
	}
	if after.PageSize != 4096 || after.MapBytes < 1<<30 {
		t.Errorf("after Compact: page size %d, map %d bytes; want 4096 and at least 1 GiB", after.PageSize, after.MapBytes)
	}
}

// TestLayoutSmall: a store too small for its layout to matter need not be
// compacted, however it lies; an empty one has no leaves to speak of.
func TestLayoutSmall(t *testing.T) {
	ctx := context.Background()
	s := mustOpenPath(t, filepath.Join(t.TempDir(), "store.db"))
	l, err := s.Layout(ctx)
	if err != nil {
		t.Fatalf("Layout of an empty store: %v", err)
	}
	if l.ShouldCompact() || l.Leaves > 1 {
		t.Errorf("empty store: %v, ShouldCompact %v; want at most its root, false", l, l.ShouldCompact())
	}
	mustApply(t, s, []pgsync.Event{move("E1", "L1", "2020-01-01", 1)}, pgsync.ApplyOptions{})
	if l, err = s.Layout(ctx); err != nil || l.Leaves != 1 || l.ShouldCompact() {
		t.Errorf("one member: %v, %v, ShouldCompact %v; want one leaf, no error, false", l, err, l.ShouldCompact())
	}
}
