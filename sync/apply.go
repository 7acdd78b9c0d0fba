package sync

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"

	"github.com/printgate/printgate/address"
)

// ApplyOptions are the caller's choices for [Store.Apply]. The zero value
// collects bad rows and goes on, holds suspicious feeds, and uses the
// default thresholds and chunk size.
type ApplyOptions struct {
	// StopOnError stops at the first bad row or conflict: Apply returns
	// its *RowError and applies nothing. Otherwise bad rows and conflicts
	// are collected in the report and the rest of the feed is applied.
	StopOnError bool

	// Override applies a feed even if it is suspicious. The report still
	// carries the measurement.
	Override bool

	// Thresholds above which a feed is suspicious; the zero value means
	// the defaults documented on [Thresholds].
	Thresholds Thresholds

	// ChunkSize is the number of events per transaction; zero means
	// 50,000. A smaller chunk holds the write lock for less time; a larger
	// one applies a bulk load faster.
	ChunkSize int

	// afterChunks, if set (by tests), is called when the last chunk has
	// committed, before the apply ends.
	afterChunks func()
}

const defaultChunkSize = 50_000

// MaxErrors is the number of row errors an [ApplyReport] keeps; it counts
// them all.
const MaxErrors = 10_000

// An ApplyReport accounts for every row of a feed:
// Read = Applied + Skipped + Conflicts + Bad.
type ApplyReport struct {
	Read      int // rows read, good and bad
	Applied   int // events applied now
	Skipped   int // events the store held already with the same content, or repeated in the feed
	Conflicts int // events not applied: their id is known with other content
	Bad       int // rows not applied: a bad time, id, kind, name or address, or a malformed record

	// Held counts the holds the apply placed, of bad rows, conflicts and
	// ties: members held, by event, until the event is applied (a tie's:
	// a later move) or a reviewer clears the hold ([Hold]). A hold that
	// stands already is not placed again: a bad row whose member and
	// event hold already places none, and the re-run of an interrupted
	// apply counts none of the holds the interrupted run placed (all
	// those of its bad rows and conflicts, placed before its first chunk
	// committed, and its ties' in the chunks that committed). A conflict
	// that moves no one places none (see [Hold]).
	// Unattributed counts the holds placed by bad rows that name no
	// member: each holds every member, and the gate halts every batch
	// while one stands. HoldsEnded counts the holds the feed ended by
	// applying their events.
	Held         int
	Unattributed int
	HoldsEnded   int

	// Errors holds the first MaxErrors bad rows and conflicts, in line
	// order. Errors.Err() is nil when there are none.
	Errors ErrorList

	// Suspicion is the measurement of the feed against the store, or nil
	// if none was taken: a first load into an empty store, a re-run of an
	// interrupted apply of the same feed, or a feed with nothing new.
	Suspicion *SuspicionReport
}

// Status of a staged event.
const (
	stApply    = 0
	stSkip     = 1 // already applied, or a repeat in the feed
	stConflict = 2
)

// Apply applies a feed of change events to the store, as the package
// documentation describes: idempotently, in any order, bad rows reported by
// line (and their members held, see [Hold]), suspicious feeds held. events
// is ranged over on a goroutine of Apply's own while other goroutines check
// and parse what it yields; a pair with a *RowError is a bad row, any other
// error ends the feed and Apply applies nothing.
//
// Apply holds the whole feed in memory, checked and parsed, before it
// changes the store: about 100 bytes per event plus its ids, name and
// address. It then applies it in chunks, in the order of members' histories
// (member id, then Effective, Recorded and event id), so that a bulk load
// writes the store's tables in key order. An apply of events for a tenth
// of the store's members or more ends by checkpointing the store and, on
// Linux, asking the system to drop the file's clean pages from its page
// cache, where the writes left them in small pages: the next
// [Store.Prewarm] of a large batch reads them back in large ones.
//
// Apply returns a report and an error. The error is nil when the feed was
// applied (bad rows and conflicts are in the report), and otherwise one of:
//   - a *RowError, with StopOnError: the first bad row or conflict;
//   - an error wrapping [ErrSuspiciousFeed], which is a *SuspicionReport;
//   - the feed's error, the context's, or the database's.
//
// In the first two cases, and when the feed fails, the store is unchanged.
// When the context is cancelled or the process dies in the middle of
// applying, the chunks committed so far stay; applying the same feed again
// completes it, with the result of an uninterrupted run. [Store.Newest]
// moves only when the last chunk commits.
//
// The holds of the feed's bad rows and conflicts, and of the ties among
// its versions (two versions of a member with the same effective and
// recorded times and another address or kind: see [Hold]), are placed in
// the transaction that marks the feed pending, before any chunk commits;
// those of a tie with a version the store had, in the chunk's transaction
// that applies it. The holds whose events the feed applied end only in
// the transaction after the last chunk's. So a process that dies at any
// point leaves no move applied whose member should be held and is not.
func (s *Store) Apply(ctx context.Context, events iter.Seq2[Event, error], opt ApplyOptions) (*ApplyReport, error) {
	a := &applier{s: s, opt: opt, rep: &ApplyReport{}}
	a.chunk = opt.ChunkSize
	if a.chunk <= 0 {
		a.chunk = defaultChunkSize
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return a.rep, fmt.Errorf("pgsync: apply: %w", err)
	}
	defer conn.Close()
	a.conn = conn

	err = a.run(ctx, events)
	if a.rep.Applied > 0 {
		s.resplit() // the tree has grown: cut its ranges anew
		if err == nil {
			a.leaveCache(ctx)
		}
	}
	slices.SortStableFunc(a.rep.Errors, func(x, y *RowError) int { return x.Line - y.Line })
	var re *RowError
	var sr *SuspicionReport
	if err != nil && !errors.As(err, &re) && !errors.As(err, &sr) && !strings.HasPrefix(err.Error(), "pgsync:") {
		err = fmt.Errorf("pgsync: apply: %w", err)
	}
	return a.rep, err
}

