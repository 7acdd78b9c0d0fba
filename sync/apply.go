package sync

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/mattn/go-sqlite3"
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

// The staging table: the whole feed, checked and parsed, before anything
// of it is applied. It is a TEMP table, private to the writer connection
// and gone with it, so a killed apply leaves nothing behind to clean up.
const createStaging = `
DROP TABLE IF EXISTS temp.staging;
CREATE TEMP TABLE staging (
	seq       INTEGER PRIMARY KEY,  -- 1, 2, ... in feed order
	line      INTEGER NOT NULL,
	event_id  TEXT NOT NULL,
	member_id TEXT NOT NULL,
	effective INTEGER NOT NULL,
	recorded  INTEGER NOT NULL,
	kind      INTEGER NOT NULL,
	name      TEXT NOT NULL,
	addr      BLOB NOT NULL,
	key       TEXT NOT NULL,
	digest    BLOB NOT NULL,
	status    INTEGER NOT NULL DEFAULT 0
)`

// stageRows is the number of rows one INSERT statement stages.
const stageRows = 64

// Apply applies a feed of change events to the store, as the package
// documentation describes: idempotently, in any order, bad rows reported by
// line, suspicious feeds held. events is ranged over on a goroutine of
// Apply's own while Apply writes; a pair with a *RowError is a bad row,
// any other error ends the feed and Apply applies nothing.
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
// completes it, with the result of an uninterrupted run.
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
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS temp.staging")

	err = a.run(ctx, events)
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

	n           int         // rows staged
	fp          fingerprint // of the rows staged
	slow        bool        // some statuses are not stApply: count them in SQL
	dataVersion int64       // PRAGMA data_version after the statuses were set
}

func (a *applier) run(ctx context.Context, events iter.Seq2[Event, error]) error {
	if err := a.stage(ctx, events); err != nil {
		return err
	}
	if a.n == 0 {
		return a.finish(ctx)
	}
	if err := a.classify(ctx); err != nil {
		return err
	}
	toApply := a.n - a.rep.Skipped - a.rep.Conflicts
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
	if _, err := a.conn.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('pending', ?1)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, fp); err != nil {
		return err
	}
	for lo := 1; lo <= a.n; lo += a.chunk {
		if err := a.applyChunk(ctx, lo, min(lo+a.chunk-1, a.n)); err != nil {
			return err
		}
	}
	if a.slow {
		if err := a.recount(ctx); err != nil {
			return err
		}
	}
	return a.finish(ctx)
}

// addError records a bad row in the report.
func (a *applier) addError(re *RowError) {
	a.rep.Bad++
	if len(a.rep.Errors) < MaxErrors {
		a.rep.Errors = append(a.rep.Errors, re)
	}
}

// A batch is a run of the feed, prepared off the writer's goroutine.
type batch struct {
	rows  []row
	n     int
	read  int
	errs  []*RowError
	fatal error
}

const batchRows = 1024

