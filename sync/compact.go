package sync

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// Compact rewrites the store's file with each table in order and its
// pages full (SQLite's VACUUM): the histories first, in member order, in
// as few pages as they take, then the event log and the ledger. Nothing
// in the store changes but where its pages lie.
//
// A store's pages are laid out as they were written: a bulk load in parts,
// the daily feeds, and the ledger of every batch add pages at the end of
// the file, so that the histories end up spread through it. Lookups read
// them through a map of the file, which SQLite, as go-sqlite3 builds it,
// takes only to 2 GiB (see the README on stores over 2 GiB); past it each
// page costs a system call. Compacted, the histories of up to about 16
// million members (of 1.2 versions each, as the benchmarks' are) lie
// within the first 2 GiB, read through the map, in order. The benchmarks'
// batch of 337,755 pieces against 12.5 million members ran 5-10% faster
// on the compacted store.
//
// Run it after a first bulk load, and when [Store.Layout] says it would
// help as feeds and ledgers grow the file, when nothing else writes: it
// holds the store's writer throughout (an Apply or a Ledger in this process
// waits for it, one in another process fails after the busy timeout of 30
// seconds), while reads go on, each seeing the store as it was when it
// began. It takes about 35 seconds for 12.5 million members on the machine
// the README measures. It needs free disk for two copies of the file
// besides the store: SQLite builds the new one in a temporary file (in
// SQLITE_TMPDIR or TMPDIR, else /var/tmp or /tmp, which must be as private
// as the store: it holds the same names and addresses while it exists),
// then writes it back through the write-ahead log. When it ends, the log is
// emptied, and on Linux the file's pages are dropped from the page cache,
// so that the next [Store.Prewarm] reads them in large folios.
func (s *Store) Compact(ctx context.Context) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("pgsync: compact: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("pgsync: compact: %w", err)
	}
	// The new file is in the log: into the file with it, and the log
	// emptied, without waiting for readers. One that holds the log back
	// (a Snapshot, a read in another process) leaves it to the next
	// checkpoints, and the log's space to the next writes.
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return fmt.Errorf("pgsync: compact: checkpoint: %w", err)
	}
	var busy, logged, moved int64
	err = conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = "+busyTimeoutMillis); rerr != nil {
		// A writer that would not wait for locks must not be used again:
		// the pool closes it, and the next is opened with the timeout.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("pgsync: compact: checkpoint: %w", err)
	}
	if busy == 0 {
		dropFromCache(s.path)
	}
	return nil
}
