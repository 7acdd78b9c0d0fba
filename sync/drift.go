package sync

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/printgate/printgate/address"
)

// An ExportRow is one row of another system's copy of member addresses:
// the name and address it holds for member MemberID. The fields are as the
// file gives them; [Store.Drift] parses the address.
type ExportRow struct {
	MemberID string
	Name     string // the mailing name; PHI. Drift does not compare names.
	Line1    string
	Line2    string
	City     string
	State    string
	ZIP      string
	Line     int // the input line the row was read from; 0 if none
}

// The columns of an export.
const (
	exMemberID = iota
	exName
	exLine1
	exLine2
	exCity
	exState
	exZIP
	nExportCols
)

var exportColNames = [nExportCols]string{"member_id", "name", "line1", "line2", "city", "state", "zip"}

// exportRequired must be in an export's header; name and line2 may be left
// out.
var exportRequired = []int{exMemberID, exLine1, exCity, exState, exZIP}

// An ExportReader reads another system's copy of member addresses: CSV with
// a header row naming the columns, in any order:
//
//	member_id,name,line1,line2,city,state,zip
//
// member_id, line1, city, state and zip are required; name and line2 may be
// left out, and are then empty in every row. Column names are matched
// without regard to case or surrounding spaces; a column that is not one of
// these is an error, so that a misspelled line2 does not drop units
// silently.
//
// The reader checks only that a row is a well-formed CSV record with a
// well-formed member id. It does not parse addresses: an address the
// other system holds that cannot be parsed is a finding of
// [Store.Drift], not a bad row.
type ExportReader struct {
	r    *csv.Reader
	cols []int // column of each CSV field
	err  error // sticky: a header or I/O error
	f    [nExportCols]string
}

// NewExportReader returns a reader of the export in r.
func NewExportReader(r io.Reader) *ExportReader {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	return &ExportReader{r: cr}
}

// Read returns the next row. At the end of the input it returns io.EOF. A
// bad row (a malformed record, a missing or malformed member id) yields a
// *[RowError] naming its line and field, and the next call reads the next
// row; any other error (the header, the underlying reader) ends the input
// and is returned again by every later call. An empty input has no rows.
func (r *ExportReader) Read() (ExportRow, error) {
	if r.err != nil {
		return ExportRow{}, r.err
	}
	if r.cols == nil {
		if err := r.header(); err != nil {
			r.err = err
			return ExportRow{}, err
		}
	}
	rec, err := r.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// encoding/csv's errors hold no input text.
			return ExportRow{}, &RowError{Line: pe.StartLine, Err: pe.Err}
		}
		r.err = err
		return ExportRow{}, err
	}
	line, _ := r.r.FieldPos(0)
	for i, c := range r.cols {
		r.f[c] = rec[i]
	}
	row := ExportRow{
		MemberID: r.f[exMemberID],
		Name:     r.f[exName],
		Line1:    r.f[exLine1],
		Line2:    r.f[exLine2],
		City:     r.f[exCity],
		State:    r.f[exState],
		ZIP:      r.f[exZIP],
		Line:     line,
	}
	if re := checkExportRow(&row); re != nil {
		return ExportRow{}, re
	}
	return row, nil
}

// checkExportRow returns a *RowError for a row whose member id is missing
// or malformed; the id is not echoed.
func checkExportRow(row *ExportRow) *RowError {
	switch {
	case row.MemberID == "":
		return &RowError{Line: row.Line, Field: "member_id", Err: ErrMissing}
	case !validID(row.MemberID):
		return &RowError{Line: row.Line, Field: "member_id", Err: ErrInvalidID}
	}
	return nil
}

func (r *ExportReader) header() error {
	rec, err := r.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("pgsync: export line %d: %w: %w", pe.StartLine, ErrHeader, pe.Err)
		}
		return err // io.EOF for an empty input: no rows
	}
	cols := make([]int, len(rec))
	var seen [nExportCols]bool
	for i, name := range rec {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		name = strings.ToLower(strings.TrimSpace(name))
		c := slices.Index(exportColNames[:], name)
		switch {
		case c < 0:
			// Not quoted: a file with no header has a row of PHI here.
			return fmt.Errorf("pgsync: export line 1: %w: column %d is not one of %s",
				ErrHeader, i+1, strings.Join(exportColNames[:], ","))
		case seen[c]:
			return fmt.Errorf("pgsync: export line 1: %w: column %s repeated", ErrHeader, exportColNames[c])
		}
		seen[c] = true
		cols[i] = c
	}
	for _, c := range exportRequired {
		if !seen[c] {
			return fmt.Errorf("pgsync: export line 1: %w: no %s column", ErrHeader, exportColNames[c])
		}
	}
	r.cols = cols
	return nil
}

