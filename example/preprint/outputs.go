package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/internal/writeback"
	pgsync "github.com/printgate/printgate/sync"
)

// outputs is the VerdictSink that writes the files a mail house acts on:
//
//	release.csv     the released pieces, input columns
//	quarantine.csv  held pieces, input columns + status,detail
//	blocked.csv     blocked pieces, input columns + status,detail
//	verdicts.csv    every piece: piece_id,member_id,phi,status,decision,detail
//	report.json     the outcome
//
// Every file is written as NAME.tmp and renamed into place by Finish, after
// the ledger has committed: a run that dies leaves no partial output, and no
// release.csv whose pieces have no ledger row. Released pieces wait in
// release.csv.tmp until Finish knows the batch is not halted; a halted
// batch's would-be releases are appended to quarantine.csv instead, and
// release.csv is the header alone.
type outputs struct {
	dir     string
	header  []string // the batch's, as read
	files   map[string]*outFile
	started time.Time
	synced  bool // sync has run, and nothing was written since
}

type outFile struct {
	f    *os.File
	w    *writeback.Writer // syncs f as it grows
	b    *bufio.Writer
	line []byte // scratch: the record being written
}

// newOutFile returns an outFile writing to f. The file is synced before it
// is renamed into place; it is synced as it grows, so that the last sync
// waits for the last few megabytes only.
func newOutFile(f *os.File) *outFile {
	w := writeback.NewWriter(f)
	return &outFile{f: f, w: w, b: bufio.NewWriterSize(w, 256<<10)}
}

// sync flushes the file and makes it durable.
func (of *outFile) sync() error {
	if err := of.b.Flush(); err != nil {
		return err
	}
	return of.w.Sync()
}

// write writes one CSV record, as encoding/csv's Writer does.
func (of *outFile) write(fields ...string) error {
	of.line = appendCSV(of.line[:0], fields)
	_, err := of.b.Write(of.line)
	return err
}

// appendCSV appends fields to b as one CSV record, byte for byte as
// encoding/csv's Writer writes it (comma, LF): a field is quoted when it
// holds a comma, a quote, CR or LF, begins with a space, or is \. alone.
// It is what every row of the outputs costs, and several times faster.
func appendCSV(b []byte, fields []string) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		if !fieldNeedsQuotes(f) {
			b = append(b, f...)
			continue
		}
		b = append(b, '"')
		for {
			j := strings.IndexByte(f, '"')
			if j < 0 {
				break
			}
			b = append(b, f[:j+1]...)
			b = append(b, '"')
			f = f[j+1:]
		}
		b = append(b, f...)
		b = append(b, '"')
	}
	return append(b, '\n')
}

