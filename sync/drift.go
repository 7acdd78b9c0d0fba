package sync

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/internal/csvhead"
	"github.com/printgate/printgate/internal/csvrec"
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
// silently. Spaces around a member id are ignored.
//
// The reader checks that a row is a well-formed CSV record with a
// well-formed member id. It does not parse addresses: that is
// [Store.Drift]'s job, which reports an address it cannot parse as a bad
// row too.
type ExportReader struct {
	r    *csvrec.Reader // encoding/csv's reading, bounded
	cols []int          // column of each CSV field
	err  error          // sticky: a header or I/O error
	f    [nExportCols]string
}

// NewExportReader returns a reader of the export in r.
func NewExportReader(r io.Reader) *ExportReader {
	return &ExportReader{r: csvrec.NewReader(r, MaxCSVRecord)}
}

// Read returns the next row. At the end of the input it returns io.EOF.
//
// A bad row yields a *[RowError] naming its line, the column at fault and
// the reason, and the next call reads the next row. The reasons are
// [ErrMissing] and [ErrInvalidID] for the member_id column, and
// encoding/csv's errors for a record that is not well-formed:
// [csv.ErrQuote] and [csv.ErrBareQuote] name the column the fault is in,
// [csv.ErrFieldCount] (a row with more or fewer fields than the header)
// names the column "record", as it is the row as a whole, and so does
// [ErrLineTooLong], for a record longer than [MaxCSVRecord], which is read
// to its end without being kept. A quoted field may span lines, as in
// encoding/csv; one that is never closed takes the rest of the input into
// one bad row.
//
// Any other error (the header, the underlying reader) ends the input and
// is returned again by every later call. An empty input has no rows.
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
	rec, line, err := r.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// encoding/csv's errors hold no input text. On a quote error
			// the record holds the fields before the one at fault.
			field := "record"
			if pe.Err != csv.ErrFieldCount && pe.Err != ErrLineTooLong && len(rec) < len(r.cols) {
				field = exportColNames[r.cols[len(rec)]]
			}
			return ExportRow{}, &RowError{Line: pe.StartLine, Field: field, Err: pe.Err}
		}
		r.err = err
		return ExportRow{}, err
	}
	for i, c := range r.cols {
		r.f[c] = rec[i]
	}
	row := ExportRow{
		MemberID: strings.TrimSpace(r.f[exMemberID]),
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
	rec, _, err := r.r.Read()
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
		c := slices.Index(exportColNames[:], csvhead.Name(name))
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
			if err == io.EOF || !yield(row, err) {
				return
			}
			if err != nil {
				if re := (*RowError)(nil); !errors.As(err, &re) {
					return
				}
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
	// the check, in any formatting, or an address of the member that
	// takes effect later: it is ahead, not wrong (address.Classify finds
	// it Current, RecentlyChanged, PendingChange or
	// UndeliverableAddress; Classified tells which).
	InSync DriftStatus = iota + 1
	// StaleInOther: the other system holds a former address of the
	// member. Since is when the member moved away from it.
	StaleInOther
	// UnknownInOther: the other system holds an address the member never
	// had.
	UnknownInOther
	// InvalidInOther: the other system holds, for a member of the store,
	// an address that cannot be parsed. The detail names the field and
	// the reason; the row is also a bad row of the summary.
	InvalidInOther
	// MissingInOther: the store has the member, with an address in force,
	// and the other system does not.
	MissingInOther
	// MissingInStore: the other system has a member the store has never
	// heard of.
	MissingInStore
	// HeldInStore: the store holds a change event for the member that it
	// could not apply (a bad row of a feed; see [Hold]) and that no later
	// move supersedes ([address.History.UnappliedAt]), so its history
	// may lack the member's latest move, and the other system's address,
	// the one in force in the store or not, cannot be judged right or
	// wrong. Classified tells what address.Classify found of it.
	HeldInStore
)

// DriftStatuses lists every DriftStatus, in order.
var DriftStatuses = []DriftStatus{InSync, StaleInOther, UnknownInOther, InvalidInOther, MissingInOther, MissingInStore, HeldInStore}

var driftStatusNames = [...]string{"", "in_sync", "stale_in_other", "unknown_in_other", "invalid_in_other", "missing_in_other", "missing_in_store", "held_in_store"}

// String returns the status's name as used in outputs: "stale_in_other".
func (s DriftStatus) String() string {
	if s != 0 && int(s) < len(driftStatusNames) {
		return driftStatusNames[s]
	}
	return "drift_status(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText implements [encoding.TextMarshaler].
func (s DriftStatus) MarshalText() ([]byte, error) {
	if s == 0 || int(s) >= len(driftStatusNames) {
		return nil, errors.New("pgsync: invalid drift status " + strconv.Itoa(int(s)))
	}
	return []byte(s.String()), nil
}

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
		return 3
	case UnknownInOther:
		return 2
	case InvalidInOther:
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
	// mail came back). Zero otherwise, HeldInStore included ([Store.Holds]
	// tells when each event the store could not apply came).
	Since time.Time
	// Classified is what address.Classify found of the row judged; zero
	// for InvalidInOther, MissingInOther and MissingInStore.
	Classified address.Status
	// Detail explains the status in words: the classification, the
	// fields in which the other system's address differs from the one in
	// force, the field and reason an address cannot be parsed, the event
	// the store could not apply, and how many rows the export has for the
	// member.
	Detail string
	// Line is the export line of the row judged: of a member listed more
	// than once, the first of its worst rows. Zero for MissingInOther.
	Line int
	// Rows is the number of export rows for the member, bad ones with its
	// id included; zero for MissingInOther.
	Rows int
}

// A DriftSummary accounts for a drift check. Every member considered has
// exactly one status, so
//
//	Members = InSync + StaleInOther + UnknownInOther + InvalidInOther + MissingInOther + MissingInStore + HeldInStore
//
// and every row read counts for one member, as its first row or a repeat,
// or for none:
//
//	Rows = (Members - MissingInOther) + Repeated + NoMember
type DriftSummary struct {
	AsOf time.Time // the time the store was read as of

	Members        int // distinct members: in the export, or in the store with an address in force
	InSync         int
	StaleInOther   int
	UnknownInOther int
	InvalidInOther int
	MissingInOther int
	MissingInStore int
	HeldInStore    int

	// UnattributedInStore is the number of the store's holds that name no
	// member ([Hold]: a feed row whose member id could not be read),
	// standing when it was read. Any member's address in the store may
	// then be missing a move, those InSync among them, and the gate halts
	// every batch until the holds end.
	UnattributedInStore int

	Rows     int // export rows read, good and bad, the header not counted
	Repeated int // rows of a member listed on an earlier row
	// Bad is the number of rows that could not be judged: a malformed
	// record, a missing or malformed member id, or an address that cannot
	// be parsed. Each is a *RowError in Errors. A bad row with a
	// well-formed member id still counts for its member (InvalidInOther,
	// unless another of its rows is worse or the store does not know it).
	Bad int
	// NoMember is the number of bad rows with no well-formed member id:
	// they count for no member, and the member they were meant for, if
	// the store has it, may be reported MissingInOther.
	NoMember int

	// Errors holds the first MaxErrors bad rows, in input order.
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
	case InvalidInOther:
		return s.InvalidInOther
	case MissingInOther:
		return s.MissingInOther
	case MissingInStore:
		return s.MissingInStore
	case HeldInStore:
		return s.HeldInStore
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
	case InvalidInOther:
		s.InvalidInOther++
	case MissingInOther:
		s.MissingInOther++
	case MissingInStore:
		s.MissingInStore++
	case HeldInStore:
		s.HeldInStore++
	}
	if r.Rows > 1 {
		s.Repeated += r.Rows - 1
	}
}