// All returns the rows of the input as a sequence, as Read returns them: a
// bad row is a (zero ExportRow, *RowError) pair and the sequence goes on; a
// header or I/O error is the last pair. io.EOF is not yielded.
func (r *ExportReader) All() iter.Seq2[ExportRow, error] {
	return func(yield func(ExportRow, error) bool) {
		for {
			row, err := r.Read()
			if err == io.EOF {
				return
			}
			var re *RowError
			if !yield(row, err) || err != nil && !errors.As(err, &re) {
				return
			}
		}
	}
}

// DriftStatus is what [Store.Drift] finds of one member. It prints and
// parses as the words used in outputs: "in_sync", "stale_in_other". Do not
// reorder this list or remove any items.
type DriftStatus uint8

const (
	// InSync: the other system holds the address in force at the time of
	// the check, in any formatting, or the one about to take effect
	// (address.Classify finds it Current, RecentlyChanged, PendingChange
	// or UndeliverableAddress).
	InSync DriftStatus = iota + 1
	// StaleInOther: the other system holds a former address of the
	// member. Since is when the member moved away from it.
	StaleInOther
	// UnknownInOther: the other system holds an address the member never
	// had, or one that cannot be parsed.
	UnknownInOther
	// MissingInOther: the store has the member, with an address in force,
	// and the other system does not.
	MissingInOther
	// MissingInStore: the other system has a member the store has never
	// heard of.
	MissingInStore
)

var driftStatusNames = [...]string{"", "in_sync", "stale_in_other", "unknown_in_other", "missing_in_other", "missing_in_store"}

// String returns the status's name as used in outputs: "stale_in_other".
func (s DriftStatus) String() string {
	if s != 0 && int(s) < len(driftStatusNames) {
		return driftStatusNames[s]
	}
	return "unknown"
}

