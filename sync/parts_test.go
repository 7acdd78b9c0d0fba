package sync

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mattn/go-sqlite3"

	"github.com/printgate/printgate/address"
)

// TestPivots: the pivots cut the members of a store of several levels into
// ranges of about as many members each (the members are all of one size),
// and a store too small to cut, or empty, has none.
func TestPivots(t *testing.T) {
	ctx := context.Background()
	const members = 20_000
	s := openStore(t, prewarmStore(t, members))
	for n := 2; n <= maxReadParts; n++ {
		pivots := s.pivots(ctx, n)
		if len(pivots) != n-1 || !slices.IsSorted(pivots) {
			t.Fatalf("%d parts: pivots %q, want %d ascending", n, pivots, n-1)
		}
		lo := "M000000"
		for i, p := range append(pivots, fmt.Sprintf("M%06d", members)) {
			var got int
			if err := s.r.QueryRowContext(ctx, "SELECT count(DISTINCT member_id) FROM versions WHERE member_id >= ?1 AND member_id < ?2", lo, p).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := members / n; got < want*3/4 || got > want*5/4 {
				t.Errorf("%d parts: part %d [%s, %s) holds %d members, want about %d", n, i, lo, p, got, want)
			}
			lo = p
		}
	}
	if p := s.pivots(ctx, 1); p != nil {
		t.Errorf("one part: pivots %q", p)
	}

	if p := openStore(t, prewarmStore(t, 20)).pivots(ctx, 2); p != nil {
		t.Errorf("a store of one page: pivots %q", p)
	}
	if p := openStore(t, filepath.Join(t.TempDir(), "empty.db")).pivots(ctx, 2); p != nil {
		t.Errorf("an empty store: pivots %q", p)
	}
}