// Drift compares another system's copy of member addresses, export, with
// the store as of asOf (the zero asOf means the store's Now), and calls out
// (if not nil) with the result for each member, in member id order (byte
// order), once per member. The rules:
//   - Each row's address is parsed with [address.ParseFields] and judged
//     against the member's history with [address.Classify] (the default
//     recent window). The other system is in sync if it holds the address
//     in force at asOf, in any formatting, or an address of the member
//     that takes effect after asOf: Current, RecentlyChanged, PendingChange and
//     UndeliverableAddress are [InSync]; Stale is [StaleInOther], since
//     the member moved away; UnknownAddress is [UnknownInOther].
//   - A row whose address cannot be parsed is a bad row, kept in the
//     summary's Errors; its member is [InvalidInOther], the detail
//     naming the field and reason.
//   - A member the store has never heard of is [MissingInStore], whatever
//     its rows hold.
//   - A member for whom the store holds a change event it could not apply
//     (a standing [Hold]) is [HeldInStore] where it would be InSync or
//     UnknownInOther: the store's history may lack the move the other
//     system holds, or share its error. Its other statuses stand. Either
//     way the detail names the event.
//   - A member of the store with an address in force at asOf (an address
//     version that took effect at or before asOf) and no row in the
//     export is [MissingInOther]. A member whose first address takes
//     effect after asOf is not missing: there is nothing to hold yet.
//   - A member listed on more than one row is reported once, by the
//     worst of its rows (stale, then unknown, then invalid, then in sync;
//     the first such row): a copy that holds a former address anywhere is
//     not in sync. Rows counts the member's rows.
//   - A bad row with no member (a pair with a *[RowError]: from an
//     [ExportReader], a malformed record or member id; or a row whose
//     member id is missing or malformed) is counted and kept in the
//     summary's Errors, and the rest is judged. Any other error of the
//     export ends the check.
//
// Drift reads the store in one read transaction, so it sees one state of
// the store even while an apply commits.
//
// Drift streams; its memory does not grow with the size of the export or
// the store. It reads the export in runs of some tens of thousands of rows,
// parsing them on all CPUs, sorts each run by member id and spills it to a
// temporary file (in [os.TempDir]; about the size of the export, twice that
// beyond four million rows), encrypted with a key held only in
// memory and removed as soon as it is created where the system allows, so
// that no address text is left readable on disk. It then merges the runs
// with one ordered scan of the store. It calls out only once the whole
// export is read, so an error of the export calls it not at all; an error
// of the store, of the context or of out stops the calls part way. An
// error from out is returned as it is.
//
// Drift returns the summary, which counts what was done, and an error:
// nil, or the export's (unchanged), the context's, out's, or one of the
// store or the temporary file.
func (s *Store) Drift(ctx context.Context, export iter.Seq2[ExportRow, error], asOf time.Time, out func(DriftResult) error) (*DriftSummary, error) {
	if asOf.IsZero() {
		asOf = s.now()
	}
	d := &drifter{s: s, asOf: asOf, out: out, sum: &DriftSummary{AsOf: asOf}, z: driftSizes}
	sp, err := newSpill(d.z.block)
	if err != nil {
		return d.sum, fmt.Errorf("pgsync: drift: %w", err)
	}
	defer sp.close()
	d.sp = sp
	if err := d.read(ctx, export); err != nil {
		return d.sum, err
	}
	return d.sum, d.merge(ctx)
}

