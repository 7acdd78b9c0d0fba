package sync

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	gosync "sync"
)

// Prewarm asks the operating system to read the pages of the store's
// address histories into its page cache, in long sequential reads, before
// a caller looks up lookups members at random. Each random lookup in a
// store that is not in the page cache waits for a read of its own: for a
// batch that touches a leaf page of the histories in three, as a batch of
// the 2019 size does in a store of 12,500,000 members, reading the whole
// table in order is several times faster. lookups is an estimate; when it
// is under one in 1,000 of the store's members, random reads cost less and
// Prewarm returns at once.
//
// Prewarm reads the pages of the histories table only, not the event log
// or the ledger, by following the table's B-tree from its root through its
// interior pages. Where the system tells which pages of a file are in its
// cache (Linux), a table whose leaves are almost all there (by a sample)
// is left as it is. Prewarm
// returns the number of bytes it asked to be read, when
// the reads have been issued (on Linux some may still be in flight). It
// is advice: the store's contents and what readers see do not depend on
// it, and a store that changes meanwhile at worst makes it read pages it
// need not have.
func (s *Store) Prewarm(ctx context.Context, lookups int) (int64, error) {
	var members int64
	var root int64
	err := s.r.QueryRowContext(ctx, `SELECT
		coalesce((SELECT value FROM meta WHERE name = 'members'), 0),
		(SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'versions')`).Scan(&members, &root)
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	if members == 0 || int64(lookups)*prewarmShare < members {
		return 0, nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	defer f.Close()
	// A page that is not where the file format says, or past the end of
	// the file, is most likely one still in the write-ahead log, not yet
	// checkpointed into the file: there is nothing, or nothing more, to
	// read ahead. SQLite itself reports a damaged store.
	notThere := func(err error) bool { return errors.Is(err, errFormat) || errors.Is(err, io.EOF) }
	pageSize, last, err := fileGeometry(f)
	if notThere(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	cached, err := leavesCached(f, uint32(root), pageSize, last)
	if notThere(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	if cached >= prewarmResident {
		return 0, nil
	}
	leaves, err := leafPages(ctx, f, uint32(root), pageSize, last)
	if notThere(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	rs := pageRanges(leaves, prewarmGap)
	var n int64
	for _, r := range rs {
		n += int64(r.n) * int64(pageSize)
	}
	if err := readAhead(ctx, f, rs, pageSize); err != nil {
		return n, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	return n, nil
}

const (
	// prewarmShare: Prewarm reads when lookups ≥ members/prewarmShare. A
	// random lookup of a cold page costs about 100 µs on the disks we
	// measured; a sequential read, about 2 µs a page.
	prewarmShare = 1000
	// prewarmSample leaves, reached from the root by random descents, are
	// looked for in the page cache; when prewarmResident of them are
	// there, Prewarm has nothing to do.
	prewarmSample   = 64
	prewarmResident = 0.95
	// prewarmGap is the most pages between two leaves that are read
	// through rather than skipped: one read costs less than two.
	prewarmGap = 32
	// walkGap and walkSpread: see levelRanges. On the 12.5M store the
	// lowest interior level is so read in the leaves' 60 long reads
	// instead of 10,413 short ones before them: 1.55-1.62 s against
	// 1.61-1.79 s for the walk and the leaves, cold, the disk at about
	// 1.1 GB/s.
	walkGap    = 256
	walkSpread = 2
	// walkReaders read interior pages at once: each read is of one page,
	// at random, and a disk serves many at once faster than one by one.
	walkReaders = 16
	// prewarmReaders read ranges of leaves at once.
	prewarmReaders = 4
	// prewarmChunk is the most bytes asked for in one read.
	prewarmChunk = 4 << 20
)

// A pageRange is n pages from page first, counted from 1 as SQLite counts.
type pageRange struct {
	first uint32
	n     uint32
}

// pageRanges returns the runs of the sorted, distinct pages, joining two
// runs with at most gap pages between them.
func pageRanges(pages []uint32, gap uint32) []pageRange {
	var rs []pageRange
	for _, p := range pages {
		if k := len(rs) - 1; k >= 0 && p-(rs[k].first+rs[k].n) <= gap {
			rs[k].n = p - rs[k].first + 1
			continue
		}
		rs = append(rs, pageRange{first: p, n: 1})
	}
	return rs
}

// errFormat reports a file or page that is not what the SQLite file format
// says it is.
var errFormat = errors.New("not as the SQLite file format has it")

// fileGeometry returns the page size of the SQLite file f and its number
// of pages.
func fileGeometry(f *os.File) (pageSize int, pages uint32, err error) {
	var hdr [100]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return 0, 0, err
	}
	if !bytes.Equal(hdr[:16], []byte("SQLite format 3\x00")) {
		return 0, 0, fmt.Errorf("file header: %w", errFormat)
	}
	pageSize = int(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return 0, 0, fmt.Errorf("page size %d: %w", pageSize, errFormat)
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return pageSize, uint32(fi.Size() / int64(pageSize)), nil
}

// maxDepth bounds the levels of a B-tree followed: a file whose pages
// point round in a circle is not followed forever.
const maxDepth = 32

// leafPages follows the B-tree whose root page is root in the SQLite file
// f, of pages pages of pageSize bytes, reading its interior pages, and
// returns the page numbers of its leaves, sorted. Interior pages are read
// a level at a time, several at once.
func leafPages(ctx context.Context, f *os.File, root uint32, pageSize int, last uint32) ([]uint32, error) {
	level, above := []uint32{root}, 1
	for range maxDepth {
		// All leaves of a B-tree are at the same depth: if the first page
		// of a level is a leaf, they all are.
		if leaf, err := isLeaf(f, level[0], pageSize); err != nil || leaf {
			return level, err
		}
		// The pages of a level lie near one another and near the pages
		// they point to, which were written at about the same time: read
		// them in long reads, with what lies between, before one by one.
		if len(level) >= walkReaders {
			if err := readAhead(ctx, f, levelRanges(level, above), pageSize); err != nil {
				return nil, err
			}
		}
		next, err := children(ctx, f, level, pageSize, last)
		if err != nil {
			return nil, err
		}
		level, above = next, len(level)
	}
	return nil, fmt.Errorf("B-tree deeper than %d levels: %w", maxDepth, errFormat)
}

// levelRanges returns the ranges of pages to read the interior pages of
// level in, above being the pages of the level above it. The lowest
// interior level of a table written in order lies among its leaves, a page
// in about as many as its pages have children: its ranges are cut where
// pages are more than walkGap apart, and so cover the leaves too, which
// are then read in the same pass. That is done when they cover no more
// than walkSpread times the level and what it points to, as estimated from
// the fan-out of the level above; otherwise, as for leaves, pages more than
// prewarmGap apart are read apart.
func levelRanges(level []uint32, above int) []pageRange {
	rs := pageRanges(level, walkGap)
	var n int
	for _, r := range rs {
		n += int(r.n)
	}
	fanout := len(level) / max(1, above)
	if n <= walkSpread*len(level)*(1+fanout) {
		return rs
	}
	return pageRanges(level, prewarmGap)
}

// leavesCached returns the share of the leaves of the B-tree whose root
// page is root that are in the system's page cache, estimated from
// prewarmSample leaves each reached from the root by a descent that takes
// a child at random at each level, or 0 where it cannot tell. A page is
// looked for in the cache before it is read, which puts it there.
func leavesCached(f *os.File, root uint32, pageSize int, last uint32) (float64, error) {
	probe, ok := newCacheProbe(f, pageSize)
	if !ok {
		return 0, nil
	}
	defer probe.close()
	buf := make([]byte, pageSize)
	var kids []uint32
	cached := 0
	for range prewarmSample {
		p := root
		for depth := 0; ; depth++ {
			if depth == maxDepth {
				return 0, fmt.Errorf("B-tree deeper than %d levels: %w", maxDepth, errFormat)
			}
			in, ok := probe.cached(p)
			if !ok {
				return 0, nil
			}
			if _, err := f.ReadAt(buf, pageOffset(p, pageSize)); err != nil {
				return 0, fmt.Errorf("page %d: %w", p, err)
			}
			if leafType(buf[btreeHeader(p)]) {
				if in {
					cached++
				}
				break
			}
			var err error
			if kids, err = interiorChildren(kids[:0], buf, p, last); err != nil {
				return 0, err
			}
			p = kids[rand.IntN(len(kids))]
		}
	}
	return float64(cached) / prewarmSample, nil
}

// pageOffset is where page p starts in the file.
func pageOffset(p uint32, pageSize int) int64 { return int64(p-1) * int64(pageSize) }

// btreeHeader returns the offset of page p's B-tree header: page 1 begins
// with the file header.
func btreeHeader(p uint32) int {
	if p == 1 {
		return 100
	}
	return 0
}

func isLeaf(f *os.File, p uint32, pageSize int) (bool, error) {
	var b [1]byte
	if _, err := f.ReadAt(b[:], pageOffset(p, pageSize)+int64(btreeHeader(p))); err != nil {
		return false, err
	}
	switch {
	case leafType(b[0]):
		return true, nil
	case interiorType(b[0]):
		return false, nil
	}
	return false, fmt.Errorf("page %d: %w", p, errFormat)
}

// leafType and interiorType tell a B-tree page's type from the first byte
// of its header: 10 and 13 are index and table leaves, 2 and 5 interior
// pages.
func leafType(t byte) bool     { return t == 10 || t == 13 }
func interiorType(t byte) bool { return t == 2 || t == 5 }

// children reads the interior pages of one level and returns the pages
// they point to, sorted and distinct.
func children(ctx context.Context, f *os.File, level []uint32, pageSize int, last uint32) ([]uint32, error) {
	slices.Sort(level)
	var (
		mu   gosync.Mutex
		out  []uint32
		errs = make([]error, walkReaders)
		wg   gosync.WaitGroup
	)
	for g := range walkReaders {
		wg.Go(func() {
			buf := make([]byte, pageSize)
			var mine []uint32
			for i := g; i < len(level); i += walkReaders {
				if err := ctx.Err(); err != nil {
					errs[g] = err
					return
				}
				p := level[i]
				if _, err := f.ReadAt(buf, pageOffset(p, pageSize)); err != nil {
					errs[g] = fmt.Errorf("page %d: %w", p, err)
					return
				}
				var err error
				if mine, err = interiorChildren(mine, buf, p, last); err != nil {
					errs[g] = err
					return
				}
			}
			mu.Lock()
			out = append(out, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// interiorChildren appends to dst the child pages of the interior page p,
// whose bytes are page: the left child of every cell, then the right-most
// pointer. Each child must be a page of the file (1 to last).
func interiorChildren(dst []uint32, page []byte, p, last uint32) ([]uint32, error) {
	child := func(c uint32) error {
		if c < 1 || c > last {
			return fmt.Errorf("page %d: child %d of %d pages: %w", p, c, last, errFormat)
		}
		dst = append(dst, c)
		return nil
	}
	h, err := eachInteriorCell(page, p, func(off int) error {
		return child(binary.BigEndian.Uint32(page[off:]))
	})
	if err != nil {
		return dst, err
	}
	return dst, child(binary.BigEndian.Uint32(h[8:12]))
}

// eachInteriorCell checks that page p, whose bytes are page, is an
// interior B-tree page, and calls f with the offset of each of its cells in
// order, each with room for its 4-byte left child; it returns the page's
// B-tree header.
func eachInteriorCell(page []byte, p uint32, f func(off int) error) ([]byte, error) {
	if len(page) < btreeHeader(p)+12 {
		return nil, fmt.Errorf("page %d: %w", p, errFormat)
	}
	h := page[btreeHeader(p):]
	if !interiorType(h[0]) {
		return nil, fmt.Errorf("page %d: %w", p, errFormat)
	}
	cells := int(binary.BigEndian.Uint16(h[3:5]))
	ptrs := h[12:]
	if len(ptrs) < 2*cells {
		return nil, fmt.Errorf("page %d: %d cells: %w", p, cells, errFormat)
	}
	for i := range cells {
		off := int(binary.BigEndian.Uint16(ptrs[2*i:]))
		if off+4 > len(page) {
			return nil, fmt.Errorf("page %d: cell %d at %d: %w", p, i, off, errFormat)
		}
		if err := f(off); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// readAhead has the ranges of pages read, prewarmReaders at a time, in
// reads of at most prewarmChunk bytes.
func readAhead(ctx context.Context, f *os.File, rs []pageRange, pageSize int) error {
	type span struct{ off, n int64 }
	var spans []span
	for _, r := range rs {
		off, end := pageOffset(r.first, pageSize), pageOffset(r.first+r.n, pageSize)
		for ; off < end; off += prewarmChunk {
			spans = append(spans, span{off, min(prewarmChunk, end-off)})
		}
	}
	errs := make([]error, prewarmReaders)
	var wg gosync.WaitGroup
	for g := range prewarmReaders {
		wg.Go(func() {
			var buf []byte
			for i := g; i < len(spans); i += prewarmReaders {
				if err := ctx.Err(); err != nil {
					errs[g] = err
					return
				}
				var err error
				if buf, err = readSpan(f, spans[i].off, spans[i].n, buf); err != nil {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}