// TestHistoriesInParts: read in parts, at every number of parts and with
// windows of several sizes, the histories are those read in one transaction,
// in id order, for ids within and across the parts' ranges, members the
// store does not know among them; and a caller that stops early gets no
// more.
func TestHistoriesInParts(t *testing.T) {
	ctx := context.Background()
	const members = 20_000
	s := openStore(t, prewarmStore(t, members))
	var ids []string
	for m := 0; m < members+200; m += 7 {
		ids = append(ids, fmt.Sprintf("M%06d", m)) // the last few unknown
	}
	var want []address.History
	if err := s.readRaw(ctx, func(c *sqlite3.SQLiteConn) error {
		st, err := c.PrepareContext(ctx, historiesQuery)
		if err != nil {
			return err
		}
		defer st.Close()
		return readHistories(ctx, st, ids, func(h address.History) bool {
			want = append(want, h)
			return true
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) != (members+6)/7 {
		t.Fatalf("%d histories read in one transaction, want %d", len(want), (members+6)/7)
	}
	for n := 2; n <= maxReadParts; n++ {
		pivots := s.pivots(ctx, n)
		parts := make([]readPart, n)
		for _, window := range []int{37, 1000, len(ids)} {
			var got []address.History
			ok := s.historiesIn(ctx, ids, pivots, parts, window, func(h address.History, err error) bool {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, h)
				return true
			})
			if !ok {
				t.Fatalf("%d parts, windows of %d: stopped", n, window)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("%d parts, windows of %d: histories (-one transaction +parts):\n%s", n, window, d)
			}
			stopped := 0
			ok = s.historiesIn(ctx, ids, pivots, parts, window, func(address.History, error) bool {
				stopped++
				return stopped < 10
			})
			if ok || stopped != 10 {
				t.Fatalf("%d parts, windows of %d: a caller stopping at 10 got %d (ok %v)", n, window, stopped, ok)
			}
		}
		for i := range parts {
			parts[i].discard()
		}
	}

	// Through Histories (in parts where there is more than one CPU),
	// after an apply that added members at both ends of the key range.
	s.split(ctx)
	more := []Event{
		{ID: "X1", MemberID: "A1", Effective: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Name: "Pat Doe", Line1: "1 MAIN ST", City: "SPRINGFIELD", State: "IL", ZIP: "62701"},
		{ID: "X2", MemberID: "Z1", Effective: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Name: "Pat Doe", Line1: "2 MAIN ST", City: "SPRINGFIELD", State: "IL", ZIP: "62701"},
	}
	for i := range more {
		more[i].Recorded = more[i].Effective
	}
	feed := func(yield func(Event, error) bool) {
		for _, ev := range more {
			if !yield(ev, nil) {
				return
			}
		}
	}
	if _, err := s.Apply(ctx, feed, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	all := append(append([]string{"A1"}, ids...), "Z1")
	var got []string
	for h, err := range s.Histories(ctx, all) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.MemberID)
	}
	wantIDs := []string{"A1"}
	for _, h := range want {
		wantIDs = append(wantIDs, h.MemberID)
	}
	wantIDs = append(wantIDs, "Z1")
	if d := cmp.Diff(wantIDs, got); d != "" {
		t.Errorf("members read after an apply (-want +got):\n%s", d)
	}
}

// TestHistoriesInPartsConcurrently: calls at once on the same parts, as
// the gate's fetchers make them, each get their own histories (and, under
// -race, share nothing unguarded).
func TestHistoriesInPartsConcurrently(t *testing.T) {
	ctx := context.Background()
	const members = 20_000
	s := openStore(t, prewarmStore(t, members))
	pivots := s.pivots(ctx, 3)
	if len(pivots) != 2 {
		t.Fatalf("pivots %q, want 2", pivots)
	}
	parts := make([]readPart, 3)
	defer func() {
		for i := range parts {
			parts[i].discard()
		}
	}()
	const callers = 4
	errs := make(chan error, callers)
	for g := range callers {
		go func() {
			var ids []string
			for m := g; m < members; m += 5 * callers {
				ids = append(ids, fmt.Sprintf("M%06d", m))
			}
			var got []string
			for range 3 {
				got = got[:0]
				s.historiesInParts(ctx, ids, pivots, parts, func(h address.History, err error) bool {
					if err != nil {
						t.Error(err)
						return false
					}
					got = append(got, h.MemberID)
					return true
				})
				if d := cmp.Diff(ids, got); d != "" {
					errs <- fmt.Errorf("caller %d: members (-asked +got):\n%s", g, d)
					return
				}
			}
			errs <- nil
		}()
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestHistoriesWhilePoolIsHeld: a caller holding every connection of the
// read pool (here, iterations of Members paused mid-way) still reads
// histories in parts: the parts' connections are not the pool's.
func TestHistoriesWhilePoolIsHeld(t *testing.T) {
	ctx := context.Background()
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one CPU: Histories reads in one part, from the pool")
	}
	// The pool is held before the first call in parts, which reads the
	// pivots too.
	s := openStore(t, prewarmStore(t, 20_000))
	holders := max(4, runtime.GOMAXPROCS(0)) // the pool's size, as Open sets it
	held, release := make(chan struct{}), make(chan struct{})
	var wg gosync.WaitGroup
	for range holders {
		wg.Go(func() {
			for _, err := range s.Members(ctx) {
				if err != nil {
					t.Error(err)
				}
				held <- struct{}{}
				<-release
				return
			}
		})
	}
	for range holders {
		<-held
	}
	var ids []string
	for m := 0; m < 20_000; m += 9 {
		ids = append(ids, fmt.Sprintf("M%06d", m))
	}
	done := make(chan int)
	go func() {
		n := 0
		for _, err := range s.Histories(ctx, ids) {
			if err != nil {
				t.Error(err)
			}
			n++
		}
		done <- n
	}()
	select {
	case n := <-done:
		if n != len(ids) {
			t.Errorf("%d histories for %d members", n, len(ids))
		}
	case <-time.After(30 * time.Second):
		t.Error("Histories waits for the read pool its caller holds")
	}
	close(release)
	wg.Wait()
}

// TestPartsRepivotWithEveryPartOpen: with as many parts as there can be,
// every one of them holding its connection, the pivots are read again
// after an Apply (they once waited for a connection of the parts' own
// pool, all held by the parts).
func TestPartsRepivotWithEveryPartOpen(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(maxReadParts))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := openStore(t, prewarmStore(t, 20_000))
	var ids []string
	for m := 0; m < 20_000; m += 3 {
		ids = append(ids, fmt.Sprintf("M%06d", m))
	}
	read := func() {
		t.Helper()
		n := 0
		for _, err := range s.Histories(ctx, ids) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != len(ids) {
			t.Fatalf("%d histories for %d members", n, len(ids))
		}
		if pivots, _ := s.split(ctx); len(pivots) != maxReadParts-1 {
			t.Fatalf("pivots %q, want %d", pivots, maxReadParts-1)
		}
	}
	read()
	ev := Event{ID: "X1", MemberID: "M000001", Effective: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Name: "Pat Doe",
		Line1: "9 ELM ST", City: "SPRINGFIELD", State: "IL", ZIP: "62701"}
	ev.Recorded = ev.Effective
	if _, err := s.Apply(ctx, func(yield func(Event, error) bool) { yield(ev, nil) }, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	read()
}

// openStore opens the store at path, closed when the test ends.
func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// historiesIn is historiesInParts with windows of window ids.
func (s *Store) historiesIn(ctx context.Context, ids, pivots []string, parts []readPart, window int, yield func(address.History, error) bool) bool {
	for len(ids) > 0 {
		w := ids[:min(window, len(ids))]
		ids = ids[len(w):]
		if !s.historiesInParts(ctx, w, pivots, parts, yield) {
			return false
		}
	}
	return true
}

// TestSeparators: the separators of a page are the first columns of its
// cells' keys, and a cell whose first column is not a text held on the
// page is left out.
func TestSeparators(t *testing.T) {
	page := make([]byte, 512)
	page[0] = 2
	binary.BigEndian.PutUint16(page[3:5], 3)
	cell := func(i, off int, payload ...byte) {
		binary.BigEndian.PutUint16(page[12+2*i:], uint16(off))
		binary.BigEndian.PutUint32(page[off:], 3)
		copy(page[off+4:], payload)
	}
	cell(0, 300, 7, 3, 19, 1, 'M', '0', '1', 5) // text "M01", then an integer 5
	cell(1, 340, 3, 2, 1, 9)                    // an integer first
	cell(2, 380, 6, 2, 25, 'M', '0', '2')       // a text of 6 bytes, cut short
	got, err := separators(nil, page, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"M01"}, got); d != "" {
		t.Errorf("separators (-want +got):\n%s", d)
	}
	page[0] = 10
	if _, err := separators(nil, page, 2); err == nil {
		t.Error("a leaf page: no error")
	}
	if _, err := separators(nil, page[:50], 1); err == nil {
		t.Error("page 1 shorter than the file header: no error")
	}
}

func TestSQLiteVarint(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		v    uint64
		n    int
		name string
	}{
		{[]byte{0}, 0, 1, "zero"},
		{[]byte{0x7f, 0xff}, 127, 1, "one byte"},
		{[]byte{0x81, 0x00}, 128, 2, "two bytes"},
		{[]byte{0x82, 0x80, 0x01}, 1<<15 | 1, 3, "three bytes"},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1<<64 - 1, 9, "nine bytes"},
		{[]byte{0x81}, 0, 0, "cut short"},
		{nil, 0, 0, "empty"},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0, 0, "ninth byte missing"},
	} {
		if v, n := sqliteVarint(tc.in); v != tc.v || n != tc.n {
			t.Errorf("%s: sqliteVarint(% x) = %d, %d; want %d, %d", tc.name, tc.in, v, n, tc.v, tc.n)
		}
	}
}

// FuzzSeparators: any bytes as an index interior page give texts or an
// error, never a panic.
func FuzzSeparators(f *testing.F) {
	page := make([]byte, 512)
	page[0] = 2
	binary.BigEndian.PutUint16(page[3:5], 1)
	binary.BigEndian.PutUint16(page[12:14], 400)
	binary.BigEndian.PutUint32(page[400:], 3)
	// A payload of 6 bytes: a record header of 2 bytes, a text of 3 (type 19).
	copy(page[404:], []byte{6, 2, 19, 'M', '0', '1'})
	f.Add(page, uint32(2))
	f.Add(page[:20], uint32(1))
	f.Add([]byte{2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0xff}, uint32(3))
	f.Fuzz(func(t *testing.T, page []byte, p uint32) {
		seps, err := separators(nil, page, p)
		if err != nil {
			return
		}
		for _, s := range seps {
			if len(s) > len(page) {
				t.Fatalf("a separator of %d bytes on a page of %d", len(s), len(page))
			}
		}
	})
}