type applier struct {
	s     *Store
	conn  *sql.Conn
	opt   ApplyOptions
	rep   *ApplyReport
	chunk int

	// The staged feed: after stage, in history order (member id,
	// effective, recorded, event id, feed order). Their strings are in
	// blocks.
	rows    []stagedRow
	blocks  []string
	byEvent []int32       // indexes of rows in event id order, then feed order
	parts   [][]stagedRow // the rows while the feed is read
	staged  int           // rows in parts
	fp      fingerprint

	holds    map[holdKey]*heldRow // the holds of bad rows, conflicts and ties, by member and event
	newHolds bool                 // holds added since placeHolds last ran

	known       bool  // the store held events when the feed was staged
	dataVersion int64 // PRAGMA data_version before the store was first read
	recheck     bool  // another connection wrote since: check each chunk against the store
}

func (a *applier) run(ctx context.Context, events iter.Seq2[Event, error]) error {
	if err := a.stage(ctx, events); err != nil {
		return err
	}
	if len(a.rows) == 0 {
		return a.finish(ctx)
	}
	a.sort()
	if err := a.classify(ctx); err != nil {
		return err
	}
	var conflicts []int
	for i := range a.rows {
		if a.rows[i].status == stConflict {
			conflicts = append(conflicts, i)
		}
	}
	err := a.onConn(func(c *sqlite3.SQLiteConn) error {
		return a.conflictHolds(ctx, c, conflicts)
	})
	if err != nil {
		return err
	}
	a.feedTies()
	toApply := len(a.rows) - a.rep.Skipped - a.rep.Conflicts
	if toApply == 0 {
		return a.finish(ctx)
	}
	pending, members, err := a.state(ctx)
	if err != nil {
		return err
	}
	fp := a.fp.String()
	if members > 0 && pending != fp {
		rep, err := a.measure(ctx, members)
		if err != nil {
			return err
		}
		a.rep.Suspicion = rep
		if rep.Suspicious && !a.opt.Override {
			return rep
		}
	}
	// The feed pending, and its holds placed, before any chunk commits.
	if err := a.begin(ctx, fp); err != nil {
		return err
	}
	if err := a.applyChunks(ctx); err != nil {
		return err
	}
	if a.opt.afterChunks != nil {
		a.opt.afterChunks()
	}
	return a.finish(ctx)
}

// begin marks the feed pending (its fingerprint fp) and places its holds,
// in one transaction.
func (a *applier) begin(ctx context.Context, fp string) error {
	tx, err := a.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('pending', ?1)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, fp); err != nil {
		return err
	}
	if err := a.placeHolds(ctx, txExec(tx)); err != nil {
		return err
	}
	return tx.Commit()
}

// feedTies holds the members of the feed's versions to apply that tie
// with another of the feed's (addTie). Such versions are next to each
// other in history order: the same member, effective and recorded times.
func (a *applier) feedTies() {
	rows := a.rows
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].memberPrefix == rows[i].memberPrefix && rows[j].effective == rows[i].effective &&
			rows[j].recorded == rows[i].recorded && a.memberID(&rows[j]) == a.memberID(&rows[i]) {
			j++
		}
		if j-i > 1 {
			a.groupTies(rows[i:j])
		}
		i = j
	}
}

// groupTies holds the member by each version of group not in conflict,
// versions of one member with the same effective and recorded times, if
// the feed applies one of them and any two differ in kind or key.
func (a *applier) groupTies(group []stagedRow) {
	var first *stagedRow
	differ, apply := false, false
	for i := range group {
		r := &group[i]
		if r.status == stConflict {
			continue
		}
		apply = apply || r.status == stApply
		if first == nil {
			first = r
		} else if r.kind != first.kind || a.key(r) != a.key(first) {
			differ = true
		}
	}
	if !differ || !apply {
		return
	}
	for i := range group {
		if r := &group[i]; r.status != stConflict {
			a.addTie(a.memberID(r), a.eventID(r), r.line, r.effective)
		}
	}
}

// addError records a bad row in the report.
func (a *applier) addError(re *RowError) {
	a.rep.Bad++
	if len(a.rep.Errors) < MaxErrors {
		a.rep.Errors = append(a.rep.Errors, re)
	}
}

// A stagedRow is an event checked, parsed and held until it is applied. Its
// strings are in a block, from off: the event id, the member id, the name,
// the address in its stored form (appendStoredAddr) and its key, back to
// back.
type stagedRow struct {
	memberPrefix uint64 // the first 8 bytes of the member id, big-endian: most comparisons need no more
	eventPrefix  uint64 // the same of the event id
	effective    int64
	recorded     int64
	line         int
	digest       [digestLen]byte
	seq          uint32 // position in the feed among the staged rows
	blk          uint32
	off          uint32
	addrLen      uint32
	keyLen       uint32
	idLen        uint8 // ids are 1 to 64 bytes
	memberLen    uint8
	nameLen      uint8 // names are at most 200 bytes
	kind         address.VersionKind
	status       uint8
}

func (a *applier) eventID(r *stagedRow) string {
	return a.blocks[r.blk][r.off : r.off+uint32(r.idLen)]
}

func (a *applier) memberID(r *stagedRow) string {
	o := r.off + uint32(r.idLen)
	return a.blocks[r.blk][o : o+uint32(r.memberLen)]
}

// key returns r's address key.
func (a *applier) key(r *stagedRow) string {
	o := r.off + uint32(r.idLen) + uint32(r.memberLen) + uint32(r.nameLen) + r.addrLen
	return a.blocks[r.blk][o : o+r.keyLen]
}

// span returns r's strings back to back: event id, member id, name,
// address and key.
func (a *applier) span(r *stagedRow) string {
	n := uint32(r.idLen) + uint32(r.memberLen) + uint32(r.nameLen) + r.addrLen + r.keyLen
	return a.blocks[r.blk][r.off : r.off+n]
}

// fields returns the name, address and key of r.
func (a *applier) fields(r *stagedRow) (name, addr, key string) {
	b := a.blocks[r.blk]
	o := r.off + uint32(r.idLen) + uint32(r.memberLen)
	name, o = b[o:o+uint32(r.nameLen)], o+uint32(r.nameLen)
	addr, o = b[o:o+r.addrLen], o+r.addrLen
	return name, addr, b[o : o+r.keyLen]
}

