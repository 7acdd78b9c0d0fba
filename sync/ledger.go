package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/internal/writeback"
)

// The ledger records what the gate decided for every piece of every batch,
// so that what was released, held and blocked can be counted exactly after
// the fact: for a reviewer, an audit, a breach report. It holds ids, statuses
// and decisions, never a name or an address.

// Errors of the ledger's read and review calls. They are wrapped with the
// batch and piece ids concerned.
var (
	ErrNoBatch          = errors.New("no such batch in the ledger")
	ErrBatchUnfinished  = errors.New("batch did not finish")
	ErrNoPiece          = errors.New("no such piece in the batch")
	ErrNotQuarantined   = errors.New("piece is not quarantined")
	ErrAmbiguousPiece   = errors.New("more than one quarantined piece has this id")
	ErrReviewed         = errors.New("piece was reviewed before")
	ErrReviewIncomplete = errors.New("a review needs a decision (release or block), a reviewer and a reason")
	ErrLedgerClosed     = errors.New("ledger is finished or closed")
)

// ledgerCommitRows is how many verdicts a ledger commits at a time. A run
// that dies keeps the verdicts of the chunks it committed; running the batch
// again replaces them.
const ledgerCommitRows = 1 << 16

// A Ledger records the verdicts of one batch in the store. It is the
// [address.VerdictSink] to hand to [address.Gate.Check]:
//
//	l, err := st.Ledger(ctx, batchID, asOf)
//	...
//	defer l.Close()
//	out, err := gate.Check(ctx, pieces, l)
//
// Verdicts are written by a goroutine of the ledger's own, on the store's
// writer connection, in transactions of 65,536 rows, so that writing the
// ledger overlaps judging the next pieces. Finish waits for every row, then
// records the outcome and checks that the rows account for every piece;
// only when Finish has returned nil may a released piece be printed.
//
// The verdicts are stored in chunks of up to 8,192 pieces, a row of table
// verdict_chunks each; the view verdicts has a row per piece, for SQL
// readers of the store.
//
// Each time a batch id is run is a run, numbered from 1 ([Batch].Run). No
// finished run's record is lost, so that what any run released can be
// counted after the fact:
//  1. A batch id not in the ledger starts run 1.
//  2. A batch id whose current run finished, halted or not, keeps that run
//     (its record in table runs, its verdicts in run_chunks and the view
//     run_verdicts; [Store.Runs], [Store.Released]) and starts the next
//     run, which is current from then on for [Store.Batch],
//     [Store.Entries] and [Store.Review]. The pieces a finished run
//     released may have been printed; a halted run released none, but its
//     record that it halted is history too.
//  3. A batch id whose current run did not finish (its check failed, or
//     the process died: nothing it judged was released) starts that run
//     again, under the same number: the new run replaces its verdicts as
//     it goes (a chunk replaces the chunks of the run before that hold the
//     same pieces' places in the batch) and ends with exactly the rows of
//     a run that was never interrupted.
//
// A reviewer's decision applies to the verdict it was made on, in this run
// or a later one while the verdict is the same; see [Store.Review]. While
// a Ledger is open it holds the store's writer: an Apply in the same
// process waits for it.
type Ledger struct {
	st      *Store
	batchID string
	id      int64
	run     int64
	conn    *sql.Conn

	seq    int64
	rows   chan []ledgerRow
	free   chan []ledgerRow
	done   chan struct{}
	werr   atomic.Pointer[error]
	closed bool
}

type ledgerRow struct {
	piece, member, detail, version string
	line                           int64
	phi                            bool
	status                         address.Status
	decision                       address.Decision
}

var _ address.VerdictSink = (*Ledger)(nil)

// Ledger starts a run of batch batchID in the ledger, judged as of asOf:
// the batch's first, its next, or its unfinished one again (see [Ledger]). The batch id names the batch: the same pieces should get the same
// id (example/preprint makes it from a digest of the batch file).
func (s *Store) Ledger(ctx context.Context, batchID string, asOf time.Time) (*Ledger, error) {
	if batchID == "" {
		return nil, errors.New("pgsync: ledger: empty batch id")
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgsync: ledger: %w", err)
	}
	l := &Ledger{st: s, batchID: batchID, conn: conn}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -ledgerCacheKiB)); err != nil {
		l.release()
		return nil, fmt.Errorf("pgsync: ledger: %w", err)
	}
	if err := l.start(ctx, asOf); err != nil {
		l.release()
		return nil, fmt.Errorf("pgsync: ledger: batch %s: %w", batchID, err)
	}
	ins, err := l.prepare(ctx)
	if err != nil {
		l.release()
		return nil, fmt.Errorf("pgsync: ledger: batch %s: %w", batchID, err)
	}
	l.rows = make(chan []ledgerRow, 2)
	l.free = make(chan []ledgerRow, 3)
	l.done = make(chan struct{})
	go l.write(ctx, ins)
	return l, nil
}