type drifter struct {
	s    *Store
	asOf time.Time
	out  func(DriftResult) error
	sum  *DriftSummary
	sp   *spill
	z    sizes

	mu    sync.Mutex
	runs  []run
	done  int                  // batches folded into sum
	held  map[int]*batchResult // batches finished out of order
	first error                // the first error of a worker
}

// driftSizes are the sizes of a drift's work. Tests make them small.
var driftSizes = sizes{
	runRows:   1 << 16,
	block:     64 << 10,
	mergeRuns: 64,
	histBatch: 1024,
}

type sizes struct {
	runRows   int // export rows sorted in memory at a time: one run
	block     int // bytes of plain text per spilled block, about
	mergeRuns int // runs merged at once; more are merged in passes first
	histBatch int // histories the store scan hands over at a time
}

// An exportBatch is a run of the export as read, in input order: each item
// a row, or the *RowError read in its place.
type exportBatch struct {
	seq   int    // batch number, from 0
	first uint64 // input index of items[0]
	items []exportItem
}

type exportItem struct {
	row ExportRow
	err *RowError
}

// A batchResult is what a batch adds to the summary.
type batchResult struct {
	rows, bad, noMember int
	errs                []*RowError
}

// read reads the whole export, parsing, sorting and spilling it in runs:
// reading on this goroutine, the rest on one worker per CPU.
func (d *drifter) read(ctx context.Context, export iter.Seq2[ExportRow, error]) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *exportBatch, workers)
	free := make(chan *exportBatch, 2*workers+1)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var w spillWorker
			for b := range work {
				if ctx.Err() == nil {
					if err := d.spillBatch(b, &w); err != nil {
						d.fail(err)
						cancel()
					}
				}
				select {
				case free <- b:
				default:
				}
			}
		})
	}
	newBatch := func(seq int, first uint64) *exportBatch {
		select {
		case b := <-free:
			clear(b.items) // drop the strings of the rows before
			b.seq, b.first, b.items = seq, first, b.items[:0]
			return b
		default:
			// The first small: most exports are not large.
			n := d.z.runRows
			if seq == 0 {
				n = min(n, 1024)
			}
			return &exportBatch{seq: seq, first: first, items: make([]exportItem, 0, n)}
		}
	}
	send := func(b *exportBatch) bool {
		select {
		case work <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}

	var fatal error
	n, seq := uint64(0), 0
	b := newBatch(seq, n)
	for row, err := range export {
		if n%4096 == 0 && ctx.Err() != nil {
			break
		}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				fatal = err
				break
			}
			b.items = append(b.items, exportItem{err: re})
		} else {
			b.items = append(b.items, exportItem{row: row})
		}
		n++
		if len(b.items) == d.z.runRows {
			if !send(b) {
				break
			}
			seq++
			b = newBatch(seq, n)
		}
	}
	if fatal == nil && len(b.items) > 0 {
		send(b)
	}
	close(work)
	wg.Wait()
	switch {
	case fatal != nil:
		return fatal
	case d.first != nil:
		return fmt.Errorf("pgsync: drift: %w", d.first)
	}
	return ctx.Err()
}

