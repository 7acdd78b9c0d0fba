// Package addresstest helps users of printgate test their own mail
// pipelines: assert that a batch has no stale recipient before it ships, and
// check that a HistorySource of their own behaves as the gate needs.
//
// It is intended to only be used in tests. It uses go-cmp to show
// differences.
package addresstest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

// Source is a HistorySource held in memory, for tests.
type Source struct {
	histories map[string]address.History
	newest    time.Time
}

var _ address.HistorySource = (*Source)(nil)

// NewSource returns a Source holding the given histories. Each history's
// versions are sorted as a store would hold them, and each version's Key is
// filled in from its Address.
func NewSource(histories ...address.History) *Source {
	s := &Source{histories: map[string]address.History{}}
	for _, h := range histories {
		h.Versions = slices.Clone(h.Versions)
		sort.SliceStable(h.Versions, func(i, j int) bool {
			a, b := h.Versions[i], h.Versions[j]
			switch {
			case !a.Effective.Equal(b.Effective):
				return a.Effective.Before(b.Effective)
			case !a.Recorded.Equal(b.Recorded):
				return a.Recorded.Before(b.Recorded)
			}
			return a.EventID < b.EventID
		})
		for i := range h.Versions {
			v := &h.Versions[i]
			if v.Key == "" && !v.Address.IsZero() {
				v.Key = v.Address.Key()
			}
			if v.Recorded.After(s.newest) {
				s.newest = v.Recorded
			}
		}
		s.histories[h.MemberID] = h
	}
	return s
}

// Histories implements address.HistorySource.
func (s *Source) Histories(ctx context.Context, ids []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) {
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				yield(address.History{}, err)
				return
			}
			if h, ok := s.histories[id]; ok && !yield(h, nil) {
				return
			}
		}
	}
}

// Newest implements address.HistorySource.
func (s *Source) Newest(context.Context) (time.Time, error) { return s.newest, nil }

// Sink is a VerdictSink that keeps every verdict in memory, for tests.
type Sink struct {
	Got     []address.Verdict // every verdict, in order
	Outcome *address.Outcome  // set by Finish
}

// Verdicts implements address.VerdictSink; it copies the pieces, which the
// gate reuses.
func (s *Sink) Verdicts(_ context.Context, vs []address.Verdict) error {
	for _, v := range vs {
		p := *v.Piece
		v.Piece = &p
		s.Got = append(s.Got, v)
	}
	return nil
}

// Finish implements address.VerdictSink.
func (s *Sink) Finish(_ context.Context, o address.Outcome) error {
	s.Outcome = &o
	return nil
}

// Check runs the gate over pieces as of asOf with its default policy and
// returns every verdict and the outcome.
func Check(src address.HistorySource, asOf time.Time, pieces []address.Piece) ([]address.Verdict, address.Outcome, error) {
	g := &address.Gate{Source: src, AsOf: asOf, HaltRate: 1}
	var sink Sink
	o, err := g.Check(context.Background(), Pieces(pieces), &sink)
	return sink.Got, o, err
}

// Pieces adapts a slice to the stream Gate.Check reads.
func Pieces(pieces []address.Piece) iter.Seq2[address.Piece, error] {
	return func(yield func(address.Piece, error) bool) {
		for _, p := range pieces {
			if !yield(p, nil) {
				return
			}
		}
	}
}

// A PieceStatus is what AssertNoStale and AssertAllCurrent report of a
// piece.
type PieceStatus struct {
	PieceID  string
	MemberID string
	Status   string
	Detail   string
}

// AssertNoStale fails the test if any of pieces, judged against src as of
// asOf (zero: now), is addressed to a member's former address. The failure
// lists the offending pieces by id, member, status and detail, as a go-cmp
// diff against no pieces. It fails too when the gate halts every batch
// against src (an [address.UnattributedSource] with events standing): any
// piece may then be going to a former address.
func AssertNoStale(tb testing.TB, src address.HistorySource, asOf time.Time, pieces []address.Piece) {
	tb.Helper()
	assertOnly(tb, src, asOf, pieces, "stale", func(s address.Status) bool { return s != address.Stale })
}