// start records the start of a run of the batch, in one transaction: a
// new batch is run 1; a batch whose current run finished (halted or not)
// keeps that run in runs and run_chunks, and starts the next; a batch
// whose current run died starts it again, its rows to be replaced.
func (l *Ledger) start(ctx context.Context, asOf time.Time) (err error) {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := l.st.now().UnixNano()
	var finished sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, run, finished FROM batches WHERE batch_id = ?`, l.batchID).Scan(&l.id, &l.run, &finished)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		l.run = 1
		err = tx.QueryRowContext(ctx, `INSERT INTO batches (batch_id, asof, started, run) VALUES (?, ?, ?, 1) RETURNING id`,
			l.batchID, asOf.UnixNano(), now).Scan(&l.id)
		if err != nil {
			return err
		}
		return tx.Commit()
	case err != nil:
		return err
	}
	if finished.Valid {
		// Keep the finished run: what it released may have been printed.
		for _, q := range []string{
			`INSERT INTO runs (batch, run, asof, started, finished, pieces, released, quarantined, blocked, halted, halt_reason, source_newest)
				SELECT id, run, asof, started, finished, pieces, released, quarantined, blocked, halted, halt_reason, source_newest
				FROM batches WHERE id = ?1`,
			`INSERT INTO run_chunks (batch, run, seq, n, released, quarantined, blocked, rows)
				SELECT batch, ?2, seq, n, released, quarantined, blocked, rows FROM verdict_chunks WHERE batch = ?1`,
			`DELETE FROM verdict_chunks WHERE batch = ?1`,
		} {
			if _, err := tx.ExecContext(ctx, q, l.id, l.run); err != nil {
				return err
			}
		}
		l.run++
	}
	if _, err := tx.ExecContext(ctx, `UPDATE batches SET run = ?, asof = ?, started = ?, finished = NULL, pieces = 0, released = 0,
			quarantined = 0, blocked = 0, halted = 0, halt_reason = '', source_newest = NULL WHERE id = ?`,
		l.run, asOf.UnixNano(), now, l.id); err != nil {
		return err
	}
	return tx.Commit()
}

// ledgerChunkRows is the most verdicts one row of verdict_chunks holds.
const ledgerChunkRows = 8192

// The statements of the ledger's writer. A chunk of verdicts is one row of
// verdict_chunks, its verdicts one JSON text; a chunk written again (the
// batch run again) replaces every chunk it overlaps.
const (
	deleteChunks = `DELETE FROM verdict_chunks WHERE batch = ?1 AND seq < ?2 + ?3 AND seq + n > ?2`
	insertChunk  = `INSERT INTO verdict_chunks (batch, seq, n, released, quarantined, blocked, rows) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TEXT))`
)

type ledgerStmts struct{ del, ins *sql.Stmt }

func (l *Ledger) prepare(ctx context.Context) (*ledgerStmts, error) {
	del, err := l.conn.PrepareContext(ctx, deleteChunks)
	if err != nil {
		return nil, err
	}
	ins, err := l.conn.PrepareContext(ctx, insertChunk)
	if err != nil {
		del.Close()
		return nil, err
	}
	return &ledgerStmts{del, ins}, nil
}

func (st *ledgerStmts) Close() { st.del.Close(); st.ins.Close() }

// writeChunk writes rows, the verdicts of pieces seq on.
func (st *ledgerStmts) writeChunk(ctx context.Context, batch, seq int64, rows []ledgerRow, buf []byte) ([]byte, error) {
	var counts [4]int64
	for i := range rows {
		if d := rows[i].decision; d >= address.Release && d <= address.Block {
			counts[d]++
		}
	}
	if _, err := st.del.ExecContext(ctx, batch, seq, len(rows)); err != nil {
		return buf, err
	}
	buf = appendRows(buf[:0], rows)
	// Bound as bytes, which the driver copies as it binds, and stored as
	// text by the CAST: SQLite's JSON functions take a blob for JSONB. A
	// Go string of buf would be a copy of its own, half a megabyte a
	// chunk: 23 MB of the 202 MB a 337,755-piece batch allocated.
	_, err := st.ins.ExecContext(ctx, batch, seq, len(rows), counts[address.Release], counts[address.Quarantine],
		counts[address.Block], buf)
	return buf, err
}

// appendRows appends rows to buf as a JSON array of arrays.
func appendRows(buf []byte, rows []ledgerRow) []byte {
	buf = append(buf, '[')
	for i := range rows {
		r := &rows[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		buf = appendJSONString(buf, r.piece)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, r.line, 10)
		buf = append(buf, ',')
		buf = appendJSONString(buf, r.member)
		buf = append(buf, ',')
		if r.phi {
			buf = append(buf, '1')
		} else {
			buf = append(buf, '0')
		}
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(r.status), 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(r.decision), 10)
		buf = append(buf, ',')
		buf = appendJSONString(buf, r.detail)
		buf = append(buf, ',')
		buf = appendJSONString(buf, r.version)
		buf = append(buf, ']')
	}
	return append(buf, ']')
}

// appendJSONString appends s as a JSON string. Bytes that are not valid
// UTF-8 are written as U+FFFD, as encoding/json does.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			i++
			continue
		}
		if c < 0x80 {
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, "\\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// Verdicts implements [address.VerdictSink]: it queues the verdicts for the
// ledger's writer and returns. It copies what it keeps of them.
func (l *Ledger) Verdicts(ctx context.Context, vs []address.Verdict) error {
	if l.closed {
		return ErrLedgerClosed
	}
	if err := l.err(); err != nil {
		return err
	}
	var rows []ledgerRow
	select {
	case rows = <-l.free:
	default:
		rows = make([]ledgerRow, 0, len(vs))
	}
	for i := range vs {
		v := &vs[i]
		p := v.Piece
		rows = append(rows, ledgerRow{
			piece: p.Key(), member: p.MemberID, detail: v.Detail, version: v.VersionID,
			line: int64(p.Line), phi: p.PHI, status: v.Status, decision: v.Decision,
		})
	}
	select {
	case l.rows <- rows:
		return nil
	case <-l.done:
		return l.err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Ledger) err() error {
	if p := l.werr.Load(); p != nil {
		return *p
	}
	return nil
}

func (l *Ledger) fail(err error) {
	err = fmt.Errorf("pgsync: ledger: batch %s: %w", l.batchID, err)
	l.werr.CompareAndSwap(nil, &err)
}

// write is the ledger's writer goroutine: it inserts the queued rows, in
// transactions of ledgerCommitRows, until l.rows is closed, and commits.
// After an error it drains the queue, so that Verdicts never blocks.
func (l *Ledger) write(ctx context.Context, st *ledgerStmts) {
	defer close(l.done)
	defer st.Close()
	// Finish's commit waits for the write-ahead log to be durable: all of
	// the batch's verdicts, megabytes of them. Each commit's are synced in
	// the background as the batch goes (on a descriptor of our own, which
	// only syncs: SQLite's own sync still sees any error), so that the
	// last waits for the last commit's only. (Not on Windows, where a
	// file must be open for writing to be synced.)
	var wal *writeback.Syncer
	if runtime.GOOS != "windows" {
		if f, err := os.Open(l.st.path + "-wal"); err == nil {
			wal = writeback.NewSyncer(f)
			defer f.Close()
			defer wal.Wait()
		}
	}
	inTx, pending := false, 0
	var buf []byte
	for rows := range l.rows {
		if l.err() != nil {
			continue
		}
		err := func() error {
			if !inTx {
				if _, err := l.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
					return err
				}
				inTx = true
			}
			for c := range slices.Chunk(rows, ledgerChunkRows) {
				var err error
				if buf, err = st.writeChunk(ctx, l.id, l.seq, c, buf); err != nil {
					return err
				}
				l.seq += int64(len(c))
				pending += len(c)
			}
			if pending >= ledgerCommitRows {
				pending, inTx = 0, false
				if _, err := l.conn.ExecContext(ctx, "COMMIT"); err != nil {
					return err
				}
				if wal != nil {
					wal.Start()
				}
			}
			return nil
		}()
		if err != nil {
			l.fail(err)
			continue
		}
		select {
		case l.free <- rows[:0]:
		default:
		}
	}
	if inTx {
		if l.err() == nil {
			if _, err := l.conn.ExecContext(ctx, "COMMIT"); err != nil {
				l.fail(err)
			}
		}
		if l.err() != nil {
			l.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}
}

// stop closes the queue and waits for the writer.
func (l *Ledger) stop() error {
	if !l.closed {
		l.closed = true
		close(l.rows)
		<-l.done
	}
	return l.err()
}

// Finish implements [address.VerdictSink]: it waits until every verdict is
// written, then, in one transaction, holds every release of a halted batch
// (decision quarantine, detail "batch halted: " and the reason), removes the
// rows an earlier run of the same batch id left beyond this run's pieces,
// records the outcome, and checks that the rows account for every piece:
// pieces = released + quarantined + blocked, as the outcome says.
func (l *Ledger) Finish(ctx context.Context, out address.Outcome) error {
	if l.closed {
		return ErrLedgerClosed
	}
	if err := l.stop(); err != nil {
		l.release()
		return err
	}
	defer l.release()
	if int64(out.Pieces) != l.seq {
		return fmt.Errorf("pgsync: ledger: batch %s: the outcome counts %d pieces, the ledger was given %d", l.batchID, out.Pieces, l.seq)
	}
	err := l.finish(ctx, out)
	if err != nil {
		return fmt.Errorf("pgsync: ledger: batch %s: %w", l.batchID, err)
	}
	return nil
}

func (l *Ledger) finish(ctx context.Context, out address.Outcome) (err error) {
	c := l.conn
	// The store commits with synchronous=NORMAL, which a power loss may
	// undo; the commit that ends a batch is made durable (the WAL synced)
	// before Finish returns and its releases may be printed.
	if _, err := c.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return err
	}
	defer c.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL")
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if _, err := c.ExecContext(ctx, `DELETE FROM verdict_chunks WHERE batch = ? AND seq >= ?`, l.id, l.seq); err != nil {
		return err
	}
	// The gate's decisions, as the chunks count them.
	var n, rel, q, blk int
	if err := c.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0), coalesce(sum(released), 0), coalesce(sum(quarantined), 0),
			coalesce(sum(blocked), 0) FROM verdict_chunks WHERE batch = ?`, l.id).Scan(&n, &rel, &q, &blk); err != nil {
		return err
	}
	if out.Halted {
		// The pieces a halted batch would have released are held: the
		// outcome counts them quarantined, and so does the verdicts view.
		rel, q = 0, q+rel
	}
	if n != out.Pieces || rel+q+blk != n || rel != out.Released || q != out.Quarantined || blk != out.Blocked {
		return fmt.Errorf("ledger rows (%d: %d released, %d quarantined, %d blocked) do not account for the outcome (%d pieces: %d released, %d quarantined, %d blocked)",
			n, rel, q, blk, out.Pieces, out.Released, out.Quarantined, out.Blocked)
	}
	var newest any
	if !out.SourceNewest.IsZero() {
		newest = out.SourceNewest.UnixNano()
	}
	if _, err := c.ExecContext(ctx, `UPDATE batches SET asof = ?, finished = ?, pieces = ?, released = ?, quarantined = ?,
		blocked = ?, halted = ?, halt_reason = ?, source_newest = ? WHERE id = ?`,
		out.AsOf.UnixNano(), l.st.now().UnixNano(), out.Pieces, rel, q, blk, out.Halted, out.HaltReason, newest, l.id); err != nil {
		return err
	}
	if err := l.supersedeReviews(ctx); err != nil {
		return err
	}
	_, err = c.ExecContext(ctx, "COMMIT")
	return err
}

