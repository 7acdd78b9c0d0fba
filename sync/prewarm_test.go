package sync

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// prewarmStore returns the path of a closed store of n members, one or
// two versions each: a B-tree of several levels.
func prewarmStore(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events := func(yield func(Event, error) bool) {
		day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for m := range n {
			for v := range 1 + m%3/2 {
				ev := Event{
					ID: fmt.Sprintf("E%06d-%d", m, v), MemberID: fmt.Sprintf("M%06d", m),
					Effective: day.AddDate(v, 0, 0), Recorded: day.AddDate(v, 0, 1),
					Name: "Pat Doe", Line1: fmt.Sprintf("%d %d ST", 1+m%9000, 1+v+m%90), City: "SPRINGFIELD", State: "IL", ZIP: "62701",
				}
				if !yield(ev, nil) {
					return
				}
			}
		}
	}
	rep, err := s.Apply(ctx, events, ApplyOptions{})
	if err != nil || rep.Bad != 0 {
		t.Fatalf("apply: %v, %d bad", err, rep.Bad)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// versionsRoot returns the root page of the versions table and the count
// of its rows.
func versionsRoot(t *testing.T, path string) (root uint32, rows int) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.r.QueryRow(`SELECT (SELECT rootpage FROM sqlite_schema WHERE name = 'versions'), (SELECT count(*) FROM versions)`).Scan(&root, &rows); err != nil {
		t.Fatal(err)
	}
	return root, rows
}

// TestLeafPages: the pages leafPages finds are leaves of the versions
// table, sorted and distinct, and hold every row of it.
func TestLeafPages(t *testing.T) {
	path := prewarmStore(t, 20_000)
	root, rows := versionsRoot(t, path)
	f, pageSize, last := openSQLite(t, path)
	leaves, err := leafPages(context.Background(), newTestPageReader(t, f), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(leaves) < 100 {
		t.Fatalf("%d leaves: want a B-tree of several levels", len(leaves))
	}
	if !sortedDistinctPages(leaves) {
		t.Fatal("leaves are not sorted and distinct")
	}
	// A B-tree of an index, as a WITHOUT ROWID table is, holds rows in its
	// interior pages too: count those, following the tree level by level.
	buf := make([]byte, pageSize)
	read := func(p uint32) []byte {
		if _, err := f.ReadAt(buf, pageOffset(p, pageSize)); err != nil {
			t.Fatal(err)
		}
		return buf
	}
	cells := 0
	level := []uint32{root}
	for read(level[0])[0] == 2 {
		var next []uint32
		for _, p := range level {
			page := read(p)
			cells += int(binary.BigEndian.Uint16(page[3:5]))
			if next, err = interiorChildren(next, page, p, last); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(next)
		level = next
	}
	if diff := cmp.Diff(level, leaves); diff != "" {
		t.Fatalf("leaves (-followed +leafPages):\n%s", diff)
	}
	for _, p := range leaves {
		page := read(p)
		if page[0] != 10 {
			t.Fatalf("page %d is of type %d, not an index leaf", p, page[0])
		}
		cells += int(binary.BigEndian.Uint16(page[3:5]))
	}
	if cells != rows {
		t.Errorf("the B-tree holds %d cells; versions has %d rows", cells, rows)
	}
}

// openSQLite opens the SQLite file at path, closed when the test ends, and
// returns its page size and number of pages.
func openSQLite(t *testing.T, path string) (f *os.File, pageSize int, pages uint32) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	pageSize, _, pages, err = fileGeometry(f)
	if err != nil {
		t.Fatal(err)
	}
	return f, pageSize, pages
}

// newTestPageReader returns a pageReader of f, closed when the test ends.
func newTestPageReader(t *testing.T, f *os.File) *pageReader {
	t.Helper()
	pr, err := newPageReader(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pr.close)
	return pr
}

func sortedDistinctPages(ps []uint32) bool {
	return slices.IsSorted(ps) && len(slices.Compact(slices.Clone(ps))) == len(ps)
}

// TestPrewarm: Prewarm reads nothing for a few lookups, reads the leaves
// of a store not in the page cache for many, nothing when they are there
// (where the system can tell), and what the store reads is the same.
func TestPrewarm(t *testing.T) {
	ctx := context.Background()
	path := prewarmStore(t, 20_000)
	skipUnlessCacheDrops(t, filepath.Dir(path))
	open := func() *Store {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := open()
	before := allHistories(t, s)
	if n, err := s.Prewarm(ctx, 19); err != nil || n != 0 {
		t.Errorf("Prewarm(19 of 20,000 members) = %d, %v; want 0, nil", n, err)
	}
	s.Close()

	// Pages a store has mapped stay in the cache: drop them with none
	// open.
	dropFromCache(path)
	s = open()
	n, err := s.Prewarm(ctx, 20_000)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); n <= 0 || n > fi.Size() {
		t.Errorf("Prewarm read %d bytes of a %d-byte file", n, fi.Size())
	}
	if runtime.GOOS == "linux" {
		if n, err := s.Prewarm(ctx, 20_000); err != nil || n != 0 {
			t.Errorf("Prewarm of a store in the page cache = %d, %v; want 0, nil", n, err)
		}
	}
	if diff := cmp.Diff(before, allHistories(t, s)); diff != "" {
		t.Errorf("histories after Prewarm (-before +after):\n%s", diff)
	}
	s.Close()

	dropFromCache(path)
	s = open()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Prewarm(cancelled, 20_000); !errors.Is(err, context.Canceled) {
		t.Errorf("Prewarm with a cancelled context: %v", err)
	}
}

// TestPageReader: a page reads the same whether it is in the page cache
// or not (read around it, where the system can), and is reported as in the
// cache only when it was.
func TestPageReader(t *testing.T) {
	path := prewarmStore(t, 2_000)
	skipUnlessCacheDrops(t, filepath.Dir(path))
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dropFromCache(path)
	f, pageSize, last := openSQLite(t, path)
	pr := newTestPageReader(t, f)
	if pr.pageSize != pageSize || pr.last != last {
		t.Fatalf("pageReader of %d pages of %d bytes; the file has %d of %d", pr.last, pr.pageSize, last, pageSize)
	}
	buf := pr.buffer()
	for _, p := range []uint32{1, 100, last / 2, last} {
		for _, pass := range []string{"first", "second"} {
			in, err := pr.read(buf, p)
			if err != nil {
				t.Fatalf("%s read of page %d: %v", pass, p, err)
			}
			if off := pageOffset(p, pageSize); !bytes.Equal(buf, want[off:off+int64(pageSize)]) {
				t.Errorf("%s read of page %d: not the page's bytes", pass, p)
			}
			// Page 1 is in the cache, and the pages after it may be: its
			// header was read to open the file. Another, read around the
			// cache, is not there after; read through it, it is.
			if pr.probe == nil || p == 1 {
				continue
			}
			if in {
				t.Errorf("%s read of page %d: reported in the cache, which was dropped", pass, p)
			}
			around := pr.direct != nil && !pr.noDirect.Load()
			if after, _ := pr.probe.cached(p); after == around {
				t.Errorf("%s read of page %d (around the cache: %v): in the cache after: %v", pass, p, around, after)
			}
		}
	}
	if _, err := pr.read(buf, last+1); err == nil {
		t.Errorf("read of page %d of %d: no error", last+1, last)
	}
}

// TestReadAhead: the ranges read ahead are in the page cache after (where
// the system tells), ranges past the end of the file are no error, and a
// cancelled context stops the reads.
func TestReadAhead(t *testing.T) {
	path := prewarmStore(t, 2_000)
	dropFromCache(path)
	f, pageSize, last := openSQLite(t, path)
	pr := newTestPageReader(t, f)
	rs := []pageRange{{2, 3}, {last / 2, 40}, {last - 1, 2}, {last + 10, 600}}
	if err := readAhead(context.Background(), pr, rs); err != nil {
		t.Fatalf("readAhead: %v", err)
	}
	if probe, ok := newCacheProbe(f, pageSize); ok {
		defer probe.close()
		for _, r := range rs[:3] {
			for p := r.first; p < r.first+r.n; p++ {
				if in, ok := probe.cached(p); ok && !in {
					t.Errorf("page %d, read ahead, is not in the page cache", p)
				}
			}
		}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := readAhead(cancelled, pr, rs); !errors.Is(err, context.Canceled) {
		t.Errorf("readAhead with a cancelled context: %v", err)
	}
}

// TestBulkLoadLeavesCache: a load that wrote most of the store does not
// leave its pages in the page cache as its writes left them: the next
// Prewarm of a large batch reads them, where the system tells what is
// cached. A small feed into the store leaves the cache as it is.
func TestBulkLoadLeavesCache(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the page cache is looked at on Linux only")
	}
	ctx := context.Background()
	path := prewarmStore(t, 20_000) // one load, then closed
	skipUnlessCacheDrops(t, filepath.Dir(path))
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Prewarm(ctx, 20_000); err != nil || n == 0 {
		t.Fatalf("Prewarm after a bulk load = %d, %v; want its histories read", n, err)
	}
	// Now in the cache: a small feed leaves it there.
	ev := Event{ID: "E-small", MemberID: "M000001", Effective: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Name: "Pat Doe",
		Line1: "9 ELM ST", City: "SPRINGFIELD", State: "IL", ZIP: "62701"}
	ev.Recorded = ev.Effective
	if rep, err := s.Apply(ctx, func(yield func(Event, error) bool) { yield(ev, nil) }, ApplyOptions{}); err != nil || rep.Applied != 1 {
		t.Fatalf("a small feed: %+v, %v", rep, err)
	}
	if n, err := s.Prewarm(ctx, 20_000); err != nil || n != 0 {
		t.Errorf("Prewarm after a small feed = %d, %v; want 0, nil: the store is in the cache", n, err)
	}
}

// TestPrewarmEmpty: an empty store has nothing to read.
func TestPrewarmEmpty(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Prewarm(context.Background(), 1_000_000); err != nil || n != 0 {
		t.Errorf("Prewarm of an empty store = %d, %v; want 0, nil", n, err)
	}
}

// TestLeafPagesDamaged: a file whose interior pages point outside it, or
// are not B-tree pages, is an error, not a panic or a loop.
func TestLeafPagesDamaged(t *testing.T) {
	path := prewarmStore(t, 20_000)
	root, _ := versionsRoot(t, path)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int(binary.BigEndian.Uint16(good[16:18]))
	at := int(pageOffset(root, pageSize))
	for name, damage := range map[string]func(page []byte){
		"not a B-tree page": func(page []byte) { page[0] = 7 },
		"child past the end": func(page []byte) {
			binary.BigEndian.PutUint32(page[8:12], 1<<30)
		},
		"itself as its child": func(page []byte) {
			// Every child of the root is the root: a cycle.
			cells := int(binary.BigEndian.Uint16(page[3:5]))
			for i := range cells {
				off := binary.BigEndian.Uint16(page[12+2*i:])
				binary.BigEndian.PutUint32(page[off:], root)
			}
			binary.BigEndian.PutUint32(page[8:12], root)
		},
		"cell pointer past the page": func(page []byte) {
			binary.BigEndian.PutUint16(page[12:14], uint16(pageSize-2))
		},
	} {
		t.Run(name, func(t *testing.T) {
			bad := slices.Clone(good)
			damage(bad[at : at+pageSize])
			p := filepath.Join(t.TempDir(), "bad.db")
			if err := os.WriteFile(p, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			f, _, _ := openSQLite(t, p)
			pr := newTestPageReader(t, f)
			if _, err := leafPages(context.Background(), pr, root); err == nil {
				t.Error("leafPages of a damaged B-tree: no error")
			}
			if _, _, err := leavesCached(pr, root); err == nil && runtime.GOOS == "linux" {
				t.Error("leavesCached of a damaged B-tree: no error")
			}
		})
	}
}

// FuzzInteriorChildren: any bytes as an interior page give children in
// the file or an error, never a panic.
func FuzzInteriorChildren(f *testing.F) {
	page := make([]byte, 512)
	page[0] = 2
	binary.BigEndian.PutUint16(page[3:5], 1)
	binary.BigEndian.PutUint16(page[12:14], 400)
	binary.BigEndian.PutUint32(page[400:], 3)
	binary.BigEndian.PutUint32(page[8:12], 4)
	f.Add(page, uint32(2), uint32(10))
	f.Add(page[:20], uint32(1), uint32(10))
	f.Add([]byte{5, 0, 0, 255, 255}, uint32(7), uint32(1))
	f.Fuzz(func(t *testing.T, page []byte, p, last uint32) {
		kids, err := interiorChildren(nil, page, p, last)
		if err != nil {
			return
		}
		for _, c := range kids {
			if c < 1 || c > last {
				t.Fatalf("child %d of a file of %d pages", c, last)
			}
		}
	})
}

func allHistories(t *testing.T, s *Store) []string {
	t.Helper()
	var ids []string
	for id, err := range s.Members(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var out []string
	for h, err := range s.Histories(context.Background(), ids) {
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range h.Versions {
			out = append(out, fmt.Sprintf("%s %v %v %s", h.MemberID, v.Effective, v.Recorded, v.Address.Key()))
		}
	}
	return out
}

// TestPrewarmWAL: a store whose pages are still in the write-ahead log,
// not yet in the file, has nothing to read ahead, and that is no error.
func TestPrewarmWAL(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ev := Event{ID: "E1", MemberID: "M1", Effective: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Name: "Pat Doe",
		Line1: "1 MAIN ST", City: "SPRINGFIELD", State: "IL", ZIP: "62701"}
	ev.Recorded = ev.Effective
	if _, err := s.Apply(ctx, func(yield func(Event, error) bool) { yield(ev, nil) }, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prewarm(ctx, 1); err != nil {
		t.Errorf("Prewarm of a store in its write-ahead log: %v", err)
	}
}

// TestPageRanges: runs of pages, joined across gaps of at most gap pages.
func TestPageRanges(t *testing.T) {
	tests := []struct {
		pages []uint32
		gap   uint32
		want  []pageRange
	}{
		{nil, 32, nil},
		{[]uint32{7}, 32, []pageRange{{7, 1}}},
		{[]uint32{1, 2, 3, 10}, 0, []pageRange{{1, 3}, {10, 1}}},
		{[]uint32{1, 2, 3, 10}, 6, []pageRange{{1, 10}}},
		{[]uint32{1, 2, 3, 10}, 5, []pageRange{{1, 3}, {10, 1}}},
		{[]uint32{5, 40, 74, 200}, 34, []pageRange{{5, 70}, {200, 1}}},
	}
	for _, tc := range tests {
		if got := pageRanges(tc.pages, tc.gap); !slices.Equal(got, tc.want) {
			t.Errorf("pageRanges(%v, %d) = %v, want %v", tc.pages, tc.gap, got, tc.want)
		}
	}
}

// TestLevelRanges: a level that lies among what it points to is read in
// long runs with it; one spread among other pages is not.
func TestLevelRanges(t *testing.T) {
	every := func(n, step, from uint32) []uint32 {
		var ps []uint32
		for i := range n {
			ps = append(ps, from+i*step)
		}
		return ps
	}
	tests := []struct {
		name  string
		level []uint32
		above int
		want  []pageRange // nil: not among what it points to
	}{
		// 300 pages 34 apart, each with 33 leaves after it: one run.
		{"among its leaves", every(300, 34, 10), 9, []pageRange{{10, 299*34 + 1}}},
		// 300 pages 200 apart whose level above says they have 2
		// children each: the pages between are not theirs.
		{"among other pages", every(300, 200, 10), 150, nil},
		// 300 pages far apart, with 32 children each (the level above a
		// table's lowest): a run of each page alone is not read ahead.
		{"apart", every(300, 1500, 10), 9, nil},
	}
	for _, tc := range tests {
		got, ok := levelRanges(tc.level, tc.above)
		if !ok {
			got = nil
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: levelRanges = %v, %v; want %v", tc.name, got, ok, tc.want)
		}
	}
}

func TestChunksOf(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		spans []span
		size  int64
		want  []int64
	}{
		{nil, 10 * mib, nil},
		{[]span{{0, 4096}}, 10 * mib, []int64{0}},
		{[]span{{2*mib - 4096, 8192}}, 10 * mib, []int64{0, 2 * mib}},
		{[]span{{mib, mib}}, 10 * mib, []int64{0}},
		{[]span{{mib, mib}, {2 * mib, 4096}, {5 * mib, 4 * mib}}, 10 * mib, []int64{0, 2 * mib, 4 * mib, 6 * mib, 8 * mib}},
		{[]span{{3 * mib, 8 * mib}}, 5 * mib, []int64{2 * mib, 4 * mib}}, // not past the end
	}
	for _, tc := range tests {
		if got := chunksOf(tc.spans, tc.size); !slices.Equal(got, tc.want) {
			t.Errorf("chunksOf(%v, %d) = %v, want %v", tc.spans, tc.size, got, tc.want)
		}
	}
}

func TestInSpans(t *testing.T) {
	ss := []span{{0, 10}, {20, 5}, {100, 1}}
	for off, want := range map[int64]bool{0: true, 9: true, 10: false, 19: false, 20: true, 24: true, 25: false, 99: false, 100: true, 101: false, -1: false} {
		if got := inSpans(ss, off); got != want {
			t.Errorf("inSpans(%v, %d) = %v, want %v", ss, off, got, want)
		}
	}
	if inSpans(nil, 0) {
		t.Error("inSpans(nil, 0) = true")
	}
}