func (d *drifter) fail(err error) {
	d.mu.Lock()
	if d.first == nil {
		d.first = err
	}
	d.mu.Unlock()
}

// A spillWorker holds one worker's buffers.
type spillWorker struct {
	arena []byte
	ents  []spillEntry
	w     runWriter
}

// A spillEntry places one encoded row in the worker's arena.
type spillEntry struct {
	prefix     uint64 // the first 8 bytes of id, big-endian: most comparisons need no more
	id         string
	seq        uint64
	start, end int
}

func idPrefix(id string) uint64 {
	var b [8]byte
	copy(b[:], id)
	return binary.BigEndian.Uint64(b[:])
}

// The kinds of spilled rows.
const (
	rowAddress = 1 // the payload is the address, as Address.AppendBinary writes it
	rowInvalid = 2 // the payload is the detail: the field and reason the address cannot be parsed
)

// spillBatch parses the rows of b, sorts them by member id and spills them
// as one run, and folds what they add to the summary.
func (d *drifter) spillBatch(b *exportBatch, w *spillWorker) error {
	res := &batchResult{rows: len(b.items)}
	bad := func(re *RowError, member bool) {
		res.bad++
		if !member {
			res.noMember++
		}
		if len(res.errs) < MaxErrors {
			res.errs = append(res.errs, re)
		}
	}
	w.arena, w.ents = w.arena[:0], w.ents[:0]
	for i := range b.items {
		it := &b.items[i]
		if it.err != nil {
			bad(it.err, false)
			continue
		}
		row := &it.row
		if re := checkExportRow(row); re != nil {
			bad(re, false)
			continue
		}
		seq := b.first + uint64(i)
		start := len(w.arena)
		w.arena = binary.AppendUvarint(w.arena, uint64(len(row.MemberID)))
		w.arena = append(w.arena, row.MemberID...)
		w.arena = binary.AppendUvarint(w.arena, seq)
		w.arena = binary.AppendUvarint(w.arena, uint64(max(row.Line, 0)))
		a, err := address.ParseFields(row.Line1, row.Line2, row.City, row.State, row.ZIP)
		if err != nil {
			bad(&RowError{Line: row.Line, Field: inputColumn(err), Err: err}, true)
			w.arena = append(w.arena, rowInvalid)
			w.arena = append(w.arena, unparsable(err)...)
		} else {
			w.arena = append(w.arena, rowAddress)
			w.arena, _ = a.AppendBinary(w.arena)
		}
		w.ents = append(w.ents, spillEntry{prefix: idPrefix(row.MemberID), id: row.MemberID, seq: seq, start: start, end: len(w.arena)})
	}
	slices.SortFunc(w.ents, func(x, y spillEntry) int {
		if x.prefix != y.prefix {
			return cmp.Compare(x.prefix, y.prefix)
		}
		return cmp.Or(strings.Compare(x.id, y.id), cmp.Compare(x.seq, y.seq))
	})
	w.w.reset(d.sp)
	for _, e := range w.ents {
		if err := w.w.add(w.arena[e.start:e.end]); err != nil {
			return err
		}
	}
	r, err := w.w.finish()
	if err != nil {
		return err
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if len(r) > 0 {
		d.runs = append(d.runs, r)
	}
	// Fold the batches into the summary in input order, so that Errors
	// is in input order.
	if d.held == nil {
		d.held = make(map[int]*batchResult)
	}
	d.held[b.seq] = res
	for {
		res, ok := d.held[d.done]
		if !ok {
			break
		}
		delete(d.held, d.done)
		d.done++
		d.sum.Rows += res.rows
		d.sum.Bad += res.bad
		d.sum.NoMember += res.noMember
		for _, re := range res.errs {
			if len(d.sum.Errors) < MaxErrors {
				d.sum.Errors = append(d.sum.Errors, re)
			}
		}
	}
	return nil
}

// unparsable says, without input text, why an address cannot be parsed.
func unparsable(err error) string {
	var pe *address.ParseError
	if errors.As(err, &pe) {
		// "line1 at byte 4: no primary number"
		return "address cannot be read: " + strings.TrimPrefix(pe.Error(), "address: ")
	}
	return "address cannot be read"
}

// A spill is a temporary file of sorted runs of export rows. The rows are
// PHI: the file is encrypted (AES-GCM) with a key that exists only in
// memory, and removed as soon as it is created where the system allows (it
// is then gone when the process ends, however it ends), so that no address
// text is left readable on disk.
type spill struct {
	f     *os.File
	name  string
	aead  cipher.AEAD
	block int

	mu     sync.Mutex
	end    int64  // the file's length
	blocks uint64 // blocks sealed: the nonce of the next
}

// A run is a sorted sequence of spilled rows: the blocks that hold it, in
// order.
type run []blockRef

type blockRef struct {
	off   int64
	n     int // sealed length
	nonce uint64
}

func newSpill(block int) (*spill, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	c, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(c)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "printgate-drift-*") // mode 0600
	if err != nil {
		return nil, err
	}
	sp := &spill{f: f, name: f.Name(), aead: aead, block: block}
	if os.Remove(sp.name) == nil {
		sp.name = ""
	}
	return sp, nil
}