func prefix(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

// A stageBatch is a run of the feed as read, and then as checked and
// parsed.
type stageBatch struct {
	n     int // batch number, from 0
	items []stageItem
	fatal error // the feed's error after the items: it ends the feed

	// Set by a worker.
	rows  []stagedRow // seq and blk not set yet
	block string
	errs  []*RowError // in feed order
	fp    fingerprint
}

type stageItem struct {
	ev  Event
	err *RowError
}

const stageBatchRows = 2048

// A stageWorker holds one worker's buffers.
type stageWorker struct {
	row row
	buf []byte
}

// stage reads the whole feed into a.rows, in feed order. The feed is read
// on one goroutine, checked and parsed on one worker per CPU, and gathered
// here in order.
func (a *applier) stage(ctx context.Context, events iter.Seq2[Event, error]) error {
	// data_version first: a commit of another connection's after it,
	// even one between this read of the store and classify's, makes the
	// chunks check their rows against the store again.
	if err := a.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&a.dataVersion); err != nil {
		return err
	}
	var known bool
	if err := a.conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM events)").Scan(&known); err != nil {
		return err
	}
	a.known = known

	ctx, cancel := context.WithCancel(ctx)
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *stageBatch, workers)
	done := make(chan *stageBatch, workers)
	free := make(chan *stageBatch, 2*workers+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var w stageWorker
			for b := range work {
				if ctx.Err() == nil {
					w.prepare(b)
				}
				done <- b
			}
		})
	}
	go func() {
		defer close(work)
		read(ctx, events, work, free)
	}()
	go func() {
		wg.Wait()
		close(done)
	}()
	defer func() {
		cancel()
		for range done {
		}
	}()

	held := make(map[int]*stageBatch)
	next := 0
	for b := range done {
		held[b.n] = b
		for {
			b, ok := held[next]
			if !ok {
				break
			}
			delete(held, next)
			next++
			if err := a.gather(b); err != nil {
				return err
			}
			select {
			case free <- b:
			default:
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	a.rows = make([]stagedRow, 0, a.staged)
	for _, p := range a.parts {
		a.rows = append(a.rows, p...)
	}
	a.parts = nil
	return nil
}

// read ranges over events, sending them on work in batches. It stops
// early when ctx is done, and after the feed's first error that is not a
// *RowError.
func read(ctx context.Context, events iter.Seq2[Event, error], work chan<- *stageBatch, free <-chan *stageBatch) {
	n := 0
	newBatch := func() *stageBatch {
		var b *stageBatch
		select {
		case b = <-free:
			clear(b.items) // drop the strings of the events before
			b.items = b.items[:0]
		default:
			b = &stageBatch{items: make([]stageItem, 0, stageBatchRows)}
		}
		b.n, b.fatal = n, nil
		n++
		return b
	}
	send := func(b *stageBatch) bool {
		select {
		case work <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	b := newBatch()
	for ev, err := range events {
		if len(b.items)%256 == 0 && ctx.Err() != nil {
			return
		}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				b.fatal = err
				break
			}
			b.items = append(b.items, stageItem{err: re})
		} else {
			b.items = append(b.items, stageItem{ev: ev})
		}
		if len(b.items) == cap(b.items) {
			if !send(b) {
				return
			}
			b = newBatch()
		}
	}
	if len(b.items) > 0 || b.fatal != nil {
		send(b)
	}
}

// prepare checks and parses the events of b.
func (w *stageWorker) prepare(b *stageBatch) {
	if b.rows == nil {
		b.rows = make([]stagedRow, 0, len(b.items))
	}
	b.rows, b.errs, b.fp = b.rows[:0], b.errs[:0], fingerprint{}
	w.buf = w.buf[:0]
	for i := range b.items {
		it := &b.items[i]
		if it.err != nil {
			b.errs = append(b.errs, it.err)
			continue
		}
		r := &w.row
		if re := prepare(&it.ev, r); re != nil {
			b.errs = append(b.errs, re)
			continue
		}
		off := len(w.buf)
		w.buf = append(w.buf, r.eventID...)
		w.buf = append(w.buf, r.memberID...)
		w.buf = append(w.buf, r.name...)
		w.buf = append(w.buf, r.addr...)
		w.buf = append(w.buf, r.key...)
		b.rows = append(b.rows, stagedRow{
			memberPrefix: prefix(r.memberID),
			eventPrefix:  prefix(r.eventID),
			effective:    r.effective,
			recorded:     r.recorded,
			line:         r.line,
			digest:       r.digest,
			off:          uint32(off),
			addrLen:      uint32(len(r.addr)),
			keyLen:       uint32(len(r.key)),
			idLen:        uint8(len(r.eventID)),
			memberLen:    uint8(len(r.memberID)),
			nameLen:      uint8(len(r.name)),
			kind:         r.kind,
		})
		b.fp.add(r.eventID, &r.digest)
	}
	b.block = string(w.buf)
}

// gather adds the batch b, the next in feed order, to the staged feed.
func (a *applier) gather(b *stageBatch) error {
	a.rep.Read += len(b.items)
	for _, re := range b.errs {
		a.addError(re)
		a.addHold(re)
		if a.opt.StopOnError {
			return re
		}
	}
	if b.fatal != nil {
		return b.fatal
	}
	if len(b.rows) == 0 {
		return nil
	}
	if a.staged+len(b.rows) > 1<<31-1 {
		return errors.New("pgsync: apply: feed too large: more than 2^31 events")
	}
	blk := uint32(len(a.blocks))
	a.blocks = append(a.blocks, b.block)
	for i := range b.rows {
		b.rows[i].blk, b.rows[i].seq = blk, uint32(a.staged+i)
	}
	a.staged += len(b.rows)
	// The batch's rows are kept as they are (the batch gets new ones),
	// and joined once the whole feed is read.
	a.parts = append(a.parts, b.rows)
	b.rows = nil
	a.fp.x += b.fp.x
	a.fp.y += b.fp.y
	a.fp.n += b.fp.n
	return nil
}

// cmpHistory orders staged rows as histories are: by member, effective,
// recorded and event id; then in feed order.
func (a *applier) cmpHistory(x, y *stagedRow) int {
	if x.memberPrefix != y.memberPrefix {
		return cmp.Compare(x.memberPrefix, y.memberPrefix)
	}
	if x.memberLen > 8 || y.memberLen > 8 {
		if c := strings.Compare(a.memberID(x), a.memberID(y)); c != 0 {
			return c
		}
	}
	if x.effective != y.effective {
		return cmp.Compare(x.effective, y.effective)
	}
	if x.recorded != y.recorded {
		return cmp.Compare(x.recorded, y.recorded)
	}
	return cmp.Or(a.cmpEvent(x, y), cmp.Compare(x.seq, y.seq))
}

func (a *applier) cmpEvent(x, y *stagedRow) int {
	if x.eventPrefix != y.eventPrefix {
		return cmp.Compare(x.eventPrefix, y.eventPrefix)
	}
	if x.idLen <= 8 && y.idLen <= 8 {
		return 0
	}
	return strings.Compare(a.eventID(x), a.eventID(y))
}

// sort puts a.rows in history order and a.byEvent in event id order, each
// on two goroutines.
func (a *applier) sort() {
	parallelSort(historyOrder{a, a.rows})
	refs := make([]eventRef, len(a.rows))
	for i := range a.rows {
		refs[i] = eventRef{prefix: a.rows[i].eventPrefix, seq: a.rows[i].seq, row: int32(i)}
	}
	parallelSort(eventOrder{a, refs})
	a.byEvent = make([]int32, len(refs))
	for i, r := range refs {
		a.byEvent[i] = r.row
	}
}

// historyOrder sorts rows with cmpHistory.
type historyOrder struct {
	a    *applier
	rows []stagedRow
}

func (o historyOrder) Len() int           { return len(o.rows) }
func (o historyOrder) Less(i, j int) bool { return o.a.cmpHistory(&o.rows[i], &o.rows[j]) < 0 }
func (o historyOrder) Swap(i, j int)      { o.rows[i], o.rows[j] = o.rows[j], o.rows[i] }
func (o historyOrder) half(lo, hi int) sortable {
	return historyOrder{o.a, o.rows[lo:hi]}
}
func (o historyOrder) merge(mid int) {
	a, rows := o.a, o.rows
	lo, hi := slices.Clone(rows[:mid]), rows[mid:]
	k := 0
	for len(lo) > 0 && len(hi) > 0 {
		if a.cmpHistory(&hi[0], &lo[0]) < 0 {
			rows[k], hi = hi[0], hi[1:]
		} else {
			rows[k], lo = lo[0], lo[1:]
		}
		k++
	}
	copy(rows[k:], lo) // what is left of hi is in place
}

// An eventRef is a staged row in event id order.
type eventRef struct {
	prefix uint64 // the row's eventPrefix
	seq    uint32
	row    int32 // index in a.rows
}

// eventOrder sorts event refs by event id, then feed order.
type eventOrder struct {
	a    *applier
	refs []eventRef
}

func (o eventOrder) cmp(x, y *eventRef) int {
	if x.prefix != y.prefix {
		return cmp.Compare(x.prefix, y.prefix)
	}
	if c := o.a.cmpEvent(&o.a.rows[x.row], &o.a.rows[y.row]); c != 0 {
		return c
	}
	return cmp.Compare(x.seq, y.seq)
}

func (o eventOrder) Len() int           { return len(o.refs) }
func (o eventOrder) Less(i, j int) bool { return o.cmp(&o.refs[i], &o.refs[j]) < 0 }
func (o eventOrder) Swap(i, j int)      { o.refs[i], o.refs[j] = o.refs[j], o.refs[i] }
func (o eventOrder) half(lo, hi int) sortable {
	return eventOrder{o.a, o.refs[lo:hi]}
}
func (o eventOrder) merge(mid int) {
	refs := o.refs
	lo, hi := slices.Clone(refs[:mid]), refs[mid:]
	k := 0
	for len(lo) > 0 && len(hi) > 0 {
		if o.cmp(&hi[0], &lo[0]) < 0 {
			refs[k], hi = hi[0], hi[1:]
		} else {
			refs[k], lo = lo[0], lo[1:]
		}
		k++
	}
	copy(refs[k:], lo)
}

// A sortable can be sorted in two halves and merged.
type sortable interface {
	sort.Interface
	half(lo, hi int) sortable
	merge(mid int) // merges the sorted [0, mid) and [mid, Len())
}

// parallelSort sorts s, its halves concurrently when it is large.
func parallelSort(s sortable) {
	n := s.Len()
	if n < 1<<15 || runtime.GOMAXPROCS(0) < 2 {
		sort.Sort(s)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { sort.Sort(s.half(0, n/2)) })
	sort.Sort(s.half(n/2, n))
	wg.Wait()
	s.merge(n / 2)
}

// classify sets the status of each staged event: a repeat in the feed is
// skipped, and so is an event the store holds with the same content; an id
// known with other content, in the store or in the feed, is a conflict.
func (a *applier) classify(ctx context.Context) error {
	rows, byEvent := a.rows, a.byEvent
	// Of the rows of an id that comes more than once, all are conflicts
	// if their contents differ, else all but the first are skipped.
	for i := 0; i < len(byEvent); {
		j := i + 1
		for j < len(byEvent) && a.cmpEvent(&rows[byEvent[i]], &rows[byEvent[j]]) == 0 {
			j++
		}
		if j-i > 1 {
			st := uint8(stSkip)
			for _, k := range byEvent[i+1 : j] {
				if rows[k].digest != rows[byEvent[i]].digest {
					st = stConflict
				}
			}
			for n, k := range byEvent[i:j] {
				if n > 0 || st == stConflict {
					rows[k].status = st
				}
			}
		}
		i = j
	}
	if a.known {
		err := a.onConn(func(c *sqlite3.SQLiteConn) error {
			return a.markKnown(ctx, c, byEvent)
		})
		if err != nil {
			return err
		}
	}
	a.recount()
	if a.opt.StopOnError && len(a.rep.Errors) > 0 {
		return a.rep.Errors[0]
	}
	return nil
}

func sqliteConn(dc any) (*sqlite3.SQLiteConn, error) {
	c, ok := dc.(*sqlite3.SQLiteConn)
	if !ok {
		return nil, fmt.Errorf("pgsync: unexpected driver connection %T", dc)
	}
	return c, nil
}

// onConn calls f with the writer's driver connection.
func (a *applier) onConn(f func(c *sqlite3.SQLiteConn) error) error {
	return a.conn.Raw(func(dc any) error {
		c, err := sqliteConn(dc)
		if err != nil {
			return err
		}
		return f(c)
	})
}

// lookupChunk is the number of ids per query of a lookup in the store.
const lookupChunk = 500

var (
	knownQuery = `SELECT event_id, digest FROM events WHERE event_id IN (?` +
		strings.Repeat(",?", lookupChunk-1) + `) ORDER BY event_id`
	// The versions of the members of conflicts (conflictHolds).
	conflictVersionsQuery = `SELECT member_id, event_id, kind, effective, recorded, key FROM versions WHERE member_id IN (?` +
		strings.Repeat(",?", lookupChunk-1) + `) ORDER BY member_id`
	// The versions of events (holdAppliedElsewhere): a scan of every
	// version, as there is no index of them by event.
	eventVersionsQuery = `SELECT event_id, member_id, effective FROM versions WHERE event_id IN (?` +
		strings.Repeat(",?", lookupChunk-1) + `) ORDER BY event_id`
	// The versions of a chunk's members, to count those the store knows
	// and find the ties of the versions to apply (chunker.apply).
	chunkVersionsQuery = `SELECT member_id, effective, recorded, event_id, kind, key FROM versions WHERE member_id IN (?` +
		strings.Repeat(",?", lookupChunk-1) + `) ORDER BY member_id`
)

// lookup queries the store for ids, which are sorted (repeats allowed),
// lookupChunk at a time with the statement q, which selects cols columns
// of which the first is the id. It calls found with each row and the index
// in ids of the first id equal to the row's.
func lookup(ctx context.Context, c *sqlite3.SQLiteConn, q string, cols int, ids []string, found func(i int, row []driver.Value) error) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := c.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer st.Close()
	row := make([]driver.Value, cols)
	i, last := 0, -1
	return queryIDs(ctx, st, lookupChunk, ids, row, func(base int, chunk []string) (bool, error) {
		if base != last {
			i, last = 0, base
		}
		id, _ := row[0].(string)
		for i < len(chunk) && chunk[i] < id {
			i++
		}
		if i == len(chunk) || chunk[i] != id {
			return false, fmt.Errorf("pgsync: lookup: row out of order")
		}
		return true, found(base+i, row)
	})
}

// queryIDs runs st, a query whose IN list has n placeholders, for ids n at
// a time, and calls f after reading each row it returns into row, with the
// ids of the query and where they start in ids. A short last chunk repeats
// its last id: IN ignores the repeats, and one statement serves every
// chunk. It stops when f returns false or an error.
func queryIDs(ctx context.Context, st driver.Stmt, n int, ids []string, row []driver.Value, f func(base int, chunk []string) (bool, error)) error {
	args := make([]driver.NamedValue, n)
	for base := 0; base < len(ids); base += n {
		chunk := ids[base:min(base+n, len(ids))]
		for i := range args {
			args[i] = driver.NamedValue{Ordinal: i + 1, Value: chunk[min(i, len(chunk)-1)]}
		}
		rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
		if err != nil {
			return err
		}
		for {
			err := rows.Next(row)
			if err == io.EOF {
				break
			}
			more := false
			if err == nil {
				more, err = f(base, chunk)
			}
			if err != nil || !more {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// markKnown sets the status of the staged events idx (in event id order)
// that the store holds already: skipped if with the same content, else
// conflicts. Rows already skipped or in conflict are left as they are.
func (a *applier) markKnown(ctx context.Context, c *sqlite3.SQLiteConn, idx []int32) error {
	ids := make([]string, len(idx))
	for i, k := range idx {
		ids[i] = a.eventID(&a.rows[k])
	}
	return lookup(ctx, c, knownQuery, 2, ids, func(i int, row []driver.Value) error {
		id := ids[i]
		d, _ := row[1].([]byte)
		for ; i < len(ids) && ids[i] == id; i++ {
			r := &a.rows[idx[i]]
			if r.status != stApply {
				continue
			}
			if string(d) == string(r.digest[:]) {
				r.status = stSkip
			} else {
				r.status = stConflict
			}
		}
		return nil
	})
}

// recount counts skipped events and conflicts, and reports the conflicts.
func (a *applier) recount() {
	rep := a.rep
	rep.Skipped, rep.Conflicts = 0, 0
	rep.Errors = slices.DeleteFunc(rep.Errors, func(e *RowError) bool { return errors.Is(e.Err, ErrConflict) })
	var conflicts []*stagedRow
	for i := range a.rows {
		switch r := &a.rows[i]; r.status {
		case stSkip:
			rep.Skipped++
		case stConflict:
			rep.Conflicts++
			conflicts = append(conflicts, r)
		}
	}
	slices.SortFunc(conflicts, func(x, y *stagedRow) int { return cmp.Compare(x.seq, y.seq) })
	for _, r := range conflicts[:min(len(conflicts), max(0, MaxErrors-len(rep.Errors)))] {
		rep.Errors = append(rep.Errors, &RowError{Line: r.line, Field: "event_id", EventID: strings.Clone(a.eventID(r)), Err: ErrConflict})
	}
}

// state returns the fingerprint of the feed whose apply is in progress, if
// any, and the number of members in the store.
func (a *applier) state(ctx context.Context) (pending string, members int64, err error) {
	var p sql.NullString
	var m sql.NullInt64
	err = a.conn.QueryRowContext(ctx, `SELECT (SELECT value FROM meta WHERE name = 'pending'),
		(SELECT value FROM meta WHERE name = 'members')`).Scan(&p, &m)
	return p.String, m.Int64, err
}

// An inserter inserts rows with multi-row INSERT statements, a batch of
// rows' values at a time (exec). It runs them as queries: the driver then
// binds all the arguments and steps the statement in one call into SQLite.
type inserter struct {
	c      *sqlite3.SQLiteConn
	prefix string
	tuple  string
	cols   int
	stmts  map[int]driver.Stmt // by rows
}

// insertRows is the number of rows of one INSERT statement: of 32, 128,
// 512, 1,024 and 2,048, 512 applies a bulk load fastest (about 10% faster
// than 128), and its 4,096 parameters are well under SQLite's limit.
const insertRows = 512

func newInserter(c *sqlite3.SQLiteConn, prefix, tuple string, cols int) *inserter {
	return &inserter{c: c, prefix: prefix, tuple: tuple, cols: cols, stmts: make(map[int]driver.Stmt)}
}

// exec inserts the rows whose values are args, in order.
func (ins *inserter) exec(ctx context.Context, args []driver.NamedValue) error {
	n := len(args) / ins.cols
	if n == 0 {
		return nil
	}
	st, ok := ins.stmts[n]
	if !ok {
		var err error
		q := ins.prefix + ins.tuple + strings.Repeat(","+ins.tuple, n-1)
		if st, err = ins.c.PrepareContext(ctx, q); err != nil {
			return err
		}
		ins.stmts[n] = st
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return err
	}
	return rows.Close()
}

func (ins *inserter) close() {
	for _, st := range ins.stmts {
		st.Close()
	}
}

// applyChunks applies the staged events to be applied, a.chunk at a time,
// in history order.
func (a *applier) applyChunks(ctx context.Context) error {
	return a.onConn(func(c *sqlite3.SQLiteConn) error {
		ch := &chunker{a: a, c: c,
			versions: newInserter(c, "INSERT INTO versions (member_id, effective, recorded, event_id, kind, name, addr, key) VALUES ",
				"(?,?,?,?,?,?,CAST(? AS BLOB),?)", 8),
			events: newInserter(c, "INSERT INTO events (event_id, digest) VALUES ", "(?,?)", 2),
			free:   make(chan []driver.NamedValue, 2*insertAhead),
		}
		defer ch.versions.close()
		defer ch.events.close()
		// Every version's event row is written before it, in the same
		// chunk's transaction: the check of versions.event_id, one more
		// B-tree lookup per version (about 8% of a bulk load), is left
		// out while the chunks are written. The tests' store dumps check
		// the foreign keys of every store they compare.
		if _, err := c.ExecContext(ctx, "PRAGMA foreign_keys = OFF", nil); err != nil {
			return err
		}
		defer c.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON", nil)
		// Each chunk's commit leaves its checkpoint (copying the log's
		// pages into the file, and two fsyncs) to a connection of its own,
		// on another core, while the next chunk is written: about a tenth
		// of a bulk load.
		if _, err := c.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0", nil); err != nil {
			return err
		}
		defer c.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walAutocheckpoint), nil)
		ch.ckpt = a.s.startCheckpointer(ctx)
		defer ch.ckpt.stop()
		bounds, byEvent := a.chunks()
		for k := range len(bounds) - 1 {
			lo, hi := bounds[k], bounds[k+1]
			if err := ch.apply(ctx, lo, hi, byEvent[lo:hi], hi == len(a.rows)); err != nil {
				return err
			}
		}
		return nil
	})
}

// chunks cuts the staged rows, in history order, into chunks of a.chunk
// rows to apply: chunk k is rows bounds[k] to bounds[k+1]. It also returns
// each chunk's row indexes in event id order, chunk after chunk, taken from
// a.byEvent: the order its events are inserted in.
func (a *applier) chunks() (bounds []int, byEvent []int32) {
	bounds = []int{0}
	n := 0
	for i := range a.rows {
		if a.rows[i].status == stApply {
			n++
		}
		if n == a.chunk || i == len(a.rows)-1 {
			bounds = append(bounds, i+1)
			n = 0
		}
	}
	byEvent = make([]int32, len(a.rows))
	next := slices.Clone(bounds[:len(bounds)-1]) // where each chunk's next index goes
	for _, r := range a.byEvent {
		k, found := slices.BinarySearch(bounds, int(r))
		if !found {
			k-- // bounds[k] < r < bounds[k+1]
		}
		byEvent[next[k]] = r
		next[k]++
	}
	return bounds, byEvent
}

// A chunker applies chunks of the staged feed.
type chunker struct {
	a                *applier
	c                *sqlite3.SQLiteConn
	versions, events *inserter
	lastMember       string // the last member a chunk applied events of
	ids              []string
	free             chan []driver.NamedValue // argument slices run, for build to reuse
	ckpt             *checkpointer
	chunks           int // chunks begun
}

// insertAhead is how many statements build may have ready that apply has
// not run yet.
const insertAhead = 16

// An insertBatch is the arguments of one multi-row INSERT statement.
type insertBatch struct {
	ins  *inserter
	args []driver.NamedValue
}

// build sends the INSERT statements of the rows lo to hi to apply on out:
// the events in the order of idx (event id order), then the versions in
// history order. It stops early when done is closed. It leaves the rows'
// distinct member ids in ch.ids.
//
// A statement's strings are first copied, here, into one text in the
// statement's order, of which its arguments are slices. The driver copies
// every argument into SQLite's buffer on the writer's goroutine, the
// load's critical path; from the rows' own blocks, all over the staged
// feed, that copy waited on a cache miss a row. This goroutine, on the
// other core, now takes those misses, and the writer's copy reads memory
// in order.
func (ch *chunker) build(lo, hi int, idx []int32, out chan<- insertBatch, done <-chan struct{}) {
	a := ch.a
	var (
		pack  []byte  // the batch's strings, as they are gathered
		batch []int32 // the batch's rows
	)
	emit := func(ins *inserter) bool {
		if len(batch) == 0 {
			return true
		}
		var args []driver.NamedValue
		select {
		case args = <-ch.free:
		default:
			args = make([]driver.NamedValue, 0, insertRows*ins.cols)
		}
		arg := func(v any) {
			args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
		}
		pack = pack[:0]
		if ins == ch.events {
			for _, k := range batch {
				pack = append(pack, a.eventID(&a.rows[k])...)
			}
			text := string(pack)
			// The digests are blobs: []byte, in a block of their own.
			digests := make([]byte, 0, len(batch)*digestLen)
			for _, k := range batch {
				r := &a.rows[k]
				id := text[:r.idLen]
				text = text[r.idLen:]
				digests = append(digests, r.digest[:]...)
				arg(id)
				arg(digests[len(digests)-digestLen : len(digests) : len(digests)])
			}
		} else {
			for _, k := range batch {
				pack = append(pack, a.span(&a.rows[k])...)
			}
			text := string(pack)
			for _, k := range batch {
				r := &a.rows[k]
				var id, member, name, addr, key string
				id, text = text[:r.idLen], text[r.idLen:]
				member, text = text[:r.memberLen], text[r.memberLen:]
				name, text = text[:r.nameLen], text[r.nameLen:]
				addr, text = text[:r.addrLen], text[r.addrLen:]
				key, text = text[:r.keyLen], text[r.keyLen:]
				if len(ch.ids) == 0 || ch.ids[len(ch.ids)-1] != member {
					ch.ids = append(ch.ids, member)
				}
				arg(member)
				arg(r.effective)
				arg(r.recorded)
				arg(id)
				arg(int64(r.kind))
				arg(name)
				arg(addr)
				arg(key)
			}
		}
		batch = batch[:0]
		return send(out, done, insertBatch{ins: ins, args: args})
	}
	for _, k := range idx {
		if a.rows[k].status != stApply {
			continue
		}
		if batch = append(batch, k); len(batch) == insertRows && !emit(ch.events) {
			return
		}
	}
	if !emit(ch.events) {
		return
	}
	ch.ids = ch.ids[:0]
	for k := lo; k < hi; k++ {
		if a.rows[k].status != stApply {
			continue
		}
		if batch = append(batch, int32(k)); len(batch) == insertRows && !emit(ch.versions) {
			return
		}
	}
	emit(ch.versions)
}

// send sends b on out, unless done is closed first.
func send(out chan<- insertBatch, done <-chan struct{}, b insertBatch) bool {
	select {
	case out <- b:
		return true
	case <-done:
		return false
	}
}

// apply applies the staged rows lo to hi (those to be applied) in one
// transaction; idx is their indexes in event id order. The last chunk also
// sets the store's newest time.
func (ch *chunker) apply(ctx context.Context, lo, hi int, idx []int32, last bool) (err error) {
	a, c := ch.a, ch.c
	rows := a.rows[lo:hi]
	if ch.chunks++; ch.chunks%walChunksAhead == 0 {
		ch.ckpt.wait()
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE", nil); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK", nil)
		}
	}()
	dv, err := queryInt(ctx, c, "PRAGMA data_version")
	if err != nil {
		return err
	}
	if dv != a.dataVersion {
		// Another connection (another process) has written since the
		// statuses were set: from now on, check each chunk against the
		// store, now that this transaction holds the write lock.
		a.recheck = true
		a.dataVersion = dv
	}
	if a.recheck {
		var was []int // the chunk's rows to apply
		for _, k := range idx {
			if a.rows[k].status == stApply {
				was = append(was, int(k))
			}
		}
		if err := a.markKnown(ctx, c, idx); err != nil {
			return err
		}
		a.recount()
		// Conflicts with what another writer applied since: held in this
		// chunk's transaction.
		conflicts := slices.DeleteFunc(was, func(k int) bool { return a.rows[k].status != stConflict })
		slices.Sort(conflicts)
		if err := a.conflictHolds(ctx, c, conflicts); err != nil {
			return err
		}
	}

	// The rows' INSERT statements are built on a second goroutine while
	// this one runs them: the events in event id order, then the versions
	// in history order, so that both tables are written in key order.
	// The statuses of the chunk's rows are settled from here on.
	stmts := make(chan insertBatch, insertAhead)
	done := make(chan struct{})
	go func() {
		defer close(stmts)
		ch.build(lo, hi, idx, stmts, done)
	}()
	defer func() {
		close(done)
		for range stmts {
		}
	}()

	// New members: those with events to apply that the store did not
	// have. When it may have some of the chunk's members, they are looked
	// up before the chunk is written; otherwise they are all new, and
	// build, which reads every row's member id anyway, lists them.
	// Their versions are read too: a version to apply that ties with one
	// of the store's (the same effective and recorded times, another
	// address or kind) holds its member by both (addTie), in this
	// transaction.
	var known int64
	if a.known || a.recheck {
		var ids []string
		var starts []int // where each member's rows start in rows
		for i := range rows {
			if r := &rows[i]; r.status == stApply {
				if id := a.memberID(r); len(ids) == 0 || ids[len(ids)-1] != id {
					ids = append(ids, id)
					starts = append(starts, i)
				}
			}
		}
		last := -1
		err := lookup(ctx, c, chunkVersionsQuery, 6, ids, func(i int, v []driver.Value) error {
			if i != last {
				known++
				last = i
			}
			effective, _ := v[1].(int64)
			recorded, _ := v[2].(int64)
			event, _ := v[3].(string)
			kind, _ := v[4].(int64)
			key, _ := v[5].(string)
			for k := starts[i]; k < len(rows); k++ {
				r := &rows[k]
				if r.effective > effective || a.memberID(r) != ids[i] {
					break
				}
				if r.status == stApply && r.effective == effective && r.recorded == recorded &&
					(int64(r.kind) != kind || a.key(r) != key) && a.eventID(r) != event {
					a.addTie(ids[i], a.eventID(r), r.line, r.effective)
					a.addTie(ids[i], event, r.line, r.effective)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	for b := range stmts {
		if err := b.ins.exec(ctx, b.args); err != nil {
			return err
		}
		select {
		case ch.free <- b.args[:0]:
		default:
		}
	}
	// build has returned (stmts is closed): ch.ids is the chunk's members.
	newMembers := int64(len(ch.ids)) - known
	if !a.known && !a.recheck && len(ch.ids) > 0 && ch.ids[0] == ch.lastMember {
		newMembers-- // applied in the chunk before
	}
	if len(ch.ids) > 0 {
		ch.lastMember = ch.ids[len(ch.ids)-1]
	}
	applied := 0
	for i := range rows {
		if rows[i].status == stApply {
			applied++
		}
	}
	if a.newHolds {
		if err := a.placeHolds(ctx, connExec(c)); err != nil {
			return err
		}
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('members', ?1)
ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`, []driver.NamedValue{{Ordinal: 1, Value: newMembers}}); err != nil {
		return err
	}
	if last {
		// The newest time of the feed's events that the store now
		// holds: those applied, and those it held already (from an
		// interrupted run of this feed, or before).
		var newest int64
		var any bool
		for i := range a.rows {
			if r := &a.rows[i]; r.status != stConflict && (!any || r.recorded > newest) {
				newest, any = r.recorded, true
			}
		}
		if any {
			if _, err := c.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('newest', ?1)
ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`, []driver.NamedValue{{Ordinal: 1, Value: newest}}); err != nil {
				return err
			}
		}
	}
	if _, err := c.ExecContext(ctx, "COMMIT", nil); err != nil {
		return err
	}
	a.rep.Applied += applied
	if !ch.ckpt.poke() {
		// No checkpointer: checkpoint here, as the commit would have.
		if _, err := c.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)", nil); err != nil {
			return err
		}
	}
	return nil
}

// walAutocheckpoint is SQLite's default: a commit that leaves the
// write-ahead log longer than this many pages checkpoints it.
const walAutocheckpoint = 1000

// A checkpointer checkpoints the store's write-ahead log on a connection
// of its own each time it is poked, while the writer goes on writing.
//
// The log restarts from its beginning only when a write transaction
// begins with all of it checkpointed; with the checkpoints always a commit
// behind, that would never happen and the log would grow with the whole
// feed. So every walChunksAhead chunks the writer waits for the checkpoint
// of the chunks before: the log stays within that many chunks' pages.
type checkpointer struct {
	mu          sync.Mutex
	cond        sync.Cond
	asked, done int  // checkpoints asked for, and done (each after its ask)
	stopped     bool // asked to stop
	gone        bool // the goroutine has ended
	exited      chan struct{}
}

// walChunksAhead is how many chunks' commits the checkpoints may lag.
// Each wait costs the writer about one chunk's checkpoint: on a 1,000,000
// event load, 8 instead of 4 took the waits from about 0.2 s to half that,
// and the load from 234,000 to 242,000 events/s (means of 8 alternating
// runs, 2026-12-02, the machine slow), the log's peak from 32 to 64 MB.
const walChunksAhead = 8

func (s *Store) startCheckpointer(ctx context.Context) *checkpointer {
	cp := &checkpointer{exited: make(chan struct{})}
	cp.cond.L = &cp.mu
	go func() {
		defer close(cp.exited)
		defer func() {
			cp.mu.Lock()
			cp.gone = true
			cp.cond.Broadcast()
			cp.mu.Unlock()
		}()
		conn, err := s.snaps.Conn(ctx)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			cp.mu.Lock()
			for cp.done == cp.asked && !cp.stopped {
				cp.cond.Wait()
			}
			if cp.done == cp.asked {
				cp.mu.Unlock()
				return
			}
			n := cp.asked
			cp.mu.Unlock()
			// PASSIVE: copies the pages no reader still needs from the
			// log, and waits for no one.
			if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
				return
			}
			cp.mu.Lock()
			cp.done = n
			cp.cond.Broadcast()
			cp.mu.Unlock()
		}
	}()
	return cp
}

