package sync_test

import (
	stdcmp "cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// world returns the events of n members' histories: one to four versions
// each, some on the same day, some undeliverable, some with no name.
func world(n int, seed uint64) []pgsync.Event {
	var evs []pgsync.Event
	base := day("2015-01-01")
	for m := range n {
		member := fmt.Sprintf("M%06d", m)
		h := mix(seed ^ uint64(m))
		eff := base.AddDate(0, 0, int(h%365))
		for v := range 1 + int(h%4) {
			k := mix(h + uint64(v))
			ev := move(fmt.Sprintf("E%06d-%d", m, v), member, "2015-01-01", k%5000)
			ev.Effective = eff
			ev.Recorded = eff.Add(time.Duration(1+k%96) * time.Hour)
			switch k % 7 {
			case 0:
				ev.Name = ""
			case 1:
				ev.Kind = address.Undeliverable
				ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP = "", "", "", "", ""
			}
			evs = append(evs, ev)
			if k%5 != 0 { // else the next version is on the same day
				eff = eff.AddDate(0, 0, 30+int(k%900))
			}
		}
	}
	return evs
}

func checkAccount(t *testing.T, rep *pgsync.ApplyReport) {
	t.Helper()
	if sum := rep.Applied + rep.Skipped + rep.Conflicts + rep.Bad; sum != rep.Read {
		t.Errorf("report does not add up: read %d != applied %d + skipped %d + conflicts %d + bad %d",
			rep.Read, rep.Applied, rep.Skipped, rep.Conflicts, rep.Bad)
	}
}

func TestApplyOrderDoesNotMatter(t *testing.T) {
	evs := world(200, 1)
	ref := filepath.Join(t.TempDir(), "ref.db")
	s := mustOpenPath(t, ref)
	rep := mustApply(t, s, evs, pgsync.ApplyOptions{})
	checkAccount(t, rep)
	if rep.Applied != len(evs) || rep.Suspicion != nil {
		t.Fatalf("first load: %+v", rep)
	}
	want := histories(t, s)
	wantDump := dump(t, ref)

	// Sanity: the histories are ordered, and names carry forward.
	for _, h := range want {
		if !slices.IsSortedFunc(h.Versions, func(a, b address.Version) int {
			return stdcmp.Or(a.Effective.Compare(b.Effective), a.Recorded.Compare(b.Recorded), strings.Compare(a.EventID, b.EventID))
		}) {
			t.Fatalf("%s: versions out of order", h.MemberID)
		}
	}

	tests := []struct {
		name  string
		feeds [][]pgsync.Event
		chunk int
	}{
		{"reversed", [][]pgsync.Event{reversed(evs)}, 0},
		{"shuffled, in small chunks", [][]pgsync.Event{shuffled(evs, 7)}, 13},
		{"shuffled, every event twice", [][]pgsync.Event{shuffled(append(slices.Clone(evs), evs...), 8)}, 0},
		{"three feeds, overlapping, newest first", [][]pgsync.Event{evs[len(evs)/2:], evs[len(evs)/3:], evs}, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			s := mustOpenPath(t, path)
			for _, feed := range tt.feeds {
				rep := mustApply(t, s, feed, pgsync.ApplyOptions{ChunkSize: tt.chunk, Override: true})
				checkAccount(t, rep)
				if rep.Conflicts != 0 || rep.Bad != 0 {
					t.Fatalf("report: %+v", rep)
				}
			}
			diffHistories(t, want, histories(t, s))
			if d := cmp.Diff(wantDump, dump(t, path)); d != "" {
				t.Errorf("store mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestHistoryRules(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	at := func(ev pgsync.Event, eff, rec string) pgsync.Event {
		ev.Effective, ev.Recorded = ts(eff), ts(rec)
		return ev
	}
	named := func(ev pgsync.Event, name string) pgsync.Event { ev.Name = name; return ev }
	undeliverable := pgsync.Event{ID: "u1", MemberID: "M1", Kind: address.Undeliverable, Line1: "ignored", Effective: day("2023-06-01"), Recorded: day("2023-06-02")}

	mustApply(t, s, []pgsync.Event{
		named(move("a1", "M1", "2020-01-01", 1), "Jane Roe"),
		named(move("a3", "M1", "2022-01-01", 3), ""), // keeps the name before it
		undeliverable,
	}, pgsync.ApplyOptions{})
	// A late event, recorded long after, slots into the past and renames
	// the member from 2021 on; one effective the same day as a1 but
	// recorded later comes after it.
	mustApply(t, s, []pgsync.Event{
		named(move("a2", "M1", "2021-01-01", 2), "Jane Doe"),
		at(named(move("a0", "M1", "2020-01-01", 4), ""), "2020-01-01", "2020-01-05T12:00:00Z"),
	}, pgsync.ApplyOptions{})

	h, err := s.History(ctx, "M1")
	if err != nil {
		t.Fatal(err)
	}
	type v struct {
		ID, Name string
		Kind     address.VersionKind
		Zero     bool
	}
	var got []v
	for _, x := range h.Versions {
		got = append(got, v{x.EventID, x.Name, x.Kind, x.Address.IsZero()})
		if x.Key != x.Address.Key() {
			t.Errorf("%s: stored key %q, address key %q", x.EventID, x.Key, x.Address.Key())
		}
	}
	wantV := []v{
		{"a1", "Jane Roe", address.Moved, false},
		{"a0", "Jane Roe", address.Moved, false}, // same day as a1, recorded after it
		{"a2", "Jane Doe", address.Moved, false},
		{"a3", "Jane Doe", address.Moved, false},
		{"u1", "Jane Doe", address.Undeliverable, true},
	}
	if d := cmp.Diff(wantV, got); d != "" {
		t.Errorf("history mismatch (-want +got):\n%s", d)
	}
	want, _ := address.ParseFields(addressFields(3))
	if h.Versions[3].Address != want {
		t.Errorf("a3 address = %v, want %v", h.Versions[3].Address, want)
	}
}

func TestApplyConflicts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	mustApply(t, s, []pgsync.Event{move("e1", "M1", "2020-01-01", 1), move("e2", "M2", "2020-01-01", 2)}, pgsync.ApplyOptions{})
	before := dump(t, path)

	changed := move("e1", "M1", "2020-01-01", 9) // same id, other address
	twiceA, twiceB := move("e7", "M7", "2021-01-01", 7), move("e7", "M7", "2021-01-01", 8)
	feed := []pgsync.Event{
		move("e2", "M2", "2020-01-01", 2), // line 1: applied before, same content
		changed,                           // line 2: conflict with the store
		twiceA,                            // line 3: conflict within the feed
		move("e3", "M3", "2021-01-01", 3), // line 4
		twiceB,                            // line 5
	}
	for i := range feed {
		feed[i].Line = i + 1
	}

	// StopOnError: the first conflict, and nothing applied.
	_, err := s.Apply(ctx, seq(feed), pgsync.ApplyOptions{StopOnError: true})
	var re *pgsync.RowError
	if !errors.As(err, &re) || !errors.Is(err, pgsync.ErrConflict) || re.Line != 2 || re.EventID != "e1" {
		t.Fatalf("StopOnError: %v, want a conflict at line 2, event e1", err)
	}
	if d := cmp.Diff(before, dump(t, path)); d != "" {
		t.Fatalf("StopOnError changed the store (-before +after):\n%s", d)
	}

	rep := mustApply(t, s, feed, pgsync.ApplyOptions{})
	checkAccount(t, rep)
	if rep.Applied != 1 || rep.Skipped != 1 || rep.Conflicts != 3 {
		t.Errorf("report: applied %d skipped %d conflicts %d; want 1, 1, 3", rep.Applied, rep.Skipped, rep.Conflicts)
	}
	var got []string
	for _, e := range rep.Errors {
		if !errors.Is(e, pgsync.ErrConflict) {
			t.Errorf("unexpected error %v", e)
		}
		got = append(got, fmt.Sprintf("%d %s", e.Line, e.EventID))
		noPHI(t, e.Error(), changed.Name, changed.Line1, twiceA.Line1, twiceB.Line1)
	}
	if d := cmp.Diff([]string{"2 e1", "3 e7", "5 e7"}, got); d != "" {
		t.Errorf("conflicts mismatch (-want +got):\n%s", d)
	}
	h, _ := s.History(ctx, "M1")
	if len(h.Versions) != 1 || h.Versions[0].Key != mustKey(addressFields(1)) {
		t.Errorf("conflict changed M1's history: %+v", h)
	}
	if _, err := s.History(ctx, "M7"); !errors.Is(err, pgsync.ErrUnknownMember) {
		t.Errorf("a conflict within the feed was applied: %v", err)
	}
}

func mustKey(line1, line2, city, state, zip string) string {
	a, err := address.ParseFields(line1, line2, city, state, zip)
	if err != nil {
		panic(err)
	}
	return a.Key()
}

func TestApplyBadRows(t *testing.T) {
	ctx := context.Background()
	good := move("g1", "M1", "2020-01-01", 1)
	bads := []struct {
		ev    pgsync.Event
		field string
		id    string
		err   error
	}{
		{pgsync.Event{MemberID: "M2", Effective: day("2020-01-01"), Recorded: day("2020-01-01")}, "event_id", "", pgsync.ErrMissing},
		{pgsync.Event{ID: "Jane Roe", MemberID: "M2", Effective: day("2020-01-01"), Recorded: day("2020-01-01")}, "event_id", "", pgsync.ErrInvalidID},
		{pgsync.Event{ID: "b3", Effective: day("2020-01-01"), Recorded: day("2020-01-01")}, "member_id", "b3", pgsync.ErrMissing},
		{pgsync.Event{ID: "b4", MemberID: "M2", Recorded: day("2020-01-01")}, "effective", "b4", pgsync.ErrMissing},
		{pgsync.Event{ID: "b5", MemberID: "M2", Effective: day("2020-01-01")}, "recorded", "b5", pgsync.ErrMissing},
		{pgsync.Event{ID: "b6", MemberID: "M2", Effective: day("2020-01-01"), Recorded: day("3000-01-01")}, "recorded", "b6", pgsync.ErrInvalidTime},
		{pgsync.Event{ID: "b7", MemberID: "M2", Effective: day("2020-01-01"), Recorded: day("2020-01-01"), Kind: 9}, "kind", "b7", pgsync.ErrInvalidKind},
		{pgsync.Event{ID: "b8", MemberID: "M2", Effective: day("2020-01-01"), Recorded: day("2020-01-01"), Name: "Jane\x00Roe"}, "name", "b8", pgsync.ErrInvalidName},
		{pgsync.Event{ID: "b9", MemberID: "M2", Effective: day("2020-01-01"), Recorded: day("2020-01-01"), Name: "Jane Roe",
			Line1: "742 Evergreen Terrace", City: "Springfield", State: "IL", ZIP: "627"}, "zip", "b9", address.ErrInvalidZIP},
		{pgsync.Event{ID: "b10", MemberID: "M2", Effective: day("2020-01-01"), Recorded: day("2020-01-01"), Name: "Jane Roe",
			Line1: "Evergreen Terrace", City: "Springfield", State: "IL", ZIP: "62704"}, "line1", "b10", address.ErrNoNumber},
	}
	var feed []pgsync.Event
	for i, b := range bads {
		b.ev.Line = 10 + i
		feed = append(feed, b.ev)
	}
	good.Line = 99
	feed = append(feed, good)

	t.Run("StopOnError", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "store.db")
		s := mustOpenPath(t, path)
		before := dump(t, path)
		rep, err := s.Apply(ctx, seq(feed), pgsync.ApplyOptions{StopOnError: true})
		var re *pgsync.RowError
		if !errors.As(err, &re) || re.Line != 10 {
			t.Fatalf("Apply: %v, want the row error at line 10", err)
		}
		if rep.Applied != 0 || rep.Bad != 1 {
			t.Errorf("report: %+v", rep)
		}
		if d := cmp.Diff(before, dump(t, path)); d != "" {
			t.Errorf("store changed (-before +after):\n%s", d)
		}
	})
	t.Run("collect", func(t *testing.T) {
		s := MustOpen(t)
		rep := mustApply(t, s, feed, pgsync.ApplyOptions{})
		checkAccount(t, rep)
		if rep.Applied != 1 || rep.Bad != len(bads) {
			t.Errorf("applied %d, bad %d; want 1, %d", rep.Applied, rep.Bad, len(bads))
		}
		if rep.Errors.Err() == nil || len(rep.Errors) != len(bads) {
			t.Fatalf("Errors: %v", rep.Errors)
		}
		for i, b := range bads {
			e := rep.Errors[i]
			if e.Line != 10+i || e.Field != b.field || e.EventID != b.id || !errors.Is(e, b.err) {
				t.Errorf("error %d: {line %d field %q event %q: %v}, want {line %d field %q event %q: %v}",
					i, e.Line, e.Field, e.EventID, e.Err, 10+i, b.field, b.id, b.err)
			}
			noPHI(t, e.Error(), "Jane", "Roe", "Evergreen", "Terrace", "Springfield", "62704", "627")
		}
		if _, err := s.History(ctx, "M2"); !errors.Is(err, pgsync.ErrUnknownMember) {
			t.Errorf("a bad row was applied: %v", err)
		}
		if _, err := s.History(ctx, "M1"); err != nil {
			t.Errorf("the good row was not applied: %v", err)
		}
	})
	t.Run("clean feed", func(t *testing.T) {
		rep := mustApply(t, MustOpen(t), []pgsync.Event{good}, pgsync.ApplyOptions{})
		if err := rep.Errors.Err(); err != nil {
			t.Errorf("Errors.Err() = %v, want nil", err)
		}
	})
}

// failing yields events, then an error that is not a row error.
func failing(evs []pgsync.Event, err error) iter.Seq2[pgsync.Event, error] {
	return func(yield func(pgsync.Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
		yield(pgsync.Event{}, err)
	}
}

func TestApplyFeedFailsOrIsCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	before := dump(t, path)
	boom := errors.New("connection reset")
	evs := world(100, 3)
	if _, err := s.Apply(context.Background(), failing(evs, boom), pgsync.ApplyOptions{ChunkSize: 10}); !errors.Is(err, boom) {
		t.Errorf("Apply: %v, want %v", err, boom)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Apply(ctx, seq(evs), pgsync.ApplyOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with a cancelled context: %v", err)
	}
	// Canceled while the feed is read, in its first batch of rows or after
	// several: nothing of what was read is applied.
	for _, at := range []int{100, 5000} {
		ctx, cancel := context.WithCancel(context.Background())
		evs := world(3000, 4)
		midway := func(yield func(pgsync.Event, error) bool) {
			for i, ev := range evs {
				if i == at {
					cancel()
				}
				if !yield(ev, nil) {
					return
				}
			}
		}
		if _, err := s.Apply(ctx, midway, pgsync.ApplyOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("Apply canceled after %d of %d events: %v", at, len(evs), err)
		}
		cancel()
	}
	if d := cmp.Diff(before, dump(t, path)); d != "" {
		t.Errorf("store changed (-before +after):\n%s", d)
	}
	// The store is usable afterwards.
	rep := mustApply(t, s, evs, pgsync.ApplyOptions{})
	if rep.Applied != len(evs) {
		t.Errorf("applied %d of %d", rep.Applied, len(evs))
	}
}

// A plan's store for the suspicion tests: n members, each at address A
// from 2020 and address B from 2022.
func planStore(t *testing.T, n int) (*pgsync.Store, string) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	var evs []pgsync.Event
	for m := range n {
		id := fmt.Sprintf("M%05d", m)
		evs = append(evs, move(id+"-A", id, "2020-03-01", uint64(2*m)), move(id+"-B", id, "2022-03-01", uint64(2*m+1)))
	}
	rep := mustApply(t, s, evs, pgsync.ApplyOptions{})
	if rep.Suspicion != nil {
		t.Fatalf("a first load into an empty store was measured: %+v", rep.Suspicion)
	}
	return s, path
}

// reverts sets members lo..hi-1 back to address A on the day eff.
func reverts(lo, hi int, eff string) []pgsync.Event {
	var evs []pgsync.Event
	for m := lo; m < hi; m++ {
		id := fmt.Sprintf("M%05d", m)
		evs = append(evs, move(id+"-R"+eff, id, eff, uint64(2*m)))
	}
	return evs
}

// moves moves members lo..hi-1 to new addresses on the day eff.
func moves(lo, hi int, eff string) []pgsync.Event {
	var evs []pgsync.Event
	for m := lo; m < hi; m++ {
		id := fmt.Sprintf("M%05d", m)
		evs = append(evs, move(id+"-N"+eff, id, eff, uint64(1_000_000+m)))
	}
	return evs
}

func TestSuspiciousFeed(t *testing.T) {
	ctx := context.Background()
	const members = 2000

	t.Run("2019: 15% reverted is held, then overridden", func(t *testing.T) {
		s, path := planStore(t, members)
		before := dump(t, path)
		feed := append(reverts(0, 300, "2024-05-01"), moves(1000, 1010, "2024-05-01")...)
		rep, err := s.Apply(ctx, seq(shuffled(feed, 1)), pgsync.ApplyOptions{})
		if !errors.Is(err, pgsync.ErrSuspiciousFeed) {
			t.Fatalf("Apply: %v, want ErrSuspiciousFeed", err)
		}
		var sr *pgsync.SuspicionReport
		if !errors.As(err, &sr) || sr != rep.Suspicion {
			t.Fatalf("error %T is not the report's *SuspicionReport", err)
		}
		wantEx := make([]string, pgsync.MaxExamples)
		for i := range wantEx {
			wantEx[i] = fmt.Sprintf("M%05d", i)
		}
		want := &pgsync.SuspicionReport{Members: members, Changed: 310, Reverted: 300, ChangedShare: 0.155, RevertedShare: 0.15,
			Suspicious: true, Examples: wantEx, Thresholds: pgsync.Thresholds{RevertShare: 0.02, RevertMin: 100, ChangeShare: 0.10, ChangeMin: 1000}}
		if d := cmp.Diff(want, sr); d != "" {
			t.Errorf("report mismatch (-want +got):\n%s", d)
		}
		noPHI(t, err.Error(), feed[0].Name, feed[0].Line1, feed[0].City)
		if rep.Applied != 0 {
			t.Errorf("applied %d", rep.Applied)
		}
		if d := cmp.Diff(before, dump(t, path)); d != "" {
			t.Errorf("a held feed changed the store (-before +after):\n%s", d)
		}

		rep, err = s.Apply(ctx, seq(feed), pgsync.ApplyOptions{Override: true})
		if err != nil || rep.Applied != len(feed) || rep.Suspicion == nil || !rep.Suspicion.Suspicious {
			t.Fatalf("Override: %+v, %v", rep, err)
		}
		h, _ := s.History(ctx, "M00007")
		if last := h.Versions[len(h.Versions)-1]; last.Key != h.Versions[0].Key {
			t.Errorf("M00007 was not reverted: %+v", h)
		}
		// Applying it again is not suspicious: nothing new.
		rep, err = s.Apply(ctx, seq(feed), pgsync.ApplyOptions{})
		if err != nil || rep.Skipped != len(feed) || rep.Suspicion != nil {
			t.Errorf("re-apply: %+v, %v", rep, err)
		}
	})

	t.Run("a normal day: 1% moves", func(t *testing.T) {
		s, _ := planStore(t, members)
		feed := append(moves(0, 20, "2024-05-01"), reverts(100, 102, "2024-05-01")...)
		// A late event: a former address, effective before the current
		// one, changes nothing now.
		feed = append(feed, move("late", "M00500", "2021-01-01", 77))
		rep, err := s.Apply(ctx, seq(feed), pgsync.ApplyOptions{})
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if r := rep.Suspicion; r == nil || r.Suspicious || r.Changed != 22 || r.Reverted != 2 {
			t.Errorf("suspicion: %+v", r)
		}
		if rep.Applied != len(feed) {
			t.Errorf("applied %d of %d", rep.Applied, len(feed))
		}
	})

	t.Run("new members are not changes", func(t *testing.T) {
		s, _ := planStore(t, 200)
		var feed []pgsync.Event
		for m := range 5000 {
			feed = append(feed, move(fmt.Sprintf("N%d", m), fmt.Sprintf("N%05d", m), "2024-01-01", uint64(m)))
		}
		if _, err := s.Apply(ctx, seq(feed), pgsync.ApplyOptions{}); err != nil {
			t.Errorf("Apply: %v", err)
		}
	})

	// A revert is measured where it takes effect: now, whatever the feed
	// or the store says of a later day.
	t.Run("a revert now, the current address restated for later", func(t *testing.T) {
		s, _ := planStore(t, members)
		s.Now = func() time.Time { return day("2024-06-01") }
		feed := reverts(0, 300, "2024-05-01")
		for m := range 300 {
			id := fmt.Sprintf("M%05d", m)
			feed = append(feed, move(id+"-B-again", id, "2027-01-01", uint64(2*m+1))) // address B, later
		}
		rep, err := s.Apply(ctx, seq(feed), pgsync.ApplyOptions{})
		if !errors.Is(err, pgsync.ErrSuspiciousFeed) || rep.Suspicion.Reverted != 300 || rep.Applied != 0 {
			t.Errorf("Apply: %v; suspicion %+v; want 300 reverted, refused", err, rep.Suspicion)
		}
	})
	t.Run("a revert now, before a move the store holds for later", func(t *testing.T) {
		s, _ := planStore(t, members)
		s.Now = func() time.Time { return day("2024-06-01") }
		if _, err := s.Apply(ctx, seq(moves(0, 300, "2025-01-01")), pgsync.ApplyOptions{Override: true}); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Apply(ctx, seq(reverts(0, 300, "2024-05-01")), pgsync.ApplyOptions{})
		if !errors.Is(err, pgsync.ErrSuspiciousFeed) || rep.Suspicion.Reverted != 300 || rep.Applied != 0 {
			t.Errorf("Apply: %v; suspicion %+v; want 300 reverted, refused", err, rep.Suspicion)
		}
	})
	t.Run("a share of NaN is its default", func(t *testing.T) {
		s, _ := planStore(t, members)
		nan := math.NaN()
		_, err := s.Apply(ctx, seq(reverts(0, 300, "2024-05-01")), pgsync.ApplyOptions{Thresholds: pgsync.Thresholds{RevertShare: nan, ChangeShare: nan}})
		if !errors.Is(err, pgsync.ErrSuspiciousFeed) {
			t.Errorf("Apply with NaN shares: %v; want the 15%% revert refused", err)
		}
	})

	t.Run("thresholds", func(t *testing.T) {
		feed := moves(0, 240, "2024-05-01") // 12% of members move: under the default minimum of 1,000
		tests := []struct {
			t       pgsync.Thresholds
			refused bool
		}{
			{pgsync.Thresholds{}, false},
			{pgsync.Thresholds{ChangeMin: 100}, true},
			{pgsync.Thresholds{ChangeMin: 100, ChangeShare: 0.2}, false},
			{pgsync.Thresholds{ChangeMin: 100, ChangeShare: -1}, false},
		}
		for _, tt := range tests {
			s, _ := planStore(t, members)
			_, err := s.Apply(ctx, seq(feed), pgsync.ApplyOptions{Thresholds: tt.t})
			if got := errors.Is(err, pgsync.ErrSuspiciousFeed); got != tt.refused || err != nil && !got {
				t.Errorf("%+v: Apply: %v, want refused %v", tt.t, err, tt.refused)
			}
		}
	})
}

func reversed[T any](xs []T) []T {
	out := slices.Clone(xs)
	slices.Reverse(out)
	return out
}