// MarshalText implements [encoding.TextMarshaler].
func (s DriftStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (s *DriftStatus) UnmarshalText(text []byte) error {
	for i, n := range driftStatusNames {
		if i > 0 && n == string(text) {
			*s = DriftStatus(i)
			return nil
		}
	}
	if len(text) > 32 {
		text = text[:32]
	}
	return errors.New("pgsync: unknown drift status " + strconv.Quote(string(text)))
}

// severity orders the statuses of one member's rows: a member listed more
// than once is reported by its worst row.
func (s DriftStatus) severity() int {
	switch s {
	case StaleInOther:
		return 4
	case UnknownInOther:
		return 3
	case MissingInStore:
		return 2
	case InSync:
		return 1
	}
	return 0
}

// A DriftResult is what [Store.Drift] finds of one member. Its text names
// statuses, fields and reasons, never name or address text.
type DriftResult struct {
	MemberID string
	Status   DriftStatus
	// Since is when the status began, where there is such a time: for
	// StaleInOther, when the member moved away from the address the other
	// system holds; for InSync, the time address.Classify gives
	// (when a recent address took effect, when a pending one will, when
	// mail came back). Zero otherwise.
	Since time.Time
	// Classified is what address.Classify found of the row judged; zero
	// for MissingInOther, MissingInStore and an address that cannot be
	// parsed.
	Classified address.Status
	// Detail explains the status in words: the classification, the
	// fields in which the other system's address differs from the one in
	// force, the field and reason an address cannot be parsed, and how
	// many rows the export has for the member.
	Detail string
	// Line is the export line judged: of a member listed more than once,
	// the first of its worst rows. Zero for MissingInOther.
	Line int
	// Rows is the number of export rows for the member; zero for
	// MissingInOther.
	Rows int
}

// A DriftSummary accounts for a drift check. Every member considered has
// exactly one status, so
//
//	Members = InSync + StaleInOther + UnknownInOther + MissingInOther + MissingInStore
//
// and every row read is judged, a repeat of a member, or bad:
//
//	Rows = (Members - MissingInOther) + Repeated + Bad
type DriftSummary struct {
	Members        int // distinct members: in the export, or in the store with an address in force
	InSync         int
	StaleInOther   int
	UnknownInOther int
	MissingInOther int
	MissingInStore int

	Rows     int // export rows read, good and bad
	Repeated int // rows of a member listed on an earlier row
	Bad      int // rows not judged: a malformed record, or no well-formed member id

	// Errors holds the first MaxErrors bad rows, in line order.
	// Errors.Err() is nil when there are none.
	Errors ErrorList
}

// Count returns the number of members with status st.
func (s *DriftSummary) Count(st DriftStatus) int {
	switch st {
	case InSync:
		return s.InSync
	case StaleInOther:
		return s.StaleInOther
	case UnknownInOther:
		return s.UnknownInOther
	case MissingInOther:
		return s.MissingInOther
	case MissingInStore:
		return s.MissingInStore
	}
	return 0
}

func (s *DriftSummary) add(r *DriftResult) {
	s.Members++
	switch r.Status {
	case InSync:
		s.InSync++
	case StaleInOther:
		s.StaleInOther++
	case UnknownInOther:
		s.UnknownInOther++
	case MissingInOther:
		s.MissingInOther++
	case MissingInStore:
		s.MissingInStore++
	}
	if r.Rows > 1 {
		s.Repeated += r.Rows - 1
	}
}

// Drift compares another system's copy of member addresses, export, with
// the store as of asOf (the zero asOf means the store's Now), and calls out
// with the result for each member, in member id order, once per member.
// The rules:
//   - Each row's address is parsed with [address.ParseFields] and judged
//     against the member's history with [address.Classify] (the default
//     recent window). The other system is in sync if it holds the address
//     in force at asOf, in any formatting, or the member's next address
//     if it is pending: Current, RecentlyChanged, PendingChange and
//     UndeliverableAddress are [InSync]; Stale is [StaleInOther], since
//     the member moved away; UnknownAddress, or an address that cannot be
//     parsed, is [UnknownInOther], the detail naming the field and reason.
//   - A member the store has never heard of is [MissingInStore].
//   - A member of the store with an address in force at asOf (an address
//     version that took effect at or before asOf) and no row in the
//     export is [MissingInOther]. A member whose first address takes
//     effect after asOf is not missing: there is nothing to hold yet.
//   - A member listed on more than one row is reported once, by the
//     worst of its rows (stale, then unknown, then in sync; the first
//     such row): a copy that holds a former address anywhere is not in
//     sync. Rows counts the member's rows.
//   - A bad row of the export (a pair with a *[RowError]; from an
//     [ExportReader], a malformed record or member id) is counted and
//     kept in the summary's Errors, and the rest is judged. Its member,
//     unknown, may then be reported MissingInOther. Any other error of the
//     export ends the check.
//
// Drift streams: it reads the export in chunks of some thousands of rows,
// with one [Store.Histories] call per chunk, and keeps its findings, and the
// member ids it has seen, in a private temporary SQLite database (on disk,
// deleted when Drift returns), not in memory. It calls out only once the
// whole export is read, so a failure part way calls it not at all. An
// error from out stops the check and is returned.
//
// Each chunk is read in a read transaction of its own: an apply that
// commits during a drift may be seen by later chunks only.
//
// Drift returns the summary and an error: nil, or the export's, the
// store's, the context's, or out's. The summary counts what was done.
func (s *Store) Drift(ctx context.Context, export iter.Seq2[ExportRow, error], asOf time.Time, out func(DriftResult) error) (*DriftSummary, error) {
	if asOf.IsZero() {
		asOf = s.now()
	}
	d := &drifter{s: s, asOf: asOf, out: out, sum: &DriftSummary{}}
	err := d.run(ctx, export)
	if err != nil && !strings.HasPrefix(err.Error(), "pgsync:") {
		err = fmt.Errorf("pgsync: drift: %w", err)
	}
	return d.sum, err
}

// driftChunkRows is the number of export rows judged per chunk: one
// Histories call each.
const driftChunkRows = 16384

type drifter struct {
	s    *Store
	asOf time.Time
	out  func(DriftResult) error
	sum  *DriftSummary

	db      *sql.DB   // the scratch database
	conn    *sql.Conn // its one connection
	args    []any
	pending []DriftResult // emit: results held until the candidates before them are resolved
	cands   []string      // emit: members of the store not in the export, to resolve
}

func (d *drifter) run(ctx context.Context, export iter.Seq2[ExportRow, error]) error {
	if err := d.openScratch(ctx); err != nil {
		return err
	}
	defer d.db.Close()
	defer d.conn.Close()
	if err := d.judge(ctx, export); err != nil {
		return err
	}
	return d.emit(ctx)
}

// The scratch table: one row per member of the export, its worst finding.
// It lives in a private temporary database: SQLite gives an empty file
// name a database of its own on disk, deleted when it is closed, kept in
// the page cache until that fills.
const createSeen = `
CREATE TABLE seen (
	member_id  TEXT PRIMARY KEY,
	sev        INTEGER NOT NULL,  -- DriftStatus.severity of the worst row
	status     INTEGER NOT NULL,  -- DriftStatus
	classified INTEGER NOT NULL,  -- address.Status
	since      INTEGER,           -- Unix nanoseconds, or NULL
	detail     TEXT NOT NULL,
	line       INTEGER NOT NULL,
	n          INTEGER NOT NULL   -- rows
) WITHOUT ROWID`

func (d *drifter) openScratch(ctx context.Context) error {
	// journal_mode OFF and synchronous OFF: the database dies with the
	// connection, so there is nothing to recover.
	db, err := sql.Open(driverName, "?_journal_mode=OFF&_synchronous=OFF&_cache_size=-65536&_locking_mode=EXCLUSIVE")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return err
	}
	d.db, d.conn = db, conn
	if _, err := conn.ExecContext(ctx, createSeen); err != nil {
		return err
	}
	return nil
}