func (sp *spill) close() {
	sp.f.Close()
	if sp.name != "" {
		os.Remove(sp.name)
	}
}

// write seals plain as a block at the end of the file, using buf for the
// sealed text, and returns the block and buf.
func (sp *spill) write(plain, buf []byte) (blockRef, []byte, error) {
	n := len(plain) + sp.aead.Overhead()
	sp.mu.Lock()
	ref := blockRef{off: sp.end, n: n, nonce: sp.blocks}
	sp.end += int64(n)
	sp.blocks++
	sp.mu.Unlock()
	buf = sp.aead.Seal(buf[:0], sp.nonce(ref.nonce), plain, nil)
	_, err := sp.f.WriteAt(buf, ref.off)
	return ref, buf, err
}

// read reads and opens the block ref, using buf for the sealed text and
// plain for the result.
func (sp *spill) read(ref blockRef, buf, plain []byte) (b, p []byte, err error) {
	buf = slices.Grow(buf[:0], ref.n)[:ref.n]
	if _, err := sp.f.ReadAt(buf, ref.off); err != nil {
		return buf, plain, err
	}
	plain, err = sp.aead.Open(plain[:0], sp.nonce(ref.nonce), buf, nil)
	return buf, plain, err
}

func (sp *spill) nonce(n uint64) []byte {
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:], n)
	return b[:]
}

// A runWriter writes one run: records, each its length and its bytes,
// gathered into blocks of about the spill's block size.
type runWriter struct {
	sp     *spill
	plain  []byte
	sealed []byte
	run    run
}

func (w *runWriter) reset(sp *spill) {
	w.sp, w.plain, w.run = sp, w.plain[:0], nil
}

func (w *runWriter) add(rec []byte) error {
	if len(w.plain) > 0 && len(w.plain)+len(rec)+binary.MaxVarintLen64 > w.sp.block {
		if err := w.flush(); err != nil {
			return err
		}
	}
	w.plain = binary.AppendUvarint(w.plain, uint64(len(rec)))
	w.plain = append(w.plain, rec...)
	return nil
}

func (w *runWriter) flush() error {
	ref, sealed, err := w.sp.write(w.plain, w.sealed)
	w.sealed, w.plain = sealed, w.plain[:0]
	w.run = append(w.run, ref)
	return err
}

func (w *runWriter) finish() (run, error) {
	if len(w.plain) > 0 {
		if err := w.flush(); err != nil {
			return nil, err
		}
	}
	return w.run, nil
}

// A cursor reads a run, one record at a time.
type cursor struct {
	sp     *spill
	run    run
	sealed []byte
	plain  []byte
	pos    int

	// The current record; its slices point into plain.
	rec  []byte // the whole record, as runWriter.add took it
	id   []byte
	seq  uint64
	line int
	kind byte
	data []byte
}

