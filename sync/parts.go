package sync

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	gosync "sync"

	"github.com/printgate/printgate/address"
)

// Histories of many members are read in parts, by key range, each part on
// a connection of its own, at once. A connection maps the store's file into
// memory for itself, and the pages it touches first cost it a page fault
// each, however warm the system's cache: a part keeps to one range of
// member ids, and so to one region of the histories' B-tree and of the
// file, and each page of the tree is faulted in by one connection rather
// than by every one. On the batch job's 337,755-piece batch against
// 12,500,000 members, cutting in two so took the program's page faults
// from about 180,000 to 128,000, and its run from 1.83 s to 1.66 s (when it
// still read through the Store; a Snapshot's parts are cut the same way).
//
// The ranges are cut at member ids read from the top levels of the B-tree,
// so that each holds about as many of its pages. They are taken once, and
// again after the store's next Apply; a range that no longer fits the tree
// costs time, never a wrong history.

const (
	// maxReadParts bounds the parts: one per CPU, at most this many.
	maxReadParts = 4
	// splitMin is the fewest ids a call must have to be read in parts.
	splitMin = 256
	// splitWindow ids are read at a time, split in parts, before their
	// histories are yielded: what a call holds at once.
	splitWindow = 8192
	// pivotSeparators: the levels of the tree are read down to where they
	// hold this many separators per part, enough to cut even ranges.
	pivotSeparators = 16
	// pivotPages bounds the pages read for the pivots.
	pivotPages = 64
)

// readParts is the state of the read parts of a Store.
type readParts struct {
	db     *sql.DB // the parts' connections, one each, and one for the pivots: apart from the read pool
	mu     gosync.Mutex
	known  bool       // pivots are set, maybe to none
	pivots []string   // ascending: part i reads ids in [pivots[i-1], pivots[i])
	parts  []readPart // maxReadParts, created once
}

// A readPart is a connection kept for reading one range of members, with
// historiesQuery prepared on it.
type readPart struct {
	mu   gosync.Mutex
	conn *sql.Conn   // nil until first used, and after a failure
	st   driver.Stmt // on conn; nil until first used

	// A Snapshot's parts are pinned: every read is in the transaction
	// that pin began on conn, and a failure ends them for good (unless the
	// caller cancelled the read and the transaction survived it).
	pinned bool
	err    error // a pinned part's failure, or errSnapshotClosed
}

// discard closes the part's statement, and its connection rather than
// give it back to the pool: what the connection holds (a read
// transaction, a map of the file, a page cache, or the state a failure
// left) is let go of now.
func (p *readPart) discard() error {
	var errs []error
	if p.st != nil {
		errs = append(errs, p.st.Close())
	}
	if p.conn != nil {
		// A Raw function's driver.ErrBadConn has the connection closed.
		p.conn.Raw(func(any) error { return driver.ErrBadConn })
		if err := p.conn.Close(); !errors.Is(err, sql.ErrConnDone) {
			errs = append(errs, err)
		}
	}
	p.st, p.conn = nil, nil
	return errors.Join(errs...)
}

// split returns the pivots to cut a call's ids at, and the parts that read
// the ranges between them; no pivots when the store is too small to split
// or cannot be read so.
func (s *Store) split(ctx context.Context) ([]string, []readPart) {
	rp := &s.parts
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.parts == nil {
		rp.parts = make([]readPart, maxReadParts)
	}
	if !rp.known {
		rp.pivots = s.pivots(ctx, min(runtime.GOMAXPROCS(0), maxReadParts))
		// A call cancelled as the pivots were read leaves them to the next.
		rp.known = ctx.Err() == nil
	}
	return rp.pivots, rp.parts
}

// resplit has the pivots taken again before the next read in parts.
func (s *Store) resplit() {
	s.parts.mu.Lock()
	s.parts.known = false
	s.parts.mu.Unlock()
}