// stage reads the whole feed into the staging table. Reading, checking
// and parsing run on one goroutine, SQLite on this one.
func (a *applier) stage(ctx context.Context, events iter.Seq2[Event, error]) error {
	if _, err := a.conn.ExecContext(ctx, createStaging); err != nil {
		return err
	}
	pctx, cancel := context.WithCancel(ctx)
	out := make(chan *batch, 4)
	free := make(chan *batch, 6)
	go produce(pctx, events, a.opt.StopOnError, out, free)
	defer func() {
		cancel()
		for range out {
		}
	}()

	ins := &stager{a: a}
	defer ins.close()
	for b := range out {
		a.rep.Read += b.read
		for _, re := range b.errs {
			a.addError(re)
			if a.opt.StopOnError {
				return re
			}
		}
		if b.fatal != nil {
			return b.fatal
		}
		if err := ins.add(ctx, b.rows[:b.n]); err != nil {
			return err
		}
		select {
		case free <- b:
		default:
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return ins.commit()
}

// produce ranges over events, preparing rows in batches sent on out. It
// stops early when ctx is done, after a fatal error, or after a bad row if
// stop is set.
func produce(ctx context.Context, events iter.Seq2[Event, error], stop bool, out chan<- *batch, free <-chan *batch) {
	defer close(out)
	newBatch := func() *batch {
		select {
		case b := <-free:
			b.n, b.read, b.errs, b.fatal = 0, 0, b.errs[:0], nil
			return b
		default:
			return &batch{rows: make([]row, batchRows)}
		}
	}
	send := func(b *batch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	b := newBatch()
	for ev, err := range events {
		if ctx.Err() != nil {
			return
		}
		b.read++
		var re *RowError
		switch {
		case err == nil:
			if re = prepare(&ev, &b.rows[b.n]); re == nil {
				b.n++
			}
		case errors.As(err, &re):
		default:
			b.read--
			b.fatal = err
			send(b)
			return
		}
		if re != nil {
			b.errs = append(b.errs, re)
		}
		if b.n == len(b.rows) || re != nil && stop {
			if !send(b) {
				return
			}
			b = newBatch()
		}
	}
	if b.read > 0 {
		send(b)
	}
}

// A stager inserts rows into the staging table, stageRows per statement,
// in transactions of the chunk size, and fingerprints them.
type stager struct {
	a     *applier
	tx    *sql.Tx
	inTx  int
	multi *sql.Stmt // stageRows rows
	one   *sql.Stmt
	args  []any
}

const stageCols = 11

func stageInsert(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO staging (seq, line, event_id, member_id, effective, recorded, kind, name, addr, key, digest) VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

var (
	stageInsertMulti = stageInsert(stageRows)
	stageInsertOne   = stageInsert(1)
)

func (s *stager) add(ctx context.Context, rows []row) error {
	a := s.a
	for len(rows) > 0 {
		if s.tx == nil {
			var err error
			if s.tx, err = a.conn.BeginTx(ctx, nil); err != nil {
				return err
			}
			if s.multi, err = s.tx.PrepareContext(ctx, stageInsertMulti); err != nil {
				return err
			}
			if s.one, err = s.tx.PrepareContext(ctx, stageInsertOne); err != nil {
				return err
			}
		}
		k := min(len(rows), a.chunk-s.inTx)
		part := rows[:k]
		for len(part) > 0 {
			m, stmt := stageRows, s.multi
			if len(part) < stageRows {
				m, stmt = 1, s.one
			}
			s.args = s.args[:0]
			for i := range m {
				r := &part[i]
				a.n++
				a.fp.add(r.eventID, &r.digest)
				addr := r.addr
				if addr == nil {
					addr = []byte{} // an empty BLOB, not NULL
				}
				s.args = append(s.args, a.n, r.line, r.eventID, r.memberID, r.effective, r.recorded,
					int64(r.kind), r.name, addr, r.key, r.digest[:])
			}
			if _, err := stmt.ExecContext(ctx, s.args...); err != nil {
				return err
			}
			part = part[m:]
		}
		s.inTx += k
		rows = rows[k:]
		if s.inTx == a.chunk {
			if err := s.commit(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *stager) commit() error {
	if s.tx == nil {
		return nil
	}
	err := s.tx.Commit()
	s.tx, s.inTx = nil, 0
	return err
}

func (s *stager) close() {
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
}

// classify sets the status of each staged event: a repeat in the feed is
// skipped, and so is an event the store holds with the same content; an id
// known with other content, in the store or in the feed, is a conflict.
func (a *applier) classify(ctx context.Context) error {
	c := a.conn
	// A unique index builds only if no event id comes twice: the common
	// case costs one sort.
	if _, err := c.ExecContext(ctx, "CREATE UNIQUE INDEX temp.staging_event ON staging (event_id)"); err != nil {
		if !isConstraint(err) {
			return err
		}
		a.slow = true
		if _, err := c.ExecContext(ctx, "CREATE INDEX temp.staging_event ON staging (event_id)"); err != nil {
			return err
		}
		// Of the rows of an id that comes more than once, all are
		// conflicts if their contents differ, else all but the first
		// are skipped.
		if _, err := c.ExecContext(ctx, `
UPDATE staging SET status = CASE WHEN d.conflict THEN 2 ELSE 1 END
FROM (SELECT event_id, count(DISTINCT digest) > 1 AS conflict, min(seq) AS first
      FROM staging GROUP BY event_id HAVING count(*) > 1) AS d
WHERE staging.event_id = d.event_id AND (d.conflict OR staging.seq <> d.first)`); err != nil {
			return err
		}
	}
	var known bool
	if err := c.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM events)").Scan(&known); err != nil {
		return err
	}
	if known {
		a.slow = true
		if err := a.markKnown(ctx, c, 1); err != nil {
			return err
		}
	}
	if err := c.QueryRowContext(ctx, "PRAGMA data_version").Scan(&a.dataVersion); err != nil {
		return err
	}
	if a.slow {
		if err := a.recount(ctx); err != nil {
			return err
		}
		if a.opt.StopOnError && len(a.rep.Errors) > 0 {
			return a.rep.Errors[0]
		}
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// markKnown sets the status of the staged events from seq on that the
// store holds already: skipped if with the same content, else conflicts.
func (a *applier) markKnown(ctx context.Context, c execer, seq int) error {
	_, err := c.ExecContext(ctx, `
UPDATE staging SET status = CASE WHEN e.digest = staging.digest THEN 1 ELSE 2 END
FROM events AS e
WHERE e.event_id = staging.event_id AND staging.status = 0 AND staging.seq >= ?1`, seq)
	return err
}

// recount counts skipped events and conflicts from the staging table, and
// reports the conflicts.
func (a *applier) recount(ctx context.Context) error {
	rep := a.rep
	rep.Skipped, rep.Conflicts = 0, 0
	rep.Errors = slices.DeleteFunc(rep.Errors, func(e *RowError) bool { return errors.Is(e.Err, ErrConflict) })
	rows, err := a.conn.QueryContext(ctx, "SELECT status, count(*) FROM staging WHERE status <> 0 GROUP BY status")
	if err != nil {
		return err
	}
	for rows.Next() {
		var st, n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return err
		}
		switch st {
		case stSkip:
			rep.Skipped = n
		case stConflict:
			rep.Conflicts = n
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if rep.Conflicts == 0 {
		return nil
	}
	rows, err = a.conn.QueryContext(ctx, "SELECT line, event_id FROM staging WHERE status = 2 ORDER BY seq LIMIT ?1",
		max(0, MaxErrors-len(rep.Errors)))
	if err != nil {
		return err
	}
	for rows.Next() {
		re := &RowError{Field: "event_id", Err: ErrConflict}
		if err := rows.Scan(&re.Line, &re.EventID); err != nil {
			rows.Close()
			return err
		}
		rep.Errors = append(rep.Errors, re)
	}
	return closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
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

// applyChunk applies the staged events lo through hi in one transaction.
func (a *applier) applyChunk(ctx context.Context, lo, hi int) error {
	tx, err := a.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var dv int64
	if err := tx.QueryRowContext(ctx, "PRAGMA data_version").Scan(&dv); err != nil {
		return err
	}
	if dv != a.dataVersion {
		// Another connection (another process) has written since the
		// statuses were set: set them again for the rest of the feed,
		// now that this transaction holds the write lock.
		a.slow = true
		a.dataVersion = dv
		if err := a.markKnown(ctx, tx, lo); err != nil {
			return err
		}
	}
	var newMembers int64
	if err := tx.QueryRowContext(ctx, `
SELECT count(DISTINCT member_id) FROM staging AS s
WHERE s.seq BETWEEN ?1 AND ?2 AND s.status = 0
  AND NOT EXISTS (SELECT 1 FROM versions AS v WHERE v.member_id = s.member_id)`, lo, hi).Scan(&newMembers); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `
INSERT INTO events (event_id, digest)
SELECT event_id, digest FROM staging WHERE seq BETWEEN ?1 AND ?2 AND status = 0
ORDER BY event_id`, lo, hi)
	if err != nil {
		return err
	}
	applied, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
INSERT INTO versions (member_id, effective, recorded, event_id, kind, name, addr, key)
SELECT member_id, effective, recorded, event_id, kind, name, addr, key
FROM staging WHERE seq BETWEEN ?1 AND ?2 AND status = 0
ORDER BY member_id, effective, recorded, event_id`, lo, hi); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
INSERT INTO meta (name, value) VALUES ('members', ?1)
ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`, newMembers); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
INSERT INTO meta (name, value)
SELECT 'newest', max(recorded) FROM staging WHERE seq BETWEEN ?1 AND ?2 AND status = 0
HAVING count(*) > 0
ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`, lo, hi); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	a.rep.Applied += int(applied)
	return nil
}

// finish marks the apply complete: no feed pending, and the time.
func (a *applier) finish(ctx context.Context) error {
	_, err := a.conn.ExecContext(ctx, `
DELETE FROM meta WHERE name = 'pending';
INSERT INTO meta (name, value) VALUES ('last_apply', ?1)
ON CONFLICT (name) DO UPDATE SET value = excluded.value`, a.s.now().UnixNano())
	return err
}

func isConstraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
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