// next moves to the next record; false at the end of the run.
func (c *cursor) next() (bool, error) {
	if c.pos == len(c.plain) {
		if len(c.run) == 0 {
			return false, nil
		}
		var err error
		c.sealed, c.plain, err = c.sp.read(c.run[0], c.sealed, c.plain)
		if err != nil {
			return false, err
		}
		c.run, c.pos = c.run[1:], 0
	}
	n, k := binary.Uvarint(c.plain[c.pos:])
	if k <= 0 || uint64(len(c.plain)-c.pos-k) < n {
		return false, errSpill
	}
	c.rec = c.plain[c.pos+k : c.pos+k+int(n)]
	c.pos += k + int(n)

	b := c.rec
	idLen, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < idLen {
		return false, errSpill
	}
	c.id, b = b[k:k+int(idLen)], b[k+int(idLen):]
	if c.seq, k = binary.Uvarint(b); k <= 0 {
		return false, errSpill
	}
	b = b[k:]
	line, k := binary.Uvarint(b)
	if k <= 0 || len(b) == k {
		return false, errSpill
	}
	c.line, c.kind, c.data = int(line), b[k], b[k+1:]
	return true, nil
}

var errSpill = errors.New("temporary file: malformed record")

// A merger merges runs into one sequence in (member id, input index)
// order.
type merger []*cursor

func (m merger) Len() int { return len(m) }
func (m merger) Less(i, j int) bool {
	if c := bytes.Compare(m[i].id, m[j].id); c != 0 {
		return c < 0
	}
	return m[i].seq < m[j].seq
}
func (m merger) Swap(i, j int) { m[i], m[j] = m[j], m[i] }
func (m *merger) Push(x any)   { *m = append(*m, x.(*cursor)) }
func (m *merger) Pop() any {
	old := *m
	c := old[len(old)-1]
	*m = old[:len(old)-1]
	return c
}

// newMerger returns a merger of runs, each cursor on its first record.
func newMerger(sp *spill, runs []run) (*merger, error) {
	m := make(merger, 0, len(runs))
	for _, r := range runs {
		c := &cursor{sp: sp, run: r}
		ok, err := c.next()
		if err != nil {
			return nil, err
		}
		if ok {
			m = append(m, c)
		}
	}
	heap.Init(&m)
	return &m, nil
}

// top returns the cursor on the least record, or nil at the end.
func (m *merger) top() *cursor {
	if len(*m) == 0 {
		return nil
	}
	return (*m)[0]
}

// advance moves the least cursor to its next record.
func (m *merger) advance() error {
	ok, err := (*m)[0].next()
	switch {
	case err != nil:
		return err
	case ok:
		heap.Fix(m, 0)
	default:
		heap.Pop(m)
	}
	return nil
}