// supersedeReviews moves the batch's reviews that do not apply to this
// run's verdicts (see [Store.Review]) to superseded_reviews. It runs in
// Finish's transaction, after the batch's record is updated (a halted
// batch's releases are quarantined in the verdicts view).
func (l *Ledger) supersedeReviews(ctx context.Context) error {
	var has bool
	if err := l.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM reviews WHERE batch = ?)`, l.id).Scan(&has); err != nil || !has {
		return err
	}
	// The verdicts view is read once (CROSS JOIN keeps it outside), each
	// of its rows looking up a review by its key.
	const applying = `SELECT v.seq FROM verdicts AS v CROSS JOIN reviews AS r ON r.batch = v.batch AND r.seq = v.seq
		WHERE v.batch = ?1 AND ` + reviewApplies
	now := l.st.now().UnixNano()
	if _, err := l.conn.ExecContext(ctx, `
		INSERT INTO superseded_reviews (batch, seq, run, piece, member_id, status, detail, version, decision, reviewer, reason, at, superseded, by_run)
		SELECT batch, seq, run, piece, member_id, status, detail, version, decision, reviewer, reason, at, ?2, ?3 FROM reviews
		WHERE batch = ?1 AND seq NOT IN (`+applying+`)`, l.id, now, l.run); err != nil {
		return err
	}
	_, err := l.conn.ExecContext(ctx, `DELETE FROM reviews WHERE batch = ?1 AND seq NOT IN (`+applying+`)`, l.id)
	return err
}

// reviewApplies is the condition on a review r and a verdict v of the
// same batch and seq under which the review applies to the verdict: it
// was made on the same piece of the same member with the same status and
// detail, judged against the same address version, and the piece is
// quarantined.
const reviewApplies = `r.piece = v.piece AND r.member_id = v.member_id AND r.status = v.status AND r.detail = v.detail
	AND r.version = v.version AND v.decision = 2`

// release gives the writer connection back to the store, with the store's
// page cache size.
func (l *Ledger) release() error {
	_, err := l.conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = %d", -writerCacheKiB))
	return errors.Join(err, l.conn.Close())
}

// Close releases the ledger's writer connection. After Finish it does
// nothing; before (the check failed), it commits the verdicts given so far
// and leaves the batch unfinished: running it again judges it anew.
func (l *Ledger) Close() error {
	if l.closed {
		return nil
	}
	err := l.stop()
	return errors.Join(err, l.release())
}

// A Batch is a batch's record in the ledger.
type Batch struct {
	BatchID string
	// Run numbers the runs of the batch id, from 1: see [Ledger].
	Run      int
	AsOf     time.Time
	Started  time.Time
	Finished time.Time // zero: the batch is running, or its run died
	// The counts of the finished batch, as the ledger's rows give them:
	// Pieces = Released + Quarantined + Blocked. A reviewer's decisions do
	// not change them; see Reviewed.
	Pieces, Released, Quarantined, Blocked int
	Halted                                 bool
	HaltReason                             string
	SourceNewest                           time.Time
	// ByStatus counts the batch's pieces by status.
	ByStatus map[address.Status]int
	// Reviewed counts the quarantined pieces a reviewer released or
	// blocked, by the reviews that apply to the run's verdicts (see
	// [Store.Review]).
	Reviewed map[address.Decision]int
}

// Batch returns the ledger's record of batch batchID's current run (its
// latest), with its counts by status from its rows. [ErrNoBatch] if there
// is none. [Store.Runs] lists the runs before it.
func (s *Store) Batch(ctx context.Context, batchID string) (Batch, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Batch{}, fmt.Errorf("pgsync: batch %s: %w", idText(batchID), err)
	}
	defer tx.Rollback()
	b := Batch{BatchID: batchID, ByStatus: map[address.Status]int{}, Reviewed: map[address.Decision]int{}}
	var id, asof, started int64
	var finished, newest sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, run, asof, started, finished, pieces, released, quarantined, blocked, halted, halt_reason, source_newest
		FROM batches WHERE batch_id = ?`, batchID).Scan(&id, &b.Run, &asof, &started, &finished, &b.Pieces, &b.Released,
		&b.Quarantined, &b.Blocked, &b.Halted, &b.HaltReason, &newest)
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, fmt.Errorf("pgsync: batch %s: %w", idText(batchID), ErrNoBatch)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("pgsync: batch %s: %w", idText(batchID), err)
	}
	b.AsOf, b.Started = time.Unix(0, asof).UTC(), time.Unix(0, started).UTC()
	if finished.Valid {
		b.Finished = time.Unix(0, finished.Int64).UTC()
	}
	if newest.Valid {
		b.SourceNewest = time.Unix(0, newest.Int64).UTC()
	}
	count := func(q string, put func(k, n int), args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, n int
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			put(k, n)
		}
		return rows.Err()
	}
	if err := count(`SELECT status, count(*) FROM verdicts WHERE batch = ? GROUP BY status`,
		func(k, n int) { b.ByStatus[address.Status(k)] = n }, id); err != nil {
		return Batch{}, fmt.Errorf("pgsync: batch %s: %w", idText(batchID), err)
	}
	if err := count(`SELECT r.decision, count(*) FROM verdicts v CROSS JOIN reviews r ON r.batch = v.batch AND r.seq = v.seq
			WHERE v.batch = ? AND `+reviewApplies+` GROUP BY r.decision`,
		func(k, n int) { b.Reviewed[address.Decision(k)] = n }, id); err != nil {
		return Batch{}, fmt.Errorf("pgsync: batch %s: %w", idText(batchID), err)
	}
	return b, nil
}