// AssertAllCurrent fails the test unless every piece is current: the gate
// would release it were it PHI. It fails too when the gate halts every
// batch against src, as AssertNoStale does.
func AssertAllCurrent(tb testing.TB, src address.HistorySource, asOf time.Time, pieces []address.Piece) {
	tb.Helper()
	assertOnly(tb, src, asOf, pieces, "not current", func(s address.Status) bool { return s == address.Current })
}

func assertOnly(tb testing.TB, src address.HistorySource, asOf time.Time, pieces []address.Piece, what string, ok func(address.Status) bool) {
	tb.Helper()
	if asOf.IsZero() {
		asOf = time.Now()
	}
	vs, out, err := Check(src, asOf, pieces)
	if err != nil {
		tb.Fatalf("addresstest: checking %d pieces: %v", len(pieces), err)
		return
	}
	if out.Halted {
		// Check never halts on the pieces' share: this is the source's.
		tb.Errorf("addresstest: the gate halts every batch against this source: %s", out.HaltReason)
		return
	}
	var bad []PieceStatus
	for _, v := range vs {
		if !ok(v.Status) {
			bad = append(bad, PieceStatus{v.Piece.ID, v.Piece.MemberID, v.Status.String(), v.Detail})
		}
	}
	if len(bad) > 0 {
		tb.Errorf("addresstest: %d of %d pieces %s (-want +got):\n%s", len(bad), len(pieces), what, cmp.Diff([]PieceStatus(nil), bad))
	}
}

// TestHistorySource checks that src behaves as the gate needs, given the
// histories it is known to hold (in any order of versions) and an id it
// does not hold. It returns an error describing every way it does not; nil
// when it conforms. Use it to test your own HistorySource:
//
//	if err := addresstest.TestHistorySource(ctx, mySource, want, "NOBODY"); err != nil {
//		t.Fatal(err)
//	}
func TestHistorySource(ctx context.Context, src address.HistorySource, want []address.History, unknown string) error {
	var errs []error
	ids := []string{unknown}
	for _, h := range want {
		ids = append(ids, h.MemberID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	byID := map[string]address.History{}
	for _, h := range NewSource(want...).histories {
		byID[h.MemberID] = h
	}
	var got []string
	for h, err := range src.Histories(ctx, ids) {
		if err != nil {
			errs = append(errs, fmt.Errorf("Histories: %w", err))
			break
		}
		got = append(got, h.MemberID)
		w, ok := byID[h.MemberID]
		if !ok {
			errs = append(errs, fmt.Errorf("Histories yielded member %s, which was not asked for or is not known", h.MemberID))
			continue
		}
		if d := cmp.Diff(w, h, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
			errs = append(errs, fmt.Errorf("history of member %s differs (-want +got):\n%s", h.MemberID, d))
		}
	}
	var wantIDs []string
	for _, id := range ids {
		if _, ok := byID[id]; ok {
			wantIDs = append(wantIDs, id)
		}
	}
	if d := cmp.Diff(wantIDs, got); d != "" {
		errs = append(errs, fmt.Errorf("Histories yielded these members, in this order (-want +got):\n%s", d))
	}
	// Stopping early must be honoured. The sequence is called directly,
	// not ranged over: a range loop would panic on a source that goes on.
	n := 0
	src.Histories(ctx, ids)(func(address.History, error) bool {
		n++
		return false
	})
	if n > 1 {
		errs = append(errs, fmt.Errorf("Histories went on after the caller stopped: %d more calls", n-1))
	}
	newest, err := src.Newest(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("Newest: %w", err))
	}
	var wantNewest time.Time
	for _, h := range want {
		for _, v := range h.Versions {
			if v.Recorded.After(wantNewest) {
				wantNewest = v.Recorded
			}
		}
	}
	if err == nil && !newest.Equal(wantNewest) {
		errs = append(errs, fmt.Errorf("Newest = %v, want %v", newest, wantNewest))
	}
	return errors.Join(errs...)
}