func seenInsert(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO seen (member_id, sev, status, classified, since, detail, line, n) VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,1)")
	}
	// A later row of a member replaces the finding only if it is worse.
	// The expressions read the row as it was before the update.
	b.WriteString(` ON CONFLICT (member_id) DO UPDATE SET
	n = n + 1,
	sev = max(sev, excluded.sev),
	status = iif(excluded.sev > sev, excluded.status, status),
	classified = iif(excluded.sev > sev, excluded.classified, classified),
	since = iif(excluded.sev > sev, excluded.since, since),
	detail = iif(excluded.sev > sev, excluded.detail, detail),
	line = iif(excluded.sev > sev, excluded.line, line)`)
	return b.String()
}

var (
	seenInsertMulti = seenInsert(stageRows)
	seenInsertOne   = seenInsert(1)
)

// A driftItem is an export row, its address parsed.
type driftItem struct {
	memberID string
	line     int
	addr     address.Address
	perr     *address.ParseError // the address cannot be parsed
}

// A driftBatch is a run of the export, parsed off the judging goroutine.
type driftBatch struct {
	items []driftItem
	read  int
	errs  []*RowError
	fatal error
}

// judge reads the export and stages a finding for every row. Reading and
// parsing run on a goroutine of their own; the store and the scratch
// database are used on this one.
func (d *drifter) judge(ctx context.Context, export iter.Seq2[ExportRow, error]) error {
	pctx, cancel := context.WithCancel(ctx)
	out := make(chan *driftBatch, 2)
	free := make(chan *driftBatch, 3)
	go parseExport(pctx, export, out, free)
	defer func() {
		cancel()
		for range out {
		}
	}()

	var ids []string
	for b := range out {
		d.sum.Rows += b.read
		for _, re := range b.errs {
			d.sum.Bad++
			if len(d.sum.Errors) < MaxErrors {
				d.sum.Errors = append(d.sum.Errors, re)
			}
		}
		if b.fatal != nil {
			return b.fatal
		}
		items := b.items
		slices.SortFunc(items, func(x, y driftItem) int {
			return cmp.Or(strings.Compare(x.memberID, y.memberID), x.line-y.line)
		})
		ids = ids[:0]
		for i := range items {
			if i == 0 || items[i].memberID != items[i-1].memberID {
				ids = append(ids, items[i].memberID)
			}
		}
		if err := d.judgeChunk(ctx, items, ids); err != nil {
			return err
		}
		select {
		case free <- b:
		default:
		}
	}
	return ctx.Err()
}