// poke asks for a checkpoint, after the one running if any, and reports
// whether the checkpointer is there to run it.
func (cp *checkpointer) poke() bool {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.gone {
		return false
	}
	cp.asked++
	cp.cond.Signal()
	return true
}

// wait waits for the checkpoints asked for so far.
func (cp *checkpointer) wait() {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for cp.done < cp.asked && !cp.gone {
		cp.cond.Wait()
	}
}

// stop has the checkpoints asked for run, and ends the checkpointer.
func (cp *checkpointer) stop() {
	cp.mu.Lock()
	cp.stopped = true
	cp.cond.Broadcast()
	cp.mu.Unlock()
	<-cp.exited
}

func queryInt(ctx context.Context, c *sqlite3.SQLiteConn, q string) (int64, error) {
	rows, err := c.QueryContext(ctx, q, nil)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		return 0, err
	}
	n, _ := v[0].(int64)
	return n, nil
}

// leaveCache has the pages of a bulk load leave the system's page cache.
// A load that applied as many events as a tenth of the store's members
// wrote new pages for much of the store (a first load, all of it), and
// they are in the cache as its writes left them: in 4 KiB pages, which
// every map of the file takes at a fault per 16, and which [Store.Prewarm],
// finding them cached, would leave so for as long as they stay. Out of the
// cache, the next Prewarm of a large batch reads them back in 2 MiB
// folios: on the machine the README measures, the batch job ran in
// 0.9-1.0 s after that, and in 1.8-2.1 s with the store in 4 KiB pages.
// (A page already in the cache keeps its folio when it is written.) It is
// advice, on Linux: a failure leaves the pages where they are.
func (a *applier) leaveCache(ctx context.Context) {
	_, members, err := a.state(ctx)
	if err != nil || int64(a.rep.Applied)*bulkShare < members {
		return
	}
	// The log into the file, and the file synced: only pages that are
	// clean can leave.
	if err := a.s.checkpoint(ctx); err != nil {
		return
	}
	dropFromCache(a.s.path)
}