// An Entry is one piece's row in the ledger.
type Entry struct {
	Seq       int    // the piece's place in the batch, from 0
	Piece     string // the piece's id, or "line N" when it had none
	Line      int    // the piece's line in the batch file; 0 if unknown
	MemberID  string
	PHI       bool
	Status    address.Status
	Decision  address.Decision // the gate's
	Detail    string
	VersionID string  // event id of the address version judged against
	Review    *Review // nil unless a reviewer decided, by a review that applies to this verdict
}

// Final is the piece's decision in the end: the reviewer's, if the gate
// quarantined it and a reviewer decided, else the gate's.
func (e Entry) Final() address.Decision {
	if e.Review != nil && e.Decision == address.Quarantine {
		return e.Review.Decision
	}
	return e.Decision
}

// A Review is a reviewer's decision on a quarantined piece.
type Review struct {
	Decision address.Decision // Release or Block
	Reviewer string
	Reason   string
	At       time.Time
}

// An entryRow scans the columns of an Entry that a ledger query selects:
// seq, piece, line, member_id, phi, status, decision, detail, version, and
// the review's decision, reviewer, reason and time (NULL when none).
type entryRow struct {
	rd, rat  sql.NullInt64
	who, why sql.NullString
}

func (r *entryRow) dest(e *Entry) []any {
	return []any{&e.Seq, &e.Piece, &e.Line, &e.MemberID, &e.PHI, &e.Status, &e.Decision, &e.Detail, &e.VersionID,
		&r.rd, &r.who, &r.why, &r.rat}
}