// parseExport ranges over the export, sending batches of parsed rows on
// out. It stops early when ctx is done or after a fatal error.
func parseExport(ctx context.Context, export iter.Seq2[ExportRow, error], out chan<- *driftBatch, free <-chan *driftBatch) {
	defer close(out)
	newBatch := func() *driftBatch {
		select {
		case b := <-free:
			b.items, b.read, b.errs, b.fatal = b.items[:0], 0, b.errs[:0], nil
			return b
		default:
			return &driftBatch{items: make([]driftItem, 0, driftChunkRows)}
		}
	}
	send := func(b *driftBatch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	b := newBatch()
	for row, err := range export {
		if ctx.Err() != nil {
			return
		}
		b.read++
		if err == nil {
			if re := checkExportRow(&row); re != nil {
				err = re
			}
		}
		var re *RowError
		switch {
		case err == nil:
			it := driftItem{memberID: row.MemberID, line: row.Line}
			a, err := address.ParseFields(row.Line1, row.Line2, row.City, row.State, row.ZIP)
			if err != nil {
				if !errors.As(err, &it.perr) {
					it.perr = &address.ParseError{Err: err}
				}
			} else {
				it.addr = a
			}
			b.items = append(b.items, it)
		case errors.As(err, &re):
			b.errs = append(b.errs, re)
		default:
			b.read--
			b.fatal = err
			send(b)
			return
		}
		if len(b.items) == driftChunkRows {
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

// judgeChunk judges the rows items, sorted by member id, whose distinct
// member ids are ids, and stages the findings.
func (d *drifter) judgeChunk(ctx context.Context, items []driftItem, ids []string) error {
	tx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, seenInsertMulti)
	if err != nil {
		return err
	}
	insOne, err := tx.PrepareContext(ctx, seenInsertOne)
	if err != nil {
		return err
	}
	d.args = d.args[:0]
	n := 0
	stage := func(it *driftItem, r DriftResult) error {
		var since any
		if !r.Since.IsZero() {
			since = r.Since.UnixNano()
		}
		d.args = append(d.args, it.memberID, r.Status.severity(), int64(r.Status), int64(r.Classified), since, r.Detail, it.line)
		if n++; n < stageRows {
			return nil
		}
		_, err := ins.ExecContext(ctx, d.args...)
		d.args, n = d.args[:0], 0
		return err
	}

	i := 0
	for h, err := range d.s.Histories(ctx, ids) {
		if err != nil {
			return err
		}
		for ; i < len(items) && items[i].memberID < h.MemberID; i++ {
			if err := stage(&items[i], DriftResult{Status: MissingInStore, Detail: "member not in the store"}); err != nil {
				return err
			}
		}
		for ; i < len(items) && items[i].memberID == h.MemberID; i++ {
			if err := stage(&items[i], d.classify(&items[i], &h)); err != nil {
				return err
			}
		}
	}
	for ; i < len(items); i++ {
		if err := stage(&items[i], DriftResult{Status: MissingInStore, Detail: "member not in the store"}); err != nil {
			return err
		}
	}
	for k := 0; k < n; k++ {
		if _, err := insOne.ExecContext(ctx, d.args[7*k:7*k+7]...); err != nil {
			return err
		}
	}
	d.args = d.args[:0]
	return tx.Commit()
}

// classify judges one row against its member's history.
func (d *drifter) classify(it *driftItem, h *address.History) DriftResult {
	if it.perr != nil {
		return DriftResult{Status: UnknownInOther,
			Detail: "unparsable address: " + it.perr.Field.String() + ": " + it.perr.Err.Error()}
	}
	f := address.Classify(it.addr, *h, d.asOf, 0)
	r := DriftResult{Classified: f.Status}
	switch f.Status {
	case address.Current, address.RecentlyChanged, address.PendingChange, address.UndeliverableAddress:
		r.Status, r.Since = InSync, f.Since
	case address.Stale:
		r.Status, r.Since = StaleInOther, f.Since
		r.Detail = "former address" + differs(f)
	default:
		r.Status = UnknownInOther
		r.Detail = "never the member's address" + differs(f)
	}
	return r
}

// differs says how the other system's address differs from the one in
// force, by field.
func differs(f address.Finding) string {
	switch {
	case f.Match.Kind == 0: // Classify compares with the address in force only
		return "; no address in force"
	case len(f.Match.Differs) == 0:
		return ""
	}
	var b strings.Builder
	if f.Match.Kind == address.Similar {
		b.WriteString("; similar to the one in force, differs in ")
	} else {
		b.WriteString("; differs from the one in force in ")
	}
	for i, fl := range f.Match.Differs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fl.String())
	}
	return b.String()
}

// emitBatch is the number of store members not in the export whose
// histories are read at once, to tell whether they have an address in
// force.
const emitBatch = 4096

// emit merges the staged findings with the store's members, in member id
// order, and calls out for each.
func (d *drifter) emit(ctx context.Context) error {
	rows, err := d.conn.QueryContext(ctx, "SELECT member_id, status, classified, since, detail, line, n FROM seen ORDER BY member_id")
	if err != nil {
		return err
	}
	defer rows.Close()
	var next DriftResult
	more := true
	advance := func() error {
		if more = rows.Next(); !more {
			return rows.Err()
		}
		var since sql.NullInt64
		var status, classified int64
		next = DriftResult{}
		if err := rows.Scan(&next.MemberID, &status, &classified, &since, &next.Detail, &next.Line, &next.Rows); err != nil {
			return err
		}
		next.Status, next.Classified = DriftStatus(status), address.Status(classified)
		if since.Valid {
			next.Since = time.Unix(0, since.Int64).UTC()
		}
		if next.Status == InSync {
			next.Detail = next.Classified.String()
		}
		if next.Rows > 1 {
			next.Detail += "; " + strconv.Itoa(next.Rows) + " rows in the export, the line judged is " + strconv.Itoa(next.Line)
		}
		return nil
	}
	if err := advance(); err != nil {
		return err
	}
	for id, err := range d.s.Members(ctx) {
		if err != nil {
			return err
		}
		for more && next.MemberID < id {
			if err := d.push(ctx, next); err != nil {
				return err
			}
			if err := advance(); err != nil {
				return err
			}
		}
		if more && next.MemberID == id {
			if err := d.push(ctx, next); err != nil {
				return err
			}
			if err := advance(); err != nil {
				return err
			}
			continue
		}
		// A member of the store the export does not have: missing if it
		// has an address in force, which its history tells.
		d.cands = append(d.cands, id)
		d.pending = append(d.pending, DriftResult{MemberID: id, Status: MissingInOther})
		if len(d.cands) == emitBatch {
			if err := d.flush(ctx); err != nil {
				return err
			}
		}
	}
	for more {
		if err := d.push(ctx, next); err != nil {
			return err
		}
		if err := advance(); err != nil {
			return err
		}
	}
	return d.flush(ctx)
}

// push emits r, or holds it behind unresolved candidates.
func (d *drifter) push(ctx context.Context, r DriftResult) error {
	if len(d.cands) == 0 {
		return d.send(r)
	}
	d.pending = append(d.pending, r)
	if len(d.pending) >= 4*emitBatch {
		return d.flush(ctx)
	}
	return nil
}

func (d *drifter) send(r DriftResult) error {
	d.sum.add(&r)
	if d.out != nil {
		return d.out(r)
	}
	return nil
}

// flush resolves the candidates and emits the results held.
func (d *drifter) flush(ctx context.Context) error {
	inForce := make(map[string]bool, len(d.cands))
	if len(d.cands) > 0 {
		for h, err := range d.s.Histories(ctx, d.cands) {
			if err != nil {
				return err
			}
			inForce[h.MemberID] = hasAddressAt(&h, d.asOf)
		}
	}
	for _, r := range d.pending {
		if r.Status == MissingInOther {
			if !inForce[r.MemberID] {
				continue
			}
			r.Detail = "not in the export"
		}
		if err := d.send(r); err != nil {
			return err
		}
	}
	d.pending, d.cands = d.pending[:0], d.cands[:0]
	return ctx.Err()
}

// hasAddressAt reports whether the member whose history is h has an
// address in force at t: an address version that took effect at or before
// t.
func hasAddressAt(h *address.History, t time.Time) bool {
	for _, v := range h.Versions {
		if v.Kind == address.Moved && !v.Effective.After(t) {
			return true
		}
	}
	return false
}
