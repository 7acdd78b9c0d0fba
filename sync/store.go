package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/printgate/printgate/address"
)

// A Store is a source of truth: member address histories in one SQLite
// file. Its methods are safe for concurrent use. Applies are serialized
// (one writer); reads run concurrently with each other and with an apply,
// and see the store as of the last committed chunk.
type Store struct {
	// Now returns the current time; it stamps LastApply. Tests set it; nil
	// means time.Now.
	Now func() time.Time

	path string  // absolute
	w    *sql.DB // exactly one connection: every write
	r    *sql.DB // read-only connections

	parts readParts // connections kept for reading by key range
	snaps *sql.DB   // connections held for a while (a Snapshot's, an Apply's checkpointer), unbounded

	closeOnce sync.Once
	closeErr  error
}

var _ address.UnattributedSource = (*Store)(nil)

// These are the errors Open returns for a file it will not use.
var (
	// ErrNewerSchema: the file was written by a newer printgate, whose
	// schema this one does not know. Open refuses rather than guess.
	ErrNewerSchema = errors.New("store schema is newer than this printgate knows")
	// ErrNotStore: the file is not a printgate store (another SQLite
	// database, or not a database at all).
	ErrNotStore = errors.New("not a printgate store")
)

// applicationID marks a SQLite file as a printgate store (PRAGMA
// application_id): "PGsy".
const applicationID = 0x50477379

// Open opens the store at path, creating the file (mode 0600) if it does not
// exist, and migrates its schema forward to the version this code writes.
// A store whose schema is newer is refused with an error wrapping
// [ErrNewerSchema]; a file that is not a store, with [ErrNotStore].
//
// Close the store when done.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("pgsync: open: empty path")
	}
	// Create the file ourselves so that it is born 0600: SQLite would use
	// 0644 less the umask. SQLite gives the -wal and -shm files the
	// database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgsync: open: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("pgsync: open: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("pgsync: open: %w", err)
	}

	s := &Store{path: abs}
	// The writer. WAL journal: readers (this process's pool, or a second
	// process looking at the store during an apply) never block the writer
	// and are never blocked by it; each reader sees the last committed
	// chunk. synchronous=NORMAL is safe with WAL: a power loss may lose the
	// last commits but never corrupts the file, and Apply's re-run
	// converges. Transactions begin IMMEDIATE, taking the write lock up
	// front, so that two writing processes queue on busy_timeout instead of
	// failing to upgrade a read lock.
	//
	// Every connection, the writer's and the readers', is opened without
	// SQLite's own per-connection mutex (_mutex=no: SQLITE_OPEN_NOMUTEX,
	// "multi-thread" mode), which costs a lock and an unlock per call into
	// SQLite: about 8% of a bulk load, 5% of a batch's lookups. That mode
	// asks only that no connection, nor any statement of it, be used on two
	// threads at once. database/sql never does; the store's raw uses of a
	// connection hold it, or their part's lock, throughout; and every
	// statement is closed explicitly, so that go-sqlite3's finalizers never
	// close one on another goroutine. (sqlite3_interrupt, which go-sqlite3
	// calls from another goroutine when a context ends, is safe in any
	// mode.)
	s.w, err = sql.Open(driverName, dsn(abs, url.Values{
		"_journal_mode": {"WAL"},
		"_synchronous":  {"NORMAL"},
		"_busy_timeout": {busyTimeoutMillis},
		"_foreign_keys": {"1"},
		"_txlock":       {"immediate"},
		"_cache_size":   {strconv.Itoa(-writerCacheKiB)},
		"_mutex":        {"no"},
	}))
	if err != nil {
		return nil, fmt.Errorf("pgsync: open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, s.w); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("pgsync: open %s: %w", path, err)
	}

	// The readers: query_only, so that nothing but the writer writes. A
	// modest page cache each; reads of a large store go through mmap. The
	// read parts of Histories have connections of their own, apart from
	// the pool: a caller holding pooled connections while it reads
	// histories never waits for itself.
	readers := dsn(abs, url.Values{
		"_busy_timeout": {busyTimeoutMillis},
		"_foreign_keys": {"1"},
		"_query_only":   {"1"},
		"_cache_size":   {strconv.Itoa(-readerCacheKiB)},
		"_mutex":        {"no"},
	})
	if s.r, err = sql.Open(driverName, readers); err == nil {
		s.parts.db, err = sql.Open(driverName, readers)
	}
	if err == nil {
		s.snaps, err = sql.Open(driverName, readers)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("pgsync: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	// A connection per part, each held by its part, and one to read the
	// pivots with while they are.
	s.parts.db.SetMaxOpenConns(maxReadParts + 1)
	s.parts.db.SetMaxIdleConns(maxReadParts + 1)
	s.snaps.SetMaxIdleConns(maxReadParts + 1)
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("pgsync: open %s: %w", path, dbError(err))
	}
	return s, nil
}

// busyTimeoutMillis is how long a connection waits for a lock another
// holds (SQLite's busy timeout): 30 seconds.
const busyTimeoutMillis = "30000"

// Close closes the store. It does not wait for an Apply in progress, which
// fails; the store is consistent all the same.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.r != nil {
			errs = append(errs, s.closeParts(), s.r.Close())
		}
		if s.snaps != nil {
			errs = append(errs, s.snaps.Close())
		}
		errs = append(errs, s.w.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// writerCacheKiB is the page cache of the writer connection: 64 MiB, for
// bulk inserts into large B-trees. A ledger, which appends, needs far less
// (ledgerCacheKiB) and sets its own while it holds the writer.
const writerCacheKiB, ledgerCacheKiB = 65536, 4096

// readerCacheKiB is the page cache of each reading connection: 4 MiB.
// Pages in the map of the file (see init) take none of it; it holds the
// pages past the map's ceiling, read with pread(2). Every page of it a
// process uses the first time is fresh memory, a page fault, and on a
// virtual machine a trap: in the batch job, whose two fetchers' snapshot
// connections fill their caches with pages past 2 GiB, 4 MiB instead of
// 16 cut the faults of a run by a quarter and its time from 0.94-1.04 s
// to 0.88-0.91 s (4 alternating rounds, 2026-12-06); 64 MiB made it
// 1.09-1.28 s.
const readerCacheKiB = 4096

// driverName is go-sqlite3 with a connect hook that sets what the DSN
// cannot.
const driverName = "printgate_sqlite3"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// Memory-map the file, up to the ceiling SQLite was compiled
		// with (SQLITE_MAX_MMAP_SIZE, 2 GiB by default; SQLite lowers a
		// larger request to it): reads of pages in the OS page cache then
		// cost no system call and no copy. Pages past the ceiling are
		// read with pread(2); see the README on stores over 2 GiB.
		_, err := c.Exec("PRAGMA mmap_size = 1099511627776", nil)
		return err
	}})
}