// mergeRuns merges the runs, in passes of d.z.mergeRuns, until at most
// that many are left.
func (d *drifter) mergeRuns(ctx context.Context) ([]run, error) {
	runs := d.runs
	for len(runs) > d.z.mergeRuns {
		var next []run
		for len(runs) > 0 {
			group := runs[:min(d.z.mergeRuns, len(runs))]
			runs = runs[len(group):]
			m, err := newMerger(d.sp, group)
			if err != nil {
				return nil, err
			}
			var w runWriter
			w.reset(d.sp)
			for c := m.top(); c != nil; c = m.top() {
				if err := w.add(c.rec); err != nil {
					return nil, err
				}
				if err := m.advance(); err != nil {
					return nil, err
				}
			}
			r, err := w.finish()
			if err != nil {
				return nil, err
			}
			next = append(next, r)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		runs = next
	}
	return runs, nil
}

// A histBatch is a run of histories from the store scan, or the error
// that ended it. The addresses of the versions are not decoded yet: the
// scan hands over their stored form, and [histBatch.decode] decodes a
// history's when it is needed, on the judging goroutine, which keeps the
// two goroutines of the merge about equally busy.
type histBatch struct {
	hs    []address.History
	first []int             // index in vs of each history's first version
	vs    []address.Version // the histories' versions, in one array
	addrs []int             // end in raw of each version's stored address
	raw   []byte            // the stored addresses
	err   error
}

// decode decodes the addresses of history i.
func (b *histBatch) decode(i int) error {
	h := &b.hs[i]
	for k := range h.Versions {
		j := b.first[i] + k
		start := 0
		if j > 0 {
			start = b.addrs[j-1]
		}
		v := &h.Versions[k]
		if err := loadStoredAddr(&v.Address, string(b.raw[start:b.addrs[j]]), v.Key); err != nil {
			return fmt.Errorf("member %s: %w", h.MemberID, err)
		}
	}
	return nil
}

// The columns of versions that Drift reads: not the name, which it does
// not compare, nor the event id and recorded time, which only order the
// versions.
const driftScanQuery = `SELECT member_id, effective, kind, addr, key FROM versions
ORDER BY member_id, effective, recorded, event_id`

// scanStore reads the histories of every member of the store, in member id
// order, in one read transaction, and sends them on out in batches.
func (d *drifter) scanStore(ctx context.Context, out chan<- *histBatch, free <-chan *histBatch) {
	defer close(out)
	send := func(b *histBatch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	fail := func(err error) { send(&histBatch{err: fmt.Errorf("pgsync: drift: reading the store: %w", err)}) }
	tx, err := d.s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		fail(err)
		return
	}
	defer tx.Rollback()
	holds, err := standingHolds(ctx, tx)
	if err != nil {
		fail(err)
		return
	}
	// Before the first send: the summary is read once the scan is done.
	d.sum.UnattributedInStore = len(holds[""])
	rows, err := tx.QueryContext(ctx, driftScanQuery)
	if err != nil {
		fail(err)
		return
	}
	defer rows.Close()

	newBatch := func() *histBatch {
		select {
		case b := <-free:
			clear(b.hs)
			clear(b.vs)
			b.hs, b.first, b.vs, b.addrs, b.raw = b.hs[:0], b.first[:0], b.vs[:0], b.addrs[:0], b.raw[:0]
			return b
		default:
			return &histBatch{
				hs:    make([]address.History, 0, d.z.histBatch),
				first: make([]int, 0, d.z.histBatch),
				vs:    make([]address.Version, 0, 64),
				addrs: make([]int, 0, 64),
				raw:   make([]byte, 0, 4096),
			}
		}
	}
	b := newBatch()
	// end ends the history of the member being read, whose first version
	// is b.vs[start].
	end := func(member string, start int) {
		b.hs = append(b.hs, address.History{MemberID: member, Versions: b.vs[start:len(b.vs):len(b.vs)], Unapplied: holds[member]})
		b.first = append(b.first, start)
	}
	var (
		id        sql.RawBytes
		effective int64
		kind      int64
		addr      sql.RawBytes
		key       string
		member    string
		start     int
		started   bool
	)
	for rows.Next() {
		if err := rows.Scan(&id, &effective, &kind, &addr, &key); err != nil {
			fail(err)
			return
		}
		v := address.Version{Effective: time.Unix(0, effective).UTC(), Kind: address.VersionKind(kind), Key: key}
		if !started || string(id) != member {
			if started {
				end(member, start)
			}
			if len(b.hs) >= d.z.histBatch {
				if !send(b) {
					return
				}
				b = newBatch()
			}
			member, start, started = string(id), len(b.vs), true
		}
		b.raw = append(b.raw, addr...)
		b.addrs = append(b.addrs, len(b.raw))
		if len(b.vs) == cap(b.vs) {
			// Growing moves the versions: re-point the histories of
			// the batch at the new array.
			b.vs = append(b.vs, v)
			for i := range b.hs {
				n := len(b.hs[i].Versions)
				b.hs[i].Versions = b.vs[b.first[i] : b.first[i]+n : b.first[i]+n]
			}
			continue
		}
		b.vs = append(b.vs, v)
	}
	if err := rows.Err(); err != nil {
		fail(err)
		return
	}
	if started {
		end(member, start)
	}
	if len(b.hs) > 0 {
		send(b)
	}
}

// merge merges the sorted export with the store, judging each member.
func (d *drifter) merge(ctx context.Context) error {
	runs, err := d.mergeRuns(ctx)
	if err != nil {
		return d.wrap(err)
	}
	m, err := newMerger(d.sp, runs)
	if err != nil {
		return d.wrap(err)
	}

	sctx, cancel := context.WithCancel(ctx)
	hs := make(chan *histBatch, 4)
	free := make(chan *histBatch, 6)
	go d.scanStore(sctx, hs, free)
	defer func() {
		cancel()
		for range hs {
		}
	}()

	var (
		hb *histBatch
		hi int
	)
	// nextHist returns the next history of the store, or nil at the end.
	nextHist := func() (*address.History, error) {
		for hb == nil || hi == len(hb.hs) {
			if hb != nil {
				select {
				case free <- hb:
				default:
				}
			}
			b, ok := <-hs
			if !ok {
				hb = nil
				return nil, ctx.Err()
			}
			if b.err != nil {
				return nil, b.err
			}
			hb, hi = b, 0
		}
		hi++
		return &hb.hs[hi-1], nil
	}

	h, err := nextHist()
	if err != nil {
		return err
	}
	var j memberJudge
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := m.top()
		var r DriftResult
		switch {
		case c == nil && h == nil:
			return nil
		case c == nil || h != nil && h.MemberID < string(c.id):
			// A member of the store the export does not have.
			if !hasAddressAt(h, d.asOf) {
				if h, err = nextHist(); err != nil {
					return err
				}
				continue
			}
			r = DriftResult{MemberID: h.MemberID, Status: MissingInOther, Detail: "not in the export"}
			switch n := d.sum.NoMember; {
			case n == 1:
				r.Detail += "; 1 row of the export has no readable member id"
			case n > 1:
				r.Detail += "; " + strconv.Itoa(n) + " rows of the export have no readable member id"
			}
			if us := h.UnappliedAt(d.asOf); len(us) > 0 {
				r.Detail += "; " + address.UnappliedDetail(us)
			}
			if h, err = nextHist(); err != nil {
				return err
			}
		default:
			var hist *address.History
			if h != nil && h.MemberID == string(c.id) {
				if err := hb.decode(hi - 1); err != nil {
					return d.wrap(err)
				}
				hist = h
			}
			if hist != nil {
				j.start(hist.MemberID, hist, d.asOf)
			} else {
				j.start(string(c.id), nil, d.asOf)
			}
			for c = m.top(); c != nil && string(c.id) == j.member; c = m.top() {
				if err := j.add(c); err != nil {
					return d.wrap(err)
				}
				if err := m.advance(); err != nil {
					return d.wrap(err)
				}
			}
			r = j.result()
			if hist != nil {
				if h, err = nextHist(); err != nil {
					return err
				}
			}
		}
		d.sum.add(&r)
		if d.out != nil {
			if err := d.out(r); err != nil {
				return err
			}
		}
	}
}