// fieldNeedsQuotes is encoding/csv's rule for a comma-separated field.
func fieldNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := range len(f) {
		switch f[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

var outNames = []string{"release.csv", "quarantine.csv", "blocked.csv", "verdicts.csv"}

// newOutputs starts the outputs in dir for a batch whose header row is
// header: the released, held and blocked pieces are written back with the
// batch's own columns, in its order, extra columns included.
func newOutputs(dir string, header []string) (*outputs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	o := &outputs{dir: dir, header: header, files: map[string]*outFile{}, started: time.Now()}
	held := append(slices.Clip(header), "status", "detail")
	headers := map[string][]string{
		"release.csv":    header,
		"quarantine.csv": held,
		"blocked.csv":    held,
		"verdicts.csv":   {"piece_id", "member_id", "phi", "status", "decision", "detail"},
	}
	for _, name := range outNames {
		f, err := os.OpenFile(filepath.Join(dir, name+".tmp"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			o.abort()
			return nil, err
		}
		of := newOutFile(f)
		o.files[name] = of
		if err := of.write(headers[name]...); err != nil {
			o.abort()
			return nil, err
		}
	}
	return o, nil
}

// Verdicts writes a chunk's pieces to the file of their decision, and
// their verdicts to verdicts.csv. (both, the run's address.VerdictSink,
// calls it once the ledger holds the chunk; run finishes the files.)
func (o *outputs) Verdicts(_ context.Context, vs []address.Verdict) error {
	verdict := make([]string, 6)
	for i := range vs {
		v := &vs[i]
		p := v.Piece
		// Only a release goes to release.csv; a decision this program
		// does not know is held.
		name := "quarantine.csv"
		switch v.Decision {
		case address.Release:
			name = "release.csv"
		case address.Block:
			name = "blocked.csv"
		}
		of := o.files[name]
		of.line = o.appendRow(of.line[:0], p)
		if v.Decision != address.Release {
			of.line = of.line[:len(of.line)-1] // the newline
			of.line = append(of.line, ',')
			of.line = appendCSV(of.line, []string{v.Status.String(), v.Detail})
		}
		if _, err := of.b.Write(of.line); err != nil {
			return err
		}
		verdict[0], verdict[1], verdict[2] = p.Key(), p.MemberID, strconv.FormatBool(p.PHI)
		verdict[3], verdict[4], verdict[5] = v.Status.String(), v.Decision.String(), v.Detail
		if err := o.files["verdicts.csv"].write(verdict...); err != nil {
			return err
		}
	}
	return nil
}

// appendRow appends the piece's row as read to b, as one CSV record with
// the header's width. A row read whole is written as it came, byte for
// byte (unless it holds a CR, which is written quoted). A row with the
// wrong number of fields, never released, is padded or cut to the header's
// width (the batch file's line, named in the detail, holds the rest); one
// whose quotes are broken is split as leniently as encoding/csv can
// (LazyQuotes), so that the reviewer sees what its fields hold.
func (o *outputs) appendRow(b []byte, p *address.Piece) []byte {
	if !errors.Is(p.Err, address.ErrFieldCount) && !errors.Is(p.Err, address.ErrQuote) &&
		!errors.Is(p.Err, address.ErrLineLength) && strings.IndexByte(p.Text, '\r') < 0 {
		return append(append(b, p.Text...), '\n')
	}
	fields, _ := address.SplitRow(p.Text)
	if errors.Is(p.Err, address.ErrQuote) {
		// For the reviewer, what the fields hold, read leniently: a
		// quote inside a quoted field (ADA "THE COUNTESS" LOVELACE,
		// quoted) kept as written rather than the fields after it lost.
		r := csv.NewReader(strings.NewReader(p.Text))
		r.LazyQuotes, r.FieldsPerRecord = true, -1
		if rec, err := r.Read(); err == nil {
			fields = rec
		}
	}
	row := make([]string, len(o.header))
	copy(row, fields)
	return appendCSV(b, row)
}

// report is report.json.
type report struct {
	Pieces               int            `json:"pieces"`
	Released             int            `json:"released"`
	Quarantined          int            `json:"quarantined"`
	Blocked              int            `json:"blocked"`
	Halted               bool           `json:"halted"`
	HaltReason           string         `json:"halt_reason"`
	ByStatus             map[string]int `json:"by_status"`
	AsOf                 time.Time      `json:"asof"`
	SourceNewestRecorded *time.Time     `json:"source_newest_recorded"`
	BatchID              string         `json:"batch_id"`
	Timings              map[string]any `json:"timings"`
}

// sync flushes every file and makes its data durable, the files at once.
// It may run while the ledger commits: only the renames must wait for it.
func (o *outputs) sync() error {
	errs := make([]error, len(outNames))
	var wg gosync.WaitGroup
	for i, name := range outNames {
		wg.Go(func() { errs[i] = o.files[name].sync() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// finish writes report.json and renames every file into place, after the
// ledger has committed. The files' data is synced first unless sync was
// called, and again after a halt has rewritten them.
func (o *outputs) finish(out address.Outcome, batchID string, timings map[string]any) error {
	if !o.synced {
		if err := o.sync(); err != nil {
			return err
		}
	}
	if out.Halted {
		if err := o.hold(out.HaltReason); err != nil {
			return err
		}
		if err := o.sync(); err != nil {
			return err
		}
	}
	r := report{
		Pieces: out.Pieces, Released: out.Released, Quarantined: out.Quarantined, Blocked: out.Blocked,
		Halted: out.Halted, HaltReason: out.HaltReason, ByStatus: map[string]int{},
		AsOf: out.AsOf.UTC(), BatchID: batchID, Timings: timings,
	}
	if !out.SourceNewest.IsZero() {
		t := out.SourceNewest.UTC()
		r.SourceNewestRecorded = &t
	}
	for s, n := range out.ByStatus {
		r.ByStatus[s.String()] = n
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(o.dir, "report.json.tmp"), append(b, '\n')); err != nil {
		return err
	}
	// release.csv last: a run that fails or dies before the last rename
	// leaves no release.csv to be taken for its own.
	for _, name := range []string{"quarantine.csv", "blocked.csv", "verdicts.csv", "report.json", "release.csv"} {
		if of := o.files[name]; of != nil {
			if err := of.f.Close(); err != nil {
				return err
			}
		}
		if err := os.Rename(filepath.Join(o.dir, name+".tmp"), filepath.Join(o.dir, name)); err != nil {
			return err
		}
	}
	o.files = nil
	// Make the renames durable.
	d, err := os.Open(o.dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// hold moves the rows of release.csv.tmp to quarantine.csv.tmp, with their
// status and the halt reason, leaves release.csv.tmp the header alone, and
// rewrites verdicts.csv.tmp with those pieces held.
func (o *outputs) hold(reason string) error {
	rel, q := o.files["release.csv"], o.files["quarantine.csv"]
	if _, err := rel.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := csv.NewReader(bufio.NewReader(rel.f))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return err
	}
	header = append([]string(nil), header...)
	// The released pieces' statuses, from verdicts.csv: in the order of
	// release.csv's rows, as both were written.
	status, err := o.rewriteVerdicts(reason)
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if i >= len(status) {
			return errors.New("release.csv holds more pieces than verdicts.csv released")
		}
		if err := q.write(append(rec, status[i], "batch halted: "+reason)...); err != nil {
			return err
		}
	}
	if err := q.b.Flush(); err != nil {
		return err
	}
	// release.csv: the header only.
	if err := rel.f.Truncate(0); err != nil {
		return err
	}
	if _, err := rel.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = rel.f.Write(appendCSV(nil, header))
	return err
}

// rewriteVerdicts turns every release in verdicts.csv.tmp into quarantine
// with the halt reason, and returns those pieces' statuses in order.
func (o *outputs) rewriteVerdicts(reason string) (status []string, err error) {
	v := o.files["verdicts.csv"]
	if _, err := v.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	tmp, err := os.OpenFile(filepath.Join(o.dir, "verdicts.csv.tmp2"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bufio.NewReader(v.f))
	r.ReuseRecord = true
	w := newOutFile(tmp)
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tmp.Close()
			return nil, err
		}
		if !first && rec[4] == address.Release.String() {
			rec[4], rec[5] = address.Quarantine.String(), "batch halted: "+reason
			status = append(status, rec[3])
		}
		if err := w.write(rec...); err != nil {
			tmp.Close()
			return nil, err
		}
	}
	if err := w.b.Flush(); err != nil {
		tmp.Close()
		return nil, err
	}
	v.w.Wait()
	v.f.Close()
	if err := os.Rename(tmp.Name(), v.f.Name()); err != nil {
		tmp.Close()
		return nil, err
	}
	*v = *w
	return status, nil
}

// writeSynced writes b to a new file at path and syncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// abort removes the temporary files of a run that failed.
func (o *outputs) abort() {
	for _, of := range o.files {
		of.w.Wait()
		of.f.Close()
		os.Remove(of.f.Name())
	}
	o.files = nil
}

// both sends verdicts to the ledger first, then to the files: a piece is in
// release.csv only once the ledger holds its row.
type both struct {
	ledger *lateLedger
	files  *outputs
}

func (b both) Verdicts(ctx context.Context, vs []address.Verdict) error {
	if err := b.ledger.Verdicts(ctx, vs); err != nil {
		return err
	}
	return b.files.Verdicts(ctx, vs)
}

// Finish finishes the ledger. The files are finished by run, with the
// timings; their data is synced meanwhile, as the ledger's last commit is,
// so that the two waits for the disk are one.
func (b both) Finish(ctx context.Context, out address.Outcome) error {
	synced := make(chan error, 1)
	go func() { synced <- b.files.sync() }()
	err := b.ledger.Finish(ctx, out)
	serr := <-synced
	if err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("outputs: %w", serr)
	}
	b.files.synced = true
	return nil
}

// A lateLedger is the batch's ledger, started while the gate begins: its
// calls wait until the batch's id is known and the ledger has started,
// and fail if either failed. Its errors say which ("batch: ...",
// "ledger: ...").
type lateLedger struct {
	ready chan struct{} // closed when id, l and err are set
	id    string        // the batch's id
	l     *pgsync.Ledger
	err   error
}

// wait waits until the ledger has started.
func (l *lateLedger) wait(ctx context.Context) error {
	select {
	case <-l.ready:
		return l.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *lateLedger) Verdicts(ctx context.Context, vs []address.Verdict) error {
	if err := l.wait(ctx); err != nil {
		return err
	}
	if err := l.l.Verdicts(ctx, vs); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

func (l *lateLedger) Finish(ctx context.Context, out address.Outcome) error {
	if err := l.wait(ctx); err != nil {
		return err
	}
	if err := l.l.Finish(ctx, out); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Close waits for the ledger to have started, and closes it.
func (l *lateLedger) Close() error {
	<-l.ready
	if l.l == nil {
		return nil
	}
	return l.l.Close()
}

// feedErrors is the file that lists the feed's rows not applied.
const feedErrors = "feed_errors.csv"

// writeFeedErrors writes the feed's rows not applied, bad and in conflict,
// to dir/feed_errors.csv: line,event_id,member_id,field,reason (ids, a line
// number, a field name and what is wrong; no name or address). With none,
// it removes the file a run before may have left.
func writeFeedErrors(dir string, errs pgsync.ErrorList) error {
	path := filepath.Join(dir, feedErrors)
	if len(errs) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b := appendCSV(nil, []string{"line", "event_id", "member_id", "field", "reason"})
	for _, re := range errs {
		b = appendCSV(b, []string{strconv.Itoa(re.Line), re.EventID, re.MemberID, re.Field, re.Err.Error()})
	}
	if err := writeSynced(path+".tmp", b); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