// dsn returns a go-sqlite3 data source name for the file at the absolute
// path abs. The path is a file: URI so that any character in it survives;
// go-sqlite3 reads the parameters that start with an underscore, and SQLite
// ignores them.
func dsn(abs string, params url.Values) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}
	return u.String()
}

// dbError turns a driver error into one of ours where there is one.
func dbError(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrNotADB {
		return fmt.Errorf("%w: %w", ErrNotStore, err)
	}
	return err
}

// migrations[i] takes the schema from version i to i+1. Append only: a
// released migration is never edited.
var migrations = []string{
	// 1: versions, events, meta.
	`
-- One row per address version, in history order: the primary key is the
-- order in which address.History lists versions.
CREATE TABLE versions (
	member_id TEXT NOT NULL,
	effective INTEGER NOT NULL,  -- Unix nanoseconds, UTC
	recorded  INTEGER NOT NULL,  -- Unix nanoseconds, UTC
	event_id  TEXT NOT NULL REFERENCES events (event_id),
	kind      INTEGER NOT NULL CHECK (kind IN (1, 2)),  -- address.VersionKind
	name      TEXT NOT NULL,     -- as the event gave it: '' keeps the previous version's name
	addr      BLOB NOT NULL,     -- address.Address.AppendBinary; empty for undeliverable
	key       TEXT NOT NULL,     -- address.Address.Key; '' for undeliverable
	PRIMARY KEY (member_id, effective, recorded, event_id)
) WITHOUT ROWID;

-- Every event applied, with a digest of its content: what makes Apply
-- idempotent.
CREATE TABLE events (
	event_id TEXT PRIMARY KEY,
	digest   BLOB NOT NULL       -- first 16 bytes of SHA-256 of the content
) WITHOUT ROWID;

-- Counters and marks:
--   members      number of distinct members in versions
--   newest       newest recorded time in versions
--   last_apply   when the last Apply finished
--   pending      fingerprint of the feed whose apply is in progress
CREATE TABLE meta (
	name  TEXT PRIMARY KEY,
	value ANY
) WITHOUT ROWID;
`,
	// 2: the ledger: batches, a verdict per piece, reviews.
	`
-- One row per batch checked by the gate. finished is NULL while the
-- batch runs, and after a run that died; the counts are the outcome's.
CREATE TABLE batches (
	id            INTEGER PRIMARY KEY,
	batch_id      TEXT NOT NULL UNIQUE,
	asof          INTEGER NOT NULL,   -- Unix nanoseconds, UTC
	started       INTEGER NOT NULL,
	finished      INTEGER,
	pieces        INTEGER NOT NULL DEFAULT 0,
	released      INTEGER NOT NULL DEFAULT 0,
	quarantined   INTEGER NOT NULL DEFAULT 0,
	blocked       INTEGER NOT NULL DEFAULT 0,
	halted        INTEGER NOT NULL DEFAULT 0,
	halt_reason   TEXT NOT NULL DEFAULT '',
	source_newest INTEGER
);

-- One row per piece read, in input order (seq from 0). piece is the
-- piece's key (its id, or "line N"); status and decision are
-- address.Status and address.Decision; version is the event id of the
-- address version the piece was judged against. No name, no address.
CREATE TABLE verdicts (
	batch     INTEGER NOT NULL REFERENCES batches (id),
	seq       INTEGER NOT NULL,
	piece     TEXT NOT NULL,
	line      INTEGER NOT NULL,
	member_id TEXT NOT NULL,
	phi       INTEGER NOT NULL,
	status    INTEGER NOT NULL,
	decision  INTEGER NOT NULL,
	detail    TEXT NOT NULL,
	version   TEXT NOT NULL,
	PRIMARY KEY (batch, seq)
) WITHOUT ROWID;

-- A reviewer's release or block of a quarantined piece. Kept apart from
-- verdicts so that running the batch again keeps it.
CREATE TABLE reviews (
	batch    INTEGER NOT NULL REFERENCES batches (id),
	seq      INTEGER NOT NULL,
	decision INTEGER NOT NULL,
	reviewer TEXT NOT NULL,
	reason   TEXT NOT NULL,
	at       INTEGER NOT NULL,
	PRIMARY KEY (batch, seq)
) WITHOUT ROWID;
`,
	// 3: verdicts stored a chunk of pieces per row; verdicts is a view of
	// them with a row per piece.
	`
-- The verdicts of a run of consecutive pieces of a batch, as the ledger
-- received them from the gate: rows is a JSON array with an element per
-- piece, [piece, line, member_id, phi, status, decision, detail, version]
-- (the columns of the verdicts view), the first of which is piece seq.
-- released, quarantined and blocked count the gate's decisions in rows.
-- A B-tree insert per chunk instead of one per piece: a 337,755-piece
-- batch is 42 inserts, not 337,755.
CREATE TABLE verdict_chunks (
	batch       INTEGER NOT NULL REFERENCES batches (id),
	seq         INTEGER NOT NULL,
	n           INTEGER NOT NULL CHECK (n > 0),
	released    INTEGER NOT NULL,
	quarantined INTEGER NOT NULL,
	blocked     INTEGER NOT NULL,
	rows        TEXT NOT NULL,
	PRIMARY KEY (batch, seq)
);

INSERT INTO verdict_chunks (batch, seq, n, released, quarantined, blocked, rows)
SELECT batch, seq, 1, decision = 1, decision = 2, decision = 3,
	json_array(json_array(piece, line, member_id, phi, status, decision, detail, version))
FROM verdicts;

DROP TABLE verdicts;

-- One row per piece read, in input order (seq from 0). piece is the
-- piece's key (its id, or "line N"); status and decision are
-- address.Status and address.Decision; version is the event id of the
-- address version the piece was judged against. No name, no address. The
-- pieces a halted batch would have released are quarantined, with the
-- halt in their detail.
CREATE VIEW verdicts (batch, seq, piece, line, member_id, phi, status, decision, detail, version) AS
SELECT c.batch, c.seq + j.key, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
	CASE WHEN b.halted AND j.value ->> 5 = 1 THEN 2 ELSE j.value ->> 5 END,
	CASE WHEN b.halted AND j.value ->> 5 = 1 THEN 'batch halted: ' || b.halt_reason ELSE j.value ->> 6 END,
	j.value ->> 7
FROM verdict_chunks AS c JOIN batches AS b ON b.id = c.batch, json_each(c.rows) AS j;
`,
	// 4: no change to the tables. An address may hold a second secondary
	// unit (BLDG 3 APT 4), which versions.addr and versions.key carry
	// after their other fields; a printgate before it would not read
	// them, and refuses a store of this version instead.
	`
-- versions.addr: address.Address.AppendBinary, which appends the second
-- unit's designator and range only to an address that has one.
-- versions.key: address.Address.Key, likewise.
`,
	// 5: holds: change events received and not applied.
	`
-- A change event the store received and could not apply (a bad row of a
-- feed) whose member id could be read: while it stands (cleared is NULL)
-- the member's history lists it, and the gate releases no piece of the
-- member's as current. It ends when the same event is applied, or when a
-- reviewer clears it (cleared_by and cleared_why; '' when an apply ended
-- it). event_id is '' when the row had no readable one. No name, no
-- address: reason names the field and what is wrong with it.
CREATE TABLE holds (
	member_id   TEXT NOT NULL,
	event_id    TEXT NOT NULL,
	line        INTEGER NOT NULL,  -- the row's line in its feed
	field       TEXT NOT NULL,
	reason      TEXT NOT NULL,
	received    INTEGER NOT NULL,  -- Unix nanoseconds, UTC: when the apply that read it ran
	cleared     INTEGER,
	cleared_by  TEXT NOT NULL DEFAULT '',
	cleared_why TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (member_id, event_id)
) WITHOUT ROWID;

CREATE INDEX holds_open ON holds (member_id, received) WHERE cleared IS NULL;
`,
	// 6: no change to the tables. address.Address.Key drops the accents of
	// Latin letters in street and city names (PEÑUELAS is PENUELAS), so
	// after this SQL, rekeyVersions makes anew the keys stored with
	// versions that have one.
	`
-- versions.key: address.Address.Key, which drops the accents of Latin
-- letters in street and city names from this version on.
`,
	// 7: no change to the tables. address.Address.Key reads AVENUE,
	// AVENIDA and BOULEVARD first in a street name as AVE and BLVD
	// (AVENUE C is AVE C), so rekeyVersions makes anew the keys that may
	// hold one.
	`
-- versions.key: address.Address.Key, which reads the first word of a
-- street name of more words as AVE for AVENUE and AVENIDA, and as BLVD for
-- BOULEVARD, from this version on.
`,
	// 8: no change to the tables. An address may hold a building's name
	// set aside (address.Address.Building), which versions.addr carries
	// after its other fields; a printgate before it would not read it,
	// and refuses a store of this version instead. Versions stored before
	// it hold none: the name was dropped when they were parsed.
	`
-- versions.addr: address.Address.AppendBinary, which appends the
-- building's name to an address that has one.
`,
	// 9: holds.effective, so that a later move supersedes a hold. A hold
	// placed before it has none, and stands until an apply or a reviewer
	// ends it, as before.
	`
-- When the held row said the event takes effect, Unix nanoseconds, UTC;
-- NULL when it could not be read, or the event's bad rows gave more than
-- one time. A piece judged as of a time when the member's address in force
-- took effect after it is not held by it (address.History.UnappliedAt).
ALTER TABLE holds ADD COLUMN effective INTEGER;
`,
	// 10: runs of a batch id. Running a finished batch id again keeps the
	// finished run (runs, run_chunks) and makes a new one current; a
	// review records the verdict it was made on, and applies to a later
	// run only while that run's verdict of the piece is the same.
	`
-- The batch's current run, from 1. A run that died (finished NULL) is
-- replaced by the next run of the batch id, which keeps its number; a
-- finished run (halted or not) is kept in runs and run_chunks, and the
-- next run has the next number.
ALTER TABLE batches ADD COLUMN run INTEGER NOT NULL DEFAULT 1;

-- The record of each finished run of a batch that a later run of the same
-- batch id replaced as current: the columns of batches at the time.
CREATE TABLE runs (
	batch         INTEGER NOT NULL REFERENCES batches (id),
	run           INTEGER NOT NULL,
	asof          INTEGER NOT NULL,
	started       INTEGER NOT NULL,
	finished      INTEGER NOT NULL,
	pieces        INTEGER NOT NULL,
	released      INTEGER NOT NULL,
	quarantined   INTEGER NOT NULL,
	blocked       INTEGER NOT NULL,
	halted        INTEGER NOT NULL,
	halt_reason   TEXT NOT NULL,
	source_newest INTEGER,
	PRIMARY KEY (batch, run)
) WITHOUT ROWID;

-- The verdicts of the runs in runs, as verdict_chunks held them.
CREATE TABLE run_chunks (
	batch       INTEGER NOT NULL,
	run         INTEGER NOT NULL,
	seq         INTEGER NOT NULL,
	n           INTEGER NOT NULL CHECK (n > 0),
	released    INTEGER NOT NULL,
	quarantined INTEGER NOT NULL,
	blocked     INTEGER NOT NULL,
	rows        TEXT NOT NULL,
	PRIMARY KEY (batch, run, seq),
	FOREIGN KEY (batch, run) REFERENCES runs (batch, run)
);

-- The verdicts view of the runs in runs: a row per piece of each.
CREATE VIEW run_verdicts (batch, run, seq, piece, line, member_id, phi, status, decision, detail, version) AS
SELECT c.batch, c.run, c.seq + j.key, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
	CASE WHEN r.halted AND j.value ->> 5 = 1 THEN 2 ELSE j.value ->> 5 END,
	CASE WHEN r.halted AND j.value ->> 5 = 1 THEN 'batch halted: ' || r.halt_reason ELSE j.value ->> 6 END,
	j.value ->> 7
FROM run_chunks AS c JOIN runs AS r ON r.batch = c.batch AND r.run = c.run, json_each(c.rows) AS j;

-- The verdict a review was made on: the run, and the piece's key, member,
-- status, detail and version (the address version judged against) then. A
-- review applies to the current run's verdict at its seq only if that
-- verdict has the same piece, member, status, detail and version, and is
-- quarantined: a member who moved since has another version.
ALTER TABLE reviews ADD COLUMN run INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reviews ADD COLUMN piece TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN member_id TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN status INTEGER NOT NULL DEFAULT -1;
ALTER TABLE reviews ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN version TEXT NOT NULL DEFAULT '';

-- Reviews a later run superseded: its verdict of the piece was another
-- (another piece or member at the seq, another status, not quarantined,
-- or no piece at all). Kept for the audit; applied to nothing.
-- superseded is when, by_run the run that did.
CREATE TABLE superseded_reviews (
	batch      INTEGER NOT NULL REFERENCES batches (id),
	seq        INTEGER NOT NULL,
	run        INTEGER NOT NULL,
	piece      TEXT NOT NULL,
	member_id  TEXT NOT NULL,
	status     INTEGER NOT NULL,
	detail     TEXT NOT NULL,
	version    TEXT NOT NULL,
	decision   INTEGER NOT NULL,
	reviewer   TEXT NOT NULL,
	reason     TEXT NOT NULL,
	at         INTEGER NOT NULL,
	superseded INTEGER NOT NULL,
	by_run     INTEGER NOT NULL
);

CREATE INDEX superseded_reviews_batch ON superseded_reviews (batch, run, seq);

-- A review made while the batch's current run stood (at or after it
-- started) was made on its verdict at the seq, if that is quarantined.
-- One made before was made on an earlier run's verdict, which is gone:
-- whether it was the same cannot be told, so it is superseded (by run 1,
-- when the current run started), and the piece is reviewed again.
CREATE TEMP TABLE review_verdicts AS
SELECT v.batch, v.seq, v.piece, v.member_id, v.status, v.detail, v.version
FROM reviews AS r CROSS JOIN verdicts AS v ON v.batch = r.batch AND v.seq = r.seq
WHERE v.decision = 2;

UPDATE reviews SET piece = t.piece, member_id = t.member_id, status = t.status, detail = t.detail, version = t.version
FROM review_verdicts AS t, batches AS b
WHERE t.batch = reviews.batch AND t.seq = reviews.seq AND b.id = reviews.batch AND b.finished IS NOT NULL
	AND reviews.at >= b.started;

DROP TABLE review_verdicts;

INSERT INTO superseded_reviews (batch, seq, run, piece, member_id, status, detail, version, decision, reviewer, reason, at, superseded, by_run)
SELECT r.batch, r.seq, 1, r.piece, r.member_id, r.status, r.detail, r.version, r.decision, r.reviewer, r.reason, r.at, b.started, 1
FROM reviews AS r JOIN batches AS b ON b.id = r.batch
WHERE r.status = -1;

DELETE FROM reviews WHERE status = -1;
`,
	// 11: no change to the tables. Apply holds the versions of a tie it
	// applies (tieReason); the ties a store held before are held here,
	// in one pass over versions in key order (about 12 s for the
	// benchmarks' 15 million versions), so that no store keeps one
	// unheld. received is when the migration ran; line 0, no feed's.
	`
-- Two versions of a member with the same effective and recorded times and
-- another address or kind: which is in force would be left to their event
-- ids' order. Both are held, as Apply holds a tie from schema 11 on.
CREATE TEMP TABLE ties AS
SELECT v.member_id, v.event_id, v.effective
FROM (SELECT member_id, effective, recorded FROM versions
	GROUP BY member_id, effective, recorded
	HAVING count(*) > 1 AND (min(kind) <> max(kind) OR min(key) <> max(key))) AS t
JOIN versions AS v ON v.member_id = t.member_id AND v.effective = t.effective AND v.recorded = t.recorded;

-- A hold of another reason standing on a tie's version (a conflict's, a
-- bad row's) would end when its event comes again good: it becomes the
-- tie's, which no event ends, as Apply makes it.
UPDATE holds SET line = 0, field = 'recorded', reason = '` + tieReason + `', effective = t.effective
FROM temp.ties AS t
WHERE holds.member_id = t.member_id AND holds.event_id = t.event_id AND holds.cleared IS NULL
	AND holds.reason <> '` + tieReason + `';

INSERT INTO holds (member_id, event_id, line, field, reason, received, effective)
SELECT member_id, event_id, 0, 'recorded', '` + tieReason + `', CAST(unixepoch('subsec') * 1000000000 AS INTEGER), effective
FROM temp.ties
WHERE true
ON CONFLICT (member_id, event_id) DO UPDATE SET line = excluded.line, field = excluded.field,
	reason = excluded.reason, received = excluded.received, effective = excluded.effective,
	cleared = NULL, cleared_by = '', cleared_why = ''
WHERE cleared IS NOT NULL;

DROP TABLE temp.ties;
`,
}