func (d *drifter) wrap(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("pgsync: drift: %w", err)
}

// A memberJudge judges the rows of one member of the export, keeping the
// worst.
type memberJudge struct {
	member string
	h      *address.History // nil: the store does not know the member
	asOf   time.Time

	rows  int
	worst DriftStatus
	line  int
	f     address.Finding
	perr  string // the detail of an address that cannot be parsed
}

func (j *memberJudge) start(member string, h *address.History, asOf time.Time) {
	*j = memberJudge{member: member, h: h, asOf: asOf}
}

// unapplied returns the member's holds that stand at the judge's asOf
// ([address.History.UnappliedAt]).
func (j *memberJudge) unapplied() []address.UnappliedEvent {
	if j.h == nil {
		return nil
	}
	return j.h.UnappliedAt(j.asOf)
}

// add judges the record c is on.
func (j *memberJudge) add(c *cursor) error {
	j.rows++
	if j.h == nil {
		if j.rows == 1 {
			j.line = c.line
		}
		return nil
	}
	var (
		st DriftStatus
		f  address.Finding
	)
	switch c.kind {
	case rowInvalid:
		st = InvalidInOther
	case rowAddress:
		var a address.Address
		if err := a.UnmarshalBinary(c.data); err != nil {
			return err
		}
		f = address.Classify(a, *j.h, j.asOf, 0)
		switch f.Status {
		case address.Current, address.RecentlyChanged, address.PendingChange, address.UndeliverableAddress:
			st = InSync
		case address.Stale:
			st = StaleInOther
		default:
			st = UnknownInOther
		}
	default:
		return errSpill
	}
	if j.rows == 1 || st.severity() > j.worst.severity() {
		j.worst, j.line, j.f = st, c.line, f
		if st == InvalidInOther {
			j.perr = string(c.data)
		}
	}
	return nil
}

// result returns the member's result.
func (j *memberJudge) result() DriftResult {
	r := DriftResult{MemberID: j.member, Status: j.worst, Line: j.line, Rows: j.rows}
	switch {
	case j.h == nil:
		r.Status, r.Detail = MissingInStore, "not in the store"
	case j.worst == InSync:
		r.Since, r.Classified, r.Detail = j.f.Since, j.f.Status, j.f.Status.String()
	case j.worst == StaleInOther:
		r.Since, r.Classified, r.Detail = j.f.Since, j.f.Status, "former address"+differs(j.f)
	case j.worst == UnknownInOther:
		r.Classified, r.Detail = j.f.Status, "never the member's address"+differs(j.f)
	case j.worst == InvalidInOther:
		r.Detail = j.perr
	}
	if us := j.unapplied(); len(us) > 0 {
		if r.Status == InSync || r.Status == UnknownInOther {
			r.Status, r.Since = HeldInStore, time.Time{}
		}
		r.Detail += "; " + address.UnappliedDetail(us)
	}
	if j.rows > 1 {
		r.Detail += "; " + strconv.Itoa(j.rows) + " rows in the export, the one judged on line " + strconv.Itoa(j.line)
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