// bulkShare: an apply of at least 1/bulkShare of the store's members in
// events is a bulk load (see leaveCache).
const bulkShare = 10

// finish marks the apply complete: the holds of the events it applied
// ended, no feed pending, and the time.
func (a *applier) finish(ctx context.Context) error {
	tx, err := a.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Placed already, but for a feed with nothing to apply (no chunk), or
	// a bad row whose good one turned out a conflict in a chunk.
	if err := a.placeHolds(ctx, txExec(tx)); err != nil {
		return err
	}
	if err := a.endHolds(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
DELETE FROM meta WHERE name = 'pending';
INSERT INTO meta (name, value) VALUES ('last_apply', ?1)
ON CONFLICT (name) DO UPDATE SET value = excluded.value`, a.s.now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// A fingerprint identifies a feed by the multiset of its events (ids and
// contents), whatever their order: the sum of a hash of each.
type fingerprint struct {
	x, y uint64
	n    int
}

func (f *fingerprint) add(id string, d *[digestLen]byte) {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	d0 := binary.BigEndian.Uint64(d[:8])
	d1 := binary.BigEndian.Uint64(d[8:])
	f.x += mix(h ^ d0)
	f.y += mix(h*0x9e3779b97f4a7c15 ^ d1)
	f.n++
}

// mix is the SplitMix64 finalizer.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (f *fingerprint) String() string { return fmt.Sprintf("%d:%016x%016x", f.n, f.x, f.y) }