// rekeys holds, for each schema version whose migration changes how
// address.Address.Key makes a key, a condition on versions.key that holds
// for every version whose key may change. After that version's SQL,
// migrate runs rekeyVersions on those versions.
var rekeys = map[int]string{
	6: `key GLOB '*[^ -~]*'`,                    // a character outside printable ASCII: an accent
	7: `key GLOB '*|AV*' OR key GLOB '*|BOUL*'`, // a field that starts AV or BOUL: AVENUE C
}

// rekeyVersions makes anew the key stored with each version whose key
// meets the condition where (an entry of rekeys), as address.Address.Key
// makes it now, and stores its address anew for the key: the short form
// of a stored address rebuilds it from its key, which would lose what the
// new key drops (an accent, AVENUE spelled out). A store of 12.5 million
// versions is read through once, in a few seconds.
func rekeyVersions(ctx context.Context, tx *sql.Tx, where string) error {
	type row struct {
		member, event     string
		effective, record int64
		addr, key         string
	}
	rows, err := tx.QueryContext(ctx, `SELECT member_id, effective, recorded, event_id, addr, key
		FROM versions WHERE `+where)
	if err != nil {
		return err
	}
	var stale []row
	for rows.Next() {
		var r row
		var addr []byte
		if err := rows.Scan(&r.member, &r.effective, &r.record, &r.event, &addr, &r.key); err != nil {
			rows.Close()
			return err
		}
		r.addr = string(addr)
		stale = append(stale, r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, r := range stale {
		var a address.Address
		if err := loadStoredAddr(&a, r.addr, r.key); err != nil {
			return fmt.Errorf("member %s event %s: %w", r.member, r.event, err)
		}
		key := a.Key()
		if key == r.key {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET addr = ?, key = ?
			WHERE member_id = ? AND effective = ? AND recorded = ? AND event_id = ?`,
			appendStoredAddr(nil, a, key), key, r.member, r.effective, r.record, r.event); err != nil {
			return fmt.Errorf("member %s event %s: %w", r.member, r.event, err)
		}
	}
	return nil
}

// migrate brings the schema of the database to len(migrations), in one
// transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return dbError(err)
	}
	defer tx.Rollback()
	var app, v, objects int
	if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return dbError(err)
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return dbError(err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
		return dbError(err)
	}
	switch {
	case app == 0 && objects > 0, app != 0 && app != applicationID:
		return ErrNotStore
	case v > len(migrations):
		return fmt.Errorf("%w: the file has schema version %d, this printgate writes %d", ErrNewerSchema, v, len(migrations))
	case v == len(migrations):
		return nil
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migrating schema to version %d: %w", i+1, err)
		}
		if where, ok := rekeys[i+1]; ok && v > 0 {
			if err := rekeyVersions(ctx, tx, where); err != nil {
				return fmt.Errorf("migrating schema to version %d: %w", i+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
}