// review sets e's Review from the columns scanned, if it had one.
func (r *entryRow) review(e *Entry) {
	if r.rd.Valid {
		e.Review = &Review{Decision: address.Decision(r.rd.Int64), Reviewer: r.who.String, Reason: r.why.String,
			At: time.Unix(0, r.rat.Int64).UTC()}
	}
}

// readBatch begins a read transaction and finds in it the row id of batch
// batchID ([ErrNoBatch] if there is none). The caller rolls tx back.
func (s *Store) readBatch(ctx context.Context, batchID string) (tx *sql.Tx, id int64, err error) {
	tx, err = s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM batches WHERE batch_id = ?`, batchID).Scan(&id)
	if err != nil {
		tx.Rollback()
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNoBatch
		}
		return nil, 0, err
	}
	return tx, id, nil
}

// Entries returns the ledger rows of batch batchID's current run in input
// order, each with the review that applies to it, if any (see
// [Store.Review]).
func (s *Store) Entries(ctx context.Context, batchID string) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		wrap := func(err error) error { return fmt.Errorf("pgsync: batch %s: %w", idText(batchID), err) }
		tx, id, err := s.readBatch(ctx, batchID)
		if err != nil {
			yield(Entry{}, wrap(err))
			return
		}
		defer tx.Rollback()
		rows, err := tx.QueryContext(ctx, `SELECT v.seq, v.piece, v.line, v.member_id, v.phi, v.status, v.decision, v.detail, v.version,
				r.decision, r.reviewer, r.reason, r.at
			FROM verdicts v LEFT JOIN reviews r ON r.batch = v.batch AND r.seq = v.seq AND `+reviewApplies+`
			WHERE v.batch = ? ORDER BY v.seq`, id)
		if err != nil {
			yield(Entry{}, wrap(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var e Entry
			var er entryRow
			if err := rows.Scan(er.dest(&e)...); err != nil {
				yield(Entry{}, wrap(err))
				return
			}
			er.review(&e)
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Entry{}, wrap(err))
		}
	}
}

// Review records a reviewer's decision on a quarantined piece of a finished
// batch's current run: release it (it may be printed) or block it (it must
// be made again). The piece is named by its id (or "line N", as the ledger
// names a piece that had none). A piece is reviewed once.
//
// A review is of one verdict: the piece's place in the batch, its key, its
// member, its status and detail and the address version it was judged
// against, quarantined. When the batch id is run again, the review applies
// to the new run's verdict only if that is the same (the same piece,
// member, status, detail and version, quarantined: a member who moved has
// another version); else the new run's Finish
// supersedes it: it is kept, with who and why and the verdict it was made
// on, in table superseded_reviews, and applies to nothing (no Entry shows
// it, no Final follows it, Batch does not count it; [Store.Released] lists
// a superseded release as what it was). The piece is then reviewed anew.
// While a run is unfinished, its verdicts are shown with the reviews that
// apply to them only.
func (s *Store) Review(ctx context.Context, batchID, pieceID string, d address.Decision, reviewer, reason string) error {
	wrap := func(err error) error {
		return fmt.Errorf("pgsync: review of piece %s of batch %s: %w", pieceText(pieceID), idText(batchID), err)
	}
	if d != address.Release && d != address.Block || strings.TrimSpace(reviewer) == "" || strings.TrimSpace(reason) == "" {
		return wrap(ErrReviewIncomplete)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	var id, run int64
	var finished sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, run, finished FROM batches WHERE batch_id = ?`, batchID).Scan(&id, &run, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return wrap(ErrNoBatch)
	}
	if err != nil {
		return wrap(err)
	}
	if !finished.Valid {
		return wrap(ErrBatchUnfinished)
	}
	rows, err := tx.QueryContext(ctx, `SELECT v.seq, v.member_id, v.status, v.detail, v.version, v.decision, r.seq IS NOT NULL FROM verdicts v
		LEFT JOIN reviews r ON r.batch = v.batch AND r.seq = v.seq WHERE v.batch = ? AND v.piece = ?`, id, pieceID)
	if err != nil {
		return wrap(err)
	}
	found, seq, held := false, int64(-1), 0
	reviewed := false
	var member, detail, version string
	var status address.Status
	for rows.Next() {
		var s int64
		var m, det, ver string
		var st address.Status
		var dec address.Decision
		var rev bool
		if err := rows.Scan(&s, &m, &st, &det, &ver, &dec, &rev); err != nil {
			rows.Close()
			return wrap(err)
		}
		found = true
		if dec == address.Quarantine {
			held++
			seq, member, status, detail, version, reviewed = s, m, st, det, ver, rev
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return wrap(err)
	}
	switch {
	case !found:
		return wrap(ErrNoPiece)
	case held == 0:
		return wrap(ErrNotQuarantined)
	case held > 1:
		return wrap(ErrAmbiguousPiece)
	case reviewed:
		return wrap(ErrReviewed)
	}
	// A finished run's Finish superseded every review that does not apply
	// to its verdicts: a review at seq is of this verdict.
	if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (batch, seq, decision, reviewer, reason, at, run, piece, member_id, status, detail, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, seq, int64(d), reviewer, reason, s.now().UnixNano(), run, pieceID, member, int64(status), detail, version); err != nil {
		return wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// idText is a batch id for an error message: the id if it is well-formed,
// else a note that it is not, so that a name or an address given as an id
// (a shifted column, a wrong flag) is not echoed.
func idText(id string) string {
	if validID(id) {
		return id
	}
	return "(id not well-formed)"
}

// pieceText is idText for a piece's key, which may also be "line N".
func pieceText(key string) string {
	if n, ok := strings.CutPrefix(key, "line "); ok {
		if _, err := strconv.ParseUint(n, 10, 31); err == nil {
			return strconv.Quote(key)
		}
	}
	if validID(key) {
		return strconv.Quote(key)
	}
	return "(piece id not well-formed)"
}

// Runs returns the records of every run of batch batchID, run 1 first, its
// current run last (as [Store.Batch] returns it). The records of the runs
// before the current one have no counts by status or reviews (ByStatus and
// Reviewed are nil). [ErrNoBatch] if there is none.
func (s *Store) Runs(ctx context.Context, batchID string) ([]Batch, error) {
	wrap := func(err error) error { return fmt.Errorf("pgsync: runs of batch %s: %w", idText(batchID), err) }
	cur, err := s.Batch(ctx, batchID)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.run, r.asof, r.started, r.finished, r.pieces, r.released, r.quarantined, r.blocked,
			r.halted, r.halt_reason, r.source_newest
		FROM runs r JOIN batches b ON b.id = r.batch WHERE b.batch_id = ? AND r.run < ? ORDER BY r.run`, batchID, cur.Run)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var runs []Batch
	for rows.Next() {
		b := Batch{BatchID: batchID}
		var asof, started, finished int64
		var newest sql.NullInt64
		if err := rows.Scan(&b.Run, &asof, &started, &finished, &b.Pieces, &b.Released, &b.Quarantined, &b.Blocked,
			&b.Halted, &b.HaltReason, &newest); err != nil {
			return nil, wrap(err)
		}
		b.AsOf, b.Started, b.Finished = time.Unix(0, asof).UTC(), time.Unix(0, started).UTC(), time.Unix(0, finished).UTC()
		if newest.Valid {
			b.SourceNewest = time.Unix(0, newest.Int64).UTC()
		}
		runs = append(runs, b)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return append(runs, cur), nil
}

// A Release is a piece that a run of a batch released: the gate, in a
// finished run that did not halt, or a reviewer.
type Release struct {
	// Run is the run whose verdict of the piece Entry is: the gate's
	// release, or the quarantine the reviewer released.
	Run int
	Entry
	// Superseded is true for a reviewer's release that a later run
	// superseded (see [Store.Review]): it applies no more, but the piece
	// may have been printed.
	Superseded bool
}

// Released returns every release of batch batchID's pieces, in any of its
// runs, run by run, in input order: the pieces the gate released in a
// finished run that did not halt, and those a reviewer released (Entry's
// Review is the reviewer's), superseded or not. A piece released by two
// runs is there twice: each run's release may have been printed. This is
// what a breach report counts. [ErrNoBatch] if there is no such batch.
func (s *Store) Released(ctx context.Context, batchID string) iter.Seq2[Release, error] {
	return func(yield func(Release, error) bool) {
		wrap := func(err error) error { return fmt.Errorf("pgsync: releases of batch %s: %w", idText(batchID), err) }
		tx, id, err := s.readBatch(ctx, batchID)
		if err != nil {
			yield(Release{}, wrap(err))
			return
		}
		defer tx.Rollback()
		// Every run's verdicts, whether its releases stand (finished and
		// not halted; a halted run's view quarantines them), and every
		// reviewer's release, with the runs it applied to: a review made
		// in run r applies to each later run whose verdict of the piece
		// is the same, up to the current run while it stands, or up to
		// the run before the one that superseded it.
		rows, err := tx.QueryContext(ctx, `
			WITH v (run, fin, seq, piece, line, member_id, phi, status, decision, detail, version) AS (
				SELECT b.run, b.finished IS NOT NULL, v.seq, v.piece, v.line, v.member_id, v.phi, v.status, v.decision, v.detail, v.version
				FROM verdicts v JOIN batches b ON b.id = v.batch WHERE v.batch = ?1
				UNION ALL
				SELECT run, 1, seq, piece, line, member_id, phi, status, decision, detail, version FROM run_verdicts WHERE batch = ?1),
			r (first, last, seq, piece, member_id, status, detail, version, decision, reviewer, reason, at, superseded) AS MATERIALIZED (
				SELECT run, (SELECT run FROM batches WHERE id = ?1), seq, piece, member_id, status, detail, version,
					decision, reviewer, reason, at, 0 FROM reviews WHERE batch = ?1 AND decision = 1
				UNION ALL
				SELECT run, by_run - 1, seq, piece, member_id, status, detail, version,
					decision, reviewer, reason, at, 1 FROM superseded_reviews WHERE batch = ?1 AND decision = 1)
			SELECT v.run, v.seq, v.piece, v.line, v.member_id, v.phi, v.status, v.decision, v.detail, v.version,
				r.decision, r.reviewer, r.reason, r.at, coalesce(r.superseded, 0)
			FROM v LEFT JOIN r ON r.seq = v.seq AND v.run BETWEEN r.first AND r.last AND `+reviewApplies+`
			WHERE v.fin AND v.decision = 1 OR r.decision = 1
			ORDER BY v.run, v.seq`, id)
		if err != nil {
			yield(Release{}, wrap(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var r Release
			var er entryRow
			if err := rows.Scan(append(append([]any{&r.Run}, er.dest(&r.Entry)...), &r.Superseded)...); err != nil {
				yield(Release{}, wrap(err))
				return
			}
			er.review(&r.Entry)
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Release{}, wrap(err))
		}
	}
}

// Batches returns the ids of the ledger's batches, oldest start first.
func (s *Store) Batches(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT batch_id FROM batches ORDER BY started, id`)
	if err != nil {
		return nil, fmt.Errorf("pgsync: batches: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("pgsync: batches: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgsync: batches: %w", err)
	}
	return ids, nil
}