// closeParts closes the connections of the read parts.
func (s *Store) closeParts() error {
	s.parts.mu.Lock()
	parts := s.parts.parts
	s.parts.mu.Unlock()
	var errs []error
	for i := range parts {
		p := &parts[i]
		p.mu.Lock()
		errs = append(errs, p.discard())
		p.mu.Unlock()
	}
	if s.parts.db != nil {
		errs = append(errs, s.parts.db.Close())
	}
	return errors.Join(errs...)
}

// pivots returns n-1 member ids that cut the histories' B-tree into n
// ranges of about as many pages each, or none. It reads the tree's top
// pages from the file as Prewarm does; a page it cannot read, as one not
// yet checkpointed out of the write-ahead log, means no pivots.
func (s *Store) pivots(ctx context.Context, n int) []string {
	if n < 2 {
		return nil
	}
	var root int64
	if err := s.parts.db.QueryRowContext(ctx, "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'versions'").Scan(&root); err != nil {
		return nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil
	}
	defer f.Close()
	pageSize, _, last, err := fileGeometry(f)
	if err != nil {
		return nil
	}
	seps, err := topSeparators(f, uint32(root), pageSize, last, n*pivotSeparators)
	if err != nil || len(seps) < n*pivotSeparators/2 {
		return nil
	}
	pivots := make([]string, 0, n-1)
	for i := 1; i < n; i++ {
		pivots = append(pivots, seps[i*len(seps)/n])
	}
	return slices.Compact(pivots)
}

// topSeparators reads the interior pages of the B-tree whose root page is
// root a level at a time, from the root down, until the levels read hold
// at least want separators, or the next level is of leaves or of more
// than pivotPages pages. It returns the member ids of the separators,
// sorted and distinct. The tree is an index B-tree (a WITHOUT ROWID
// table) whose first column is the member id.
func topSeparators(f *os.File, root uint32, pageSize int, last uint32, want int) ([]string, error) {
	buf := make([]byte, pageSize)
	level := []uint32{root}
	var seps []string
	for range maxDepth {
		var next []uint32
		for _, p := range level {
			if _, err := f.ReadAt(buf, pageOffset(p, pageSize)); err != nil {
				return nil, err
			}
			if leafType(buf[btreeHeader(p)]) {
				return sortedSeparators(seps), nil
			}
			var err error
			if seps, err = separators(seps, buf, p); err != nil {
				return nil, err
			}
			if next, err = interiorChildren(next, buf, p, last); err != nil {
				return nil, err
			}
		}
		if len(seps) >= want || len(next) > pivotPages {
			return sortedSeparators(seps), nil
		}
		level = next
	}
	return nil, fmt.Errorf("a B-tree deeper than %d levels: %w", maxDepth, errFormat)
}

func sortedSeparators(seps []string) []string {
	slices.Sort(seps)
	return slices.Compact(seps)
}

// separators appends to dst the first column, a text, of the key of every
// cell of page p, an interior page of an index B-tree whose bytes are page.
// A cell whose first column is not a text held on the page is left out.
func separators(dst []string, page []byte, p uint32) ([]string, error) {
	if len(page) > btreeHeader(p) && page[btreeHeader(p)] == 5 {
		return dst, fmt.Errorf("page %d: not an index interior page: %w", p, errFormat)
	}
	_, err := eachInteriorCell(page, p, func(off int) error {
		if t, ok := firstText(page[off+4:], len(page)); ok {
			dst = append(dst, t)
		}
		return nil
	})
	return dst, err
}

// firstText returns the first column of the record in the cell payload b
// (its size, then the record), if it is a text held whole in b before any
// overflow. The payload of an index cell is on the page, up to an overflow
// pointer, when it is no larger than maxLocal.
func firstText(b []byte, pageSize int) (string, bool) {
	size, n := sqliteVarint(b)
	if n == 0 {
		return "", false
	}
	rec := b[n:]
	if maxLocal := (pageSize-12)*64/255 - 23; size > uint64(max(0, maxLocal)) {
		// Only a minimum of the payload is local; the rest overflows.
		rec = rec[:min(len(rec), max(0, (pageSize-12)*32/255-23))]
	} else {
		rec = rec[:min(len(rec), int(size))]
	}
	hdr, n1 := sqliteVarint(rec)
	if n1 == 0 || hdr > uint64(len(rec)) {
		return "", false
	}
	st, n2 := sqliteVarint(rec[n1:])
	if n2 == 0 || hdr < uint64(n1+n2) || st < 13 || st%2 == 0 {
		return "", false
	}
	body, l := hdr, (st-13)/2
	if body+l > uint64(len(rec)) {
		return "", false
	}
	return string(rec[body : body+l]), true
}

