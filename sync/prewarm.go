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
	"sync/atomic"
	"unsafe"
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
// is left as it is, unless it is held in small folios (below). On Linux
// the pages are read in whole 2 MiB folios, which the store's maps then
// take at a page fault each instead of one per 16 pages: on the virtual
// machine we measure on, the batch job ran in a store so read in about
// half the time it took in one whose pages came into the cache one by
// one, as a bulk load's writes or a copy of the file leave them (see the
// README's performance section). Since Linux makes a large folio only of
// pages none of which is cached, Prewarm looks at how the cache holds the
// histories (on Linux 6.7 and later, which can tell it): when a sample of
// their leaves says in small folios, it drops the 2 MiB chunks of them so
// held from the cache and reads them again, once it has seen on a few of
// them that this system reads them back in large folios, and as long as it
// goes on doing so (see readAgain). Pages that are dirty, or that a
// process maps, are not dropped and stay as they are; another process
// reading the store meanwhile reads what was dropped from disk.
//
// Prewarm returns the number of bytes of leaves it asked to be read, once
// they are read. It is advice: the store's contents and what readers see
// do not depend on it, and a store that changes meanwhile at worst makes
// it read pages it need not have.
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
	pr, err := newPageReader(f)
	if notThere(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	defer pr.close()
	cached, sample, err := leavesCached(pr, uint32(root))
	if notThere(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	// Of the sample's leaves that are cached, how many are in large folios?
	// If too few, and a few of the chunks that hold the others come back
	// in large ones when read again, read again all the histories that
	// are in small ones.
	offs := make([]int64, len(sample))
	for i, p := range sample {
		offs[i] = pageOffset(p, pr.pageSize)
	}
	recache := false
	if huge, small, ok := pr.spans.hugeShare(offs, pr.pageSize); ok && huge < prewarmHuge {
		trials := small[:min(len(small), recacheTrials)]
		recache = 2*pr.spans.refolio(trials) >= len(trials)
	}
	if cached >= prewarmResident && !recache {
		return 0, nil
	}
	leaves, err := leafPages(ctx, pr, uint32(root))
	if notThere(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgsync: prewarm: %w", err)
	}
	rs := pageRanges(leaves, prewarmGap)
	var n int64
	for _, r := range rs {
		n += int64(r.n) * int64(pr.pageSize)
	}
	if recache {
		if err := readAgain(ctx, pr, rs); err != nil {
			return 0, fmt.Errorf("pgsync: prewarm: %w", err)
		}
	}
	// Most of them were read with the level above them; asking again for
	// what is cached costs little.
	if err := readAhead(ctx, pr, rs); err != nil {
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
	// prewarmHuge: when fewer than this share of the sample's cached
	// leaves are held in 2 MiB folios, Prewarm reads the histories
	// again (see Prewarm).
	prewarmHuge = 0.9
	// recacheTrials is the most chunks of the sample's leaves that
	// Prewarm drops and reads back to see whether this system reads them
	// back in large folios: half of them must.
	recacheTrials = 8
	// recacheRound is the chunks of 2 MiB read again at a time (see
	// readAgain).
	recacheRound = 64
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
	// prewarmReaders read ranges of leaves at once: on Linux each read is
	// of whole 2 MiB folios, at once, without reading ahead further.
	// On the 12.5M store, 1.9 GB in 0.36-0.39 s with 8 or 16 of them,
	// 0.61 s with 4.
	prewarmReaders = 16
	// prewarmChunk is the most bytes asked for in one read, and how they
	// are aligned in the file: a multiple of the largest folio.
	prewarmChunk = 4 << 20
)

// A pageRange is n pages from page first, counted from 1 as SQLite counts.
type pageRange struct {
	first uint32
	n     uint32
}

// readAgain drops from the page cache the 2 MiB chunks of the pages rs
// that it holds in small folios, and reads them again, in rounds of
// recacheRound chunks: it stops after a round of which fewer than half
// came back in large folios (memory too fragmented to find 2 MiB in, as
// a long-running system's can be), so that a system that cannot give them
// does not have the chunks read from disk again by every Prewarm.
func readAgain(ctx context.Context, pr *pageReader, rs []pageRange) error {
	small := pr.spans.smallChunks(byteSpans(rs, pr.pageSize))
	for len(small) > 0 {
		round := small[:min(len(small), recacheRound)]
		small = small[len(round):]
		again := make([]pageRange, len(round))
		for i, c := range round {
			pr.spans.evict(c)
			again[i] = pageRange{first: uint32(c/int64(pr.pageSize)) + 1, n: uint32(hugePage / pr.pageSize)}
		}
		if err := readAhead(ctx, pr, again); err != nil {
			return err
		}
		if 2*pr.spans.hugeChunks(round) < len(round) {
			return nil
		}
	}
	return nil
}

// hugePage is the size of the largest folio Prewarm reads in, a PMD's
// worth on amd64 and arm64: the chunks it reads, and reads again, are of
// it and aligned to it.
const hugePage = 2 << 20

// A span is n bytes of a file from offset off.
type span struct{ off, n int64 }

// byteSpans returns the bytes of the file that the ranges of pages rs
// take, pages of pageSize bytes.
func byteSpans(rs []pageRange, pageSize int) []span {
	ss := make([]span, len(rs))
	for i, r := range rs {
		ss[i] = span{pageOffset(r.first, pageSize), int64(r.n) * int64(pageSize)}
	}
	return ss
}

// inSpans reports whether off lies in one of the sorted spans.
func inSpans(ss []span, off int64) bool {
	i, _ := slices.BinarySearchFunc(ss, off, func(s span, off int64) int {
		switch {
		case s.off+s.n <= off:
			return -1
		case s.off > off:
			return 1
		}
		return 0
	})
	return i < len(ss) && ss[i].off <= off && off < ss[i].off+ss[i].n
}

// chunksOf returns the offsets of the 2 MiB chunks of a file of size bytes
// that the sorted spans ss touch, in order.
func chunksOf(ss []span, size int64) []int64 {
	var cs []int64
	for _, s := range ss {
		for c := s.off &^ (hugePage - 1); c < s.off+s.n && c < size; c += hugePage {
			if k := len(cs); k == 0 || cs[k-1] < c {
				cs = append(cs, c)
			}
		}
	}
	return cs
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

// fileGeometry returns the page size of the SQLite file f, the bytes of
// each page that hold the B-tree (the page size less what an extension
// reserves at the end of each, header offset 20; usually all), and its
// number of pages.
func fileGeometry(f *os.File) (pageSize, usable int, pages uint32, err error) {
	var hdr [100]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return 0, 0, 0, err
	}
	if !bytes.Equal(hdr[:16], []byte("SQLite format 3\x00")) {
		return 0, 0, 0, fmt.Errorf("file header: %w", errFormat)
	}
	pageSize = int(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return 0, 0, 0, fmt.Errorf("page size %d: %w", pageSize, errFormat)
	}
	usable = pageSize - int(hdr[20])
	if usable < 480 { // the least SQLite allows
		return 0, 0, 0, fmt.Errorf("%d bytes reserved a page: %w", hdr[20], errFormat)
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, 0, err
	}
	return pageSize, usable, uint32(fi.Size() / int64(pageSize)), nil
}

// maxDepth bounds the levels of a B-tree followed: a file whose pages
// point round in a circle is not followed forever.
const maxDepth = 32

// leafPages follows the B-tree whose root page is root, reading its
// interior pages, and returns the page numbers of its leaves, sorted.
// Interior pages are read a level at a time, several at once.
func leafPages(ctx context.Context, pr *pageReader, root uint32) ([]uint32, error) {
	level, above := []uint32{root}, 1
	for range maxDepth {
		// All leaves of a B-tree are at the same depth: if the first page
		// of a level is a leaf, they all are.
		if leaf, err := pr.isLeaf(level[0]); err != nil || leaf {
			return level, err
		}
		// A level that lies among the pages it points to is read with
		// them in long reads, before its pages are read one by one from
		// the cache; any other level, page by page.
		if rs, ok := levelRanges(level, above); ok && len(level) >= walkReaders {
			if err := readAhead(ctx, pr, rs); err != nil {
				return nil, err
			}
		}
		next, err := children(ctx, pr, level)
		if err != nil {
			return nil, err
		}
		level, above = next, len(level)
	}
	return nil, fmt.Errorf("a B-tree deeper than %d levels: %w", maxDepth, errFormat)
}

// levelRanges returns the ranges of pages to read the interior pages of
// level in, above being the pages of the level above it, and whether the
// level lies among the pages it points to. The lowest interior level of a
// table written in order does, a page in about as many as its pages have
// children: its ranges, cut where pages are more than walkGap apart, then
// cover the leaves too, which are read in the same pass. It is taken to,
// when they cover between 1/walkSpread and walkSpread times the level and
// what it points to, as estimated from the fan-out of the level above.
func levelRanges(level []uint32, above int) ([]pageRange, bool) {
	rs := pageRanges(level, walkGap)
	var n int
	for _, r := range rs {
		n += int(r.n)
	}
	fanout := len(level) / max(1, above)
	want := len(level) * (1 + fanout)
	return rs, want <= walkSpread*n && n <= walkSpread*want
}

// leavesCached returns the share of the leaves of the B-tree whose root
// page is root that are in the system's page cache, estimated from
// prewarmSample leaves each reached from the root by a descent that takes
// a child at random at each level, or 0 where it cannot tell; and the
// leaves of the sample that are.
func leavesCached(pr *pageReader, root uint32) (float64, []uint32, error) {
	if pr.probe == nil {
		return 0, nil, nil
	}
	buf := pr.buffer()
	var kids, cached []uint32
	for range prewarmSample {
		p := root
		for depth := 0; ; depth++ {
			if depth == maxDepth {
				return 0, nil, fmt.Errorf("a B-tree deeper than %d levels: %w", maxDepth, errFormat)
			}
			in, err := pr.read(buf, p)
			if err != nil {
				return 0, nil, err
			}
			if leafType(buf[btreeHeader(p)]) {
				if in {
					cached = append(cached, p)
				}
				break
			}
			if kids, err = interiorChildren(kids[:0], buf, p, pr.last); err != nil {
				return 0, nil, err
			}
			p = kids[rand.IntN(len(kids))]
		}
	}
	return float64(len(cached)) / prewarmSample, cached, nil
}

// A pageReader reads single pages of a SQLite file, to follow a B-tree.
//
// Linux keeps a file read in order in its page cache in large folios, up
// to 2 MiB, each of which a map of the file (SQLite's) takes at one page
// fault and one page table entry, where a file read at random, or written,
// is kept in 4 KiB pages, a fault (and on a virtual machine a first touch)
// for every 16. But it makes a large folio only of pages none of which is
// in the cache yet: a page read alone before the long reads would split
// its 2 MiB into small ones. So a page that is not in the cache is read
// around it (O_DIRECT), where the system can tell and do that; one that
// is, through it.
type pageReader struct {
	f        *os.File
	pageSize int
	usable   int         // the bytes of a page that hold the B-tree
	last     uint32      // the number of pages of the file
	probe    *cacheProbe // nil where the system cannot tell what is cached
	direct   *os.File    // the file opened to read around the cache, or nil
	spans    *spanReader // reads ranges of the file ahead (readAhead)
	// noDirect is set when a read around the cache failed: a page size
	// or offset the device cannot read so. Pages are then read through it.
	noDirect atomic.Bool
}

// newPageReader returns a pageReader of the SQLite file f, which stays
// f's.
func newPageReader(f *os.File) (*pageReader, error) {
	pageSize, usable, last, err := fileGeometry(f)
	if err != nil {
		return nil, err
	}
	spans, err := newSpanReader(f)
	if err != nil {
		return nil, err
	}
	pr := &pageReader{f: f, pageSize: pageSize, usable: usable, last: last, spans: spans}
	if probe, ok := newCacheProbe(f, pageSize); ok {
		pr.probe = probe
		pr.direct = openDirect(f.Name())
	}
	return pr, nil
}

func (pr *pageReader) close() {
	pr.spans.close()
	if pr.probe != nil {
		pr.probe.close()
	}
	if pr.direct != nil {
		pr.direct.Close()
	}
}

// directAlign is the alignment of memory that reads around the cache ask
// for on any device: at most the system's page.
const directAlign = 4096

// buffer returns a buffer for a page, aligned for reads around the cache.
func (pr *pageReader) buffer() []byte {
	b := make([]byte, pr.pageSize+directAlign)
	skip := (directAlign - int(uintptr(unsafe.Pointer(&b[0]))%directAlign)) % directAlign
	return b[skip : skip+pr.pageSize : skip+pr.pageSize]
}

// read reads page p into buf, from buffer, and reports whether it was in
// the cache (false where the system cannot tell).
func (pr *pageReader) read(buf []byte, p uint32) (cached bool, err error) {
	off := pageOffset(p, pr.pageSize)
	if pr.probe != nil {
		in, ok := pr.probe.cached(p)
		if ok && !in && pr.direct != nil && !pr.noDirect.Load() {
			if _, err := pr.direct.ReadAt(buf, off); err == nil {
				return false, nil
			}
			pr.noDirect.Store(true)
		}
		cached = in && ok
	}
	if _, err := pr.f.ReadAt(buf, off); err != nil {
		return false, fmt.Errorf("page %d: %w", p, err)
	}
	return cached, nil
}

// isLeaf reports whether page p is a leaf of a B-tree, and an error if it
// is no B-tree page.
func (pr *pageReader) isLeaf(p uint32) (bool, error) {
	buf := pr.buffer()
	if _, err := pr.read(buf, p); err != nil {
		return false, err
	}
	switch t := buf[btreeHeader(p)]; {
	case leafType(t):
		return true, nil
	case interiorType(t):
		return false, nil
	}
	return false, fmt.Errorf("page %d: %w", p, errFormat)
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

// leafType and interiorType tell a B-tree page's type from the first byte
// of its header: 10 and 13 are index and table leaves, 2 and 5 interior
// pages.
func leafType(t byte) bool     { return t == 10 || t == 13 }
func interiorType(t byte) bool { return t == 2 || t == 5 }

// children reads the interior pages of one level and returns the pages
// they point to, sorted and distinct.
func children(ctx context.Context, pr *pageReader, level []uint32) ([]uint32, error) {
	slices.Sort(level)
	var (
		mu   gosync.Mutex
		out  []uint32
		errs = make([]error, walkReaders)
		wg   gosync.WaitGroup
	)
	for g := range walkReaders {
		wg.Go(func() {
			buf := pr.buffer()
			var mine []uint32
			for i := g; i < len(level); i += walkReaders {
				if err := ctx.Err(); err != nil {
					errs[g] = err
					return
				}
				p := level[i]
				if _, err := pr.read(buf, p); err != nil {
					errs[g] = err
					return
				}
				var err error
				if mine, err = interiorChildren(mine, buf, p, pr.last); err != nil {
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

// readAhead has the ranges of pages rs, sorted and apart, of pr's file
// read into the system's cache, by pr.spans: prewarmReaders spans of them at
// once, each of at most prewarmChunk bytes and within one prewarmChunk of
// the file, so that what is read is whole large folios (see pageReader).
func readAhead(ctx context.Context, pr *pageReader, rs []pageRange) error {
	var spans []span
	for _, s := range byteSpans(rs, pr.pageSize) {
		for off, end := s.off, s.off+s.n; off < end; {
			next := min(end, (off/prewarmChunk+1)*prewarmChunk)
			spans = append(spans, span{off, next - off})
			off = next
		}
	}
	errs := make([]error, prewarmReaders)
	var wg gosync.WaitGroup
	for g := range prewarmReaders {
		wg.Go(func() {
			for i := g; i < len(spans); i += prewarmReaders {
				if err := ctx.Err(); err != nil {
					errs[g] = err
					return
				}
				if err := pr.spans.read(spans[i].off, spans[i].n); err != nil {
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
