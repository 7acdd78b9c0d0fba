package sync

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// A Layout tells where a store's address histories lie in its file: what
// [Store.Compact] changes, and what, besides the store's size, the cost of
// the batch job's lookups depends on (see the README's performance
// section).
type Layout struct {
	// Leaves is the number of leaf pages of the histories, each PageSize
	// bytes.
	Leaves   int
	PageSize int
	// PastMap is how many of the leaves lie past MapBytes, the part of
	// the file SQLite reads through its map: each of those is read with a
	// system call and a copy into the reading connection's own cache.
	PastMap  int
	MapBytes int64
	// Spread is the number of pages from the histories' first leaf to
	// their last, over Leaves: a little over 1 when nothing but their own
	// interior pages lies among them, more as the event log, the ledger
	// and the pages of later splits come between them.
	Spread float64
	// Fill is the share of the leaves' bytes that hold histories, as
	// measured on a sample of up to 256 leaves spread through them: under
	// 1 where inserts split pages and left them part empty.
	Fill float64
}

// Compaction thresholds: a store whose histories are laid out worse than
// this by any measure gains from [Store.Compact]. A store just compacted
// has none past the map (up to about 16 million members), a spread of
// about 1.03 (its interior pages) and a fill of 0.9 or more. Histories of
// fewer than layoutMinLeaves pages (1 MiB at 4 KiB a page, some 8,000
// members) are read in a moment however they lie.
const (
	layoutMaxSpread = 1.2
	layoutMinFill   = 0.8
	layoutMinLeaves = 256
)

// ShouldCompact reports whether [Store.Compact] would lay the histories
// out better than they are, by enough to matter: when some lie past the
// map, or they are spread through the file, or their pages are far from
// full.
func (l Layout) ShouldCompact() bool {
	if l.Leaves < layoutMinLeaves {
		return false
	}
	return l.PastMap > 0 || l.Spread > layoutMaxSpread || l.Fill < layoutMinFill
}

// String describes the layout in a line, in figures only.
func (l Layout) String() string {
	return fmt.Sprintf("%d leaves of %d bytes, %d past the first %d MiB, spread %.2f, fill %.2f",
		l.Leaves, l.PageSize, l.PastMap, l.MapBytes>>20, l.Spread, l.Fill)
}

// layoutSample is the most leaves whose fill Layout reads.
const layoutSample = 256

// Layout reads where the store's histories lie in its file. It follows the
// histories' B-tree from its root through its interior pages, as
// [Store.Prewarm] does (on a store not in the page cache, that reads the
// lowest level and the leaves among it ahead), and reads a sample of the
// leaves. It reads the file, after copying into it what it can of the
// write-ahead log (a passive checkpoint, which waits for no reader): pages
// that a reader still holds in the log are read as they were, so that a
// store written to meanwhile gets an approximate answer, or an error.
func (s *Store) Layout(ctx context.Context) (Layout, error) {
	if err := s.checkpoint(ctx); err != nil {
		return Layout{}, fmt.Errorf("pgsync: layout: checkpoint: %w", err)
	}
	var root, mapBytes int64
	err := s.r.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'versions'`).Scan(&root)
	if err == nil {
		// Every reading connection asks for the same map; SQLite reports
		// what it gives, its ceiling.
		err = s.r.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&mapBytes)
	}
	if err != nil {
		return Layout{}, fmt.Errorf("pgsync: layout: %w", err)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return Layout{}, fmt.Errorf("pgsync: layout: %w", err)
	}
	defer f.Close()
	l, err := layoutOf(ctx, f, uint32(root), mapBytes)
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("a page is past the end of the file, still in the write-ahead log: %w", errFormat)
	}
	if err != nil {
		return Layout{}, fmt.Errorf("pgsync: layout: %w", err)
	}
	return l, nil
}

// layoutOf reads the layout of the B-tree whose root page is root in the
// SQLite file f, of which the first mapBytes are read through a map.
func layoutOf(ctx context.Context, f *os.File, root uint32, mapBytes int64) (Layout, error) {
	pr, err := newPageReader(f)
	if err != nil {
		return Layout{}, err
	}
	defer pr.close()
	leaves, err := leafPages(ctx, pr, root)
	if err != nil {
		return Layout{}, err
	}
	l := Layout{Leaves: len(leaves), PageSize: pr.pageSize, MapBytes: mapBytes, Spread: 1, Fill: 1}
	if len(leaves) == 0 {
		return l, nil
	}
	for _, p := range leaves {
		if pageOffset(p, pr.pageSize)+int64(pr.pageSize) > mapBytes {
			l.PastMap++
		}
	}
	l.Spread = float64(leaves[len(leaves)-1]-leaves[0]+1) / float64(len(leaves))
	buf := pr.buffer()
	n := min(len(leaves), layoutSample)
	var used, room int
	for i := range n {
		p := leaves[i*len(leaves)/n]
		if _, err := pr.read(buf, p); err != nil {
			return Layout{}, err
		}
		u, err := leafUsed(buf[:pr.usable], p)
		if err != nil {
			return Layout{}, err
		}
		used, room = used+u, room+pr.usable-btreeHeader(p)
	}
	l.Fill = float64(used) / float64(room)
	return l, nil
}

// leafUsed returns the bytes of the B-tree leaf page p, whose usable bytes
// are page, that its header, cell pointers and cells take: the rest is free
// space (the gap between the pointers and the cells, free blocks, and
// fragments).
func leafUsed(page []byte, p uint32) (int, error) {
	at := btreeHeader(p)
	if len(page) < at+8 || !leafType(page[at]) {
		return 0, fmt.Errorf("page %d: not a leaf: %w", p, errFormat)
	}
	h := page[at:]
	cells := int(binary.BigEndian.Uint16(h[3:5]))
	content := int(binary.BigEndian.Uint16(h[5:7]))
	if content == 0 {
		content = 65536
	}
	ptrEnd := at + 8 + 2*cells
	if content < ptrEnd || content > len(page) {
		return 0, fmt.Errorf("page %d: cells from %d, pointers to %d: %w", p, content, ptrEnd, errFormat)
	}
	free := content - ptrEnd + int(h[7])
	// Free blocks lie among the cells, each after the one before; a
	// chain that does not is no SQLite page's.
	for fb, prev := int(binary.BigEndian.Uint16(h[1:3])), 0; fb != 0; {
		if fb <= prev || fb < content || fb+4 > len(page) {
			return 0, fmt.Errorf("page %d: free block at %d: %w", p, fb, errFormat)
		}
		size := int(binary.BigEndian.Uint16(page[fb+2:]))
		if size < 4 || fb+size > len(page) {
			return 0, fmt.Errorf("page %d: free block of %d bytes at %d: %w", p, size, fb, errFormat)
		}
		free += size
		prev, fb = fb, int(binary.BigEndian.Uint16(page[fb:]))
	}
	used := len(page) - at - free
	if used < 0 {
		return 0, fmt.Errorf("page %d: %d bytes free: %w", p, free, errFormat)
	}
	return used, nil
}