// sqliteVarint decodes SQLite's variable-length integer at the start of b:
// up to eight bytes of seven bits, high bit set but on the last, or a
// ninth of eight bits. It returns the value and its length, 0 if b ends
// first.
func sqliteVarint(b []byte) (uint64, int) {
	var v uint64
	for i := range 8 {
		if i == len(b) {
			return 0, 0
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	if len(b) < 9 {
		return 0, 0
	}
	return v<<8 | uint64(b[8]), 9
}

// historiesInParts reads the histories of ids, sorted and distinct, a
// window at a time: each window cut at the pivots, each range read by its
// part at once, and then yielded in id order. It returns false if yield
// did.
func (s *Store) historiesInParts(ctx context.Context, ids, pivots []string, parts []readPart, yield func(address.History, error) bool) bool {
	n := len(pivots) + 1
	res := make([][]address.History, n)
	errs := make([]error, n)
	for len(ids) > 0 {
		window := ids[:min(len(ids), splitWindow)]
		ids = ids[len(window):]
		var wg gosync.WaitGroup
		for i := range n {
			lo, hi := 0, len(window)
			if i > 0 {
				lo, _ = slices.BinarySearch(window, pivots[i-1])
			}
			if i < n-1 {
				hi, _ = slices.BinarySearch(window, pivots[i])
			}
			res[i], errs[i] = res[i][:0], nil
			if lo >= hi {
				continue
			}
			res[i] = slices.Grow(res[i], hi-lo) // at most a history an id
			wg.Go(func() {
				res[i], errs[i] = parts[i].read(ctx, s, window[lo:hi], res[i])
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			yield(address.History{}, fmt.Errorf("pgsync: histories: %w", err))
			return false
		}
		for _, hs := range res {
			for _, h := range hs {
				if !yield(h, nil) {
					return false
				}
			}
		}
	}
	return true
}

// read appends the histories of ids to out, from one read transaction on
// the part's connection. A connection that fails is closed, not kept.
func (p *readPart) read(ctx context.Context, s *Store, ids []string, out []address.History) ([]address.History, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pinned {
		return p.readPinned(ctx, ids, out)
	}
	if p.conn == nil {
		c, err := s.parts.db.Conn(ctx)
		if err != nil {
			return out, err
		}
		p.conn = c
	}
	err := p.conn.Raw(func(dc any) error {
		c, err := sqliteConn(dc)
		if err != nil {
			return err
		}
		if p.st == nil {
			if p.st, err = c.PrepareContext(ctx, historiesQuery); err != nil {
				return err
			}
		}
		return inReadTx(ctx, c, func() error {
			return readHistories(ctx, p.st, ids, func(h address.History) bool {
				out = append(out, h)
				return true
			})
		})
	})
	if err != nil {
		p.discard()
	}
	return out, err
}

// readPinned appends the histories of ids to out, in the transaction of
// a snapshot's part.
func (p *readPart) readPinned(ctx context.Context, ids []string, out []address.History) ([]address.History, error) {
	if p.err != nil {
		return out, p.err
	}
	kept := false
	err := p.conn.Raw(func(dc any) error {
		err := readHistories(ctx, p.st, ids, func(h address.History) bool {
			out = append(out, h)
			return true
		})
		if err != nil && ctx.Err() != nil {
			// Cancelled by the caller: the snapshot goes on if its
			// transaction does.
			c, cerr := sqliteConn(dc)
			kept = cerr == nil && !c.AutoCommit()
		}
		return err
	})
	if err != nil && !kept {
		p.err = fmt.Errorf("snapshot ended by a failed read: %w", err)
	}
	return out, err
}
