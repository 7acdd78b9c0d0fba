package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	gosync "sync"
	"time"

	"github.com/printgate/printgate/address"
)

// A Snapshot reads the store as it was at one moment: its histories, holds
// and freshness stay those of the moment it was taken, whatever commits after
// (an apply, in this process or another, or a ledger's verdicts). It is
// the [address.HistorySource] for judging a whole batch: every piece is
// judged against the same source of truth, and the freshness the gate
// reports ([address.Outcome.SourceNewest]) is that of the histories the
// pieces were judged against.
//
// Reading through a snapshot is also faster than through the Store. A
// connection maps the store's file into memory, and SQLite drops a
// connection's mapping, and its cache, whenever a read transaction starts
// after another connection committed: a reader whose transactions
// interleave with a ledger's writes faults every page in again. A
// snapshot's connections each keep one transaction, and their mappings,
// from the start: on the batch job's 337,755-piece batch against
// 12,500,000 members, that halves its page faults, from about 129,000
// to 67,000, and its system time.
//
// A snapshot holds connections of its own (one per read part, as
// [Store.Histories] cuts large calls) and keeps the store's write-ahead
// log from being checkpointed past its moment, so that the log grows with
// what is committed while it is open: close it when the batch is done. A
// read that fails ends the snapshot (later reads return the failure),
// except one whose context the caller cancelled. Its methods are safe for
// concurrent use.
type Snapshot struct {
	s      *Store
	pivots []string
	parts  []readPart // pinned, each with the snapshot's read transaction open
	holds  map[string][]address.UnappliedEvent

	closeOnce gosync.Once
	closeErr  error
}

var _ address.UnattributedSource = (*Snapshot)(nil)

// errSnapshotClosed is what a closed snapshot's reads return.
var errSnapshotClosed = errors.New("snapshot is closed")

// snapshotTries bounds the attempts to take a snapshot while the store
// keeps changing: each attempt takes about a millisecond (on this
// project's 2-core machine, opening two connections), and fails only if a
// commit lands within it.
const snapshotTries = 100

// Snapshot takes a snapshot of the store as it is now. If the store keeps
// being written while its connections are being readied, it tries again,
// a bounded number of times.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) {
	pivots, _ := s.split(ctx)
	for try := 0; ; try++ {
		sn, err := s.trySnapshot(ctx, pivots)
		if !errors.Is(err, errMoved) {
			return sn, err
		}
		if try == snapshotTries {
			return nil, fmt.Errorf("pgsync: snapshot: the store changed during each of %d attempts", try+1)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("pgsync: snapshot: %w", ctx.Err())
		case <-time.After(time.Duration(try) * time.Millisecond):
		}
	}
}

// errMoved: a commit landed while a snapshot's transactions were being
// begun, so they may not all see the same state.
var errMoved = errors.New("store changed while the snapshot was taken")

// trySnapshot begins a read transaction on a connection per part, and
// checks that no commit landed between the first and the last:
// PRAGMA data_version, read on one connection before and after, changes
// if any connection, of any process, committed in between.
func (s *Store) trySnapshot(ctx context.Context, pivots []string) (*Snapshot, error) {
	watch, err := s.snaps.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgsync: snapshot: %w", err)
	}
	defer watch.Close()
	var before, after int64
	if err := watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&before); err != nil {
		return nil, fmt.Errorf("pgsync: snapshot: %w", err)
	}
	sn := &Snapshot{s: s, pivots: pivots, parts: make([]readPart, len(pivots)+1)}
	for i := range sn.parts {
		if err := sn.parts[i].pin(ctx, s.snaps); err != nil {
			sn.Close()
			return nil, fmt.Errorf("pgsync: snapshot: %w", err)
		}
	}
	if err := watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&after); err != nil {
		sn.Close()
		return nil, fmt.Errorf("pgsync: snapshot: %w", err)
	}
	if after != before {
		sn.Close()
		return nil, errMoved
	}
	// In the first part's transaction: the holds of the snapshot's moment.
	if sn.holds, err = standingHolds(ctx, sn.parts[0].conn); err != nil {
		sn.Close()
		return nil, fmt.Errorf("pgsync: snapshot: %w", err)
	}
	return sn, nil
}

// pin readies p as a snapshot's part: a connection from db with
// historiesQuery prepared, and a read transaction begun and holding its
// view of the store (a transaction takes its view at its first read).
func (p *readPart) pin(ctx context.Context, db *sql.DB) error {
	p.pinned = true
	c, err := db.Conn(ctx)
	if err != nil {
		p.err = err
		return err
	}
	p.conn = c
	err = c.Raw(func(dc any) error {
		sc, err := sqliteConn(dc)
		if err != nil {
			return err
		}
		if p.st, err = sc.PrepareContext(ctx, historiesQuery); err != nil {
			return err
		}
		_, err = sc.ExecContext(ctx, "BEGIN", nil)
		return err
	})
	if err == nil {
		var n int64
		err = c.QueryRowContext(ctx, "SELECT count(*) FROM meta").Scan(&n)
	}
	if err != nil {
		p.err = err
	}
	return err
}

// Histories yields the histories of the members ids as [Store.Histories]
// does, as of the snapshot's moment. After Close it yields an error.
func (sn *Snapshot) Histories(ctx context.Context, ids []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) {
		if !sortedDistinct(ids) {
			ids = slices.Compact(slices.Sorted(slices.Values(ids)))
		}
		if len(ids) > 0 {
			sn.s.historiesInParts(ctx, ids, sn.pivots, sn.parts, withHolds(sn.holds, yield))
		}
	}
}

// Unattributed returns the events of the holds that stood at the
// snapshot's moment and name no member, as [Store.Unattributed] does.
func (sn *Snapshot) Unattributed(ctx context.Context) ([]address.UnappliedEvent, error) {
	return slices.Clone(sn.holds[""]), nil
}

// Newest returns the newest Recorded time of any version the store held at
// the snapshot's moment, as [Store.Newest] does.
func (sn *Snapshot) Newest(ctx context.Context) (time.Time, error) {
	p := &sn.parts[0]
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return time.Time{}, fmt.Errorf("pgsync: newest: %w", p.err)
	}
	return metaTime(ctx, p.conn, "newest")
}

// Close ends the snapshot: its transactions end, and then, all at once,
// its connections are closed (their memory maps of the store's file
// unmapped) while the write-ahead log it held back is checkpointed.
func (sn *Snapshot) Close() error {
	sn.closeOnce.Do(func() {
		for i := range sn.parts {
			p := &sn.parts[i]
			p.mu.Lock()
			if p.conn != nil {
				// An error leaves the transaction to the close below.
				p.conn.ExecContext(context.Background(), "ROLLBACK")
			}
			p.mu.Unlock()
		}
		errs := make([]error, len(sn.parts))
		var wg gosync.WaitGroup
		// Best effort, as SQLite's own checkpoints after commits are:
		// what this one leaves, the next commit's or the store's Close
		// checkpoints.
		wg.Go(func() { sn.s.checkpoint(context.Background()) })
		for i := range sn.parts {
			wg.Go(func() {
				p := &sn.parts[i]
				p.mu.Lock()
				defer p.mu.Unlock()
				errs[i] = p.discard()
				p.err = errSnapshotClosed
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			sn.closeErr = fmt.Errorf("pgsync: snapshot: close: %w", err)
		}
	})
	return sn.closeErr
}

// checkpoint copies into the file what pages of the write-ahead log no
// reader still needs, on a connection apart from the writer.
func (s *Store) checkpoint(ctx context.Context) error {
	conn, err := s.snaps.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	return err
}
