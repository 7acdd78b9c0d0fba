// Command review is the reviewer's side of the pre-print gate: it lists the
// pieces a batch's run of example/preprint quarantined, records a
// reviewer's release or block of one of them in the store's ledger, with
// who and why, and writes the rows a reviewer released for the printer.
//
//	review -db store.db                                   the ledger's batches, as CSV
//	review -db store.db -batch-id B                       B's quarantined pieces and their reviews, as CSV
//	review -db store.db -batch-id B -release P9 -by ann -why "member confirmed the address by phone"
//	review -db store.db -batch-id B -block P9 -by ann -why "returned mail on file"
//	review -db store.db -batch-id B -quarantine out/quarantine.csv -out out/reviewed.csv
//	review -db store.db -batch-id B -released             every release of B, in any run, as CSV: for a breach count
//
// The batch id is the run's (report.json's batch_id, or the last line of
// its stderr). A piece is named by its id, or "line N" when its row had
// none, and is reviewed once. A piece of a halted batch that would have been
// released is quarantined, and can be reviewed like any other. A review is
// of the verdict it was made on: when the batch is run again, it stands only
// if the piece's verdict is the same (piece, member, status, detail, address
// version, quarantined); else the piece is listed unreviewed, is not written
// to the -out file, and is reviewed anew (see pgsync.Store.Review).
//
// The last form reads the run's quarantine.csv and writes the rows of the
// pieces a reviewer released, with the batch's columns (without status
// and detail), as release.csv has them: that file, not quarantine.csv, goes
// to the printer. Every row of quarantine.csv with an id must be a
// quarantined piece of the batch, of the same member, once, and every
// quarantined piece with an id must have its row, or nothing is written. A row whose piece had no readable id cannot be matched to its
// review, nor can pieces that share an id be reviewed: their rows are never
// written, and stderr says how many there were.
//
// Lists go to stdout. The batches' list is
// batch_id,asof,started,finished,pieces,released,quarantined,blocked,halted,reviewed_released,reviewed_blocked,run:
// each batch's current run (its latest; run counts them, see
// pgsync.Store.Runs). The pieces' list is
// piece_id,line,member_id,phi,status,detail,review,reviewer,reason,reviewed_at
// (ids, the gate's status and detail, and the review; no name or address).
// The releases' list (-released, pgsync.Store.Released) is
// run,piece_id,line,member_id,phi,status,released_by,reviewer,reason,reviewed_at,superseded:
// a row for each piece the gate released in a run of the batch that
// finished and did not halt (released_by gate), and for each a reviewer
// released (released_by reviewer; superseded when a later run's verdict
// of the piece was another, so the review no longer applies, though the
// piece may have been printed). A piece released in two runs has two rows.
// stderr names batches, pieces and counts only. Exit status: 0 done, 1
// error (no such store, batch or piece, a piece not quarantined or
// reviewed before, a quarantine.csv that is not the batch's, a store
// failure), 2 bad flags.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/internal/csvhead"
	"github.com/printgate/printgate/internal/csvrec"
	pgsync "github.com/printgate/printgate/sync"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `review: -db FILE is required; then one of:
  (nothing more)                       list the batches
  -batch-id B                          list B's quarantined pieces
  -batch-id B -release P -by W -why R  release piece P
  -batch-id B -block P -by W -why R    block piece P
  -batch-id B -quarantine FILE -out FILE   write the rows a reviewer released
  -batch-id B -released                list every release of B, in any run`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the store `FILE`")
	batchID := fs.String("batch-id", "", "the batch `ID` (report.json's batch_id)")
	release := fs.String("release", "", "release the quarantined piece `ID`")
	block := fs.String("block", "", "block the quarantined piece `ID`")
	by := fs.String("by", "", "who reviews")
	why := fs.String("why", "", "why")
	quarantine := fs.String("quarantine", "", "the run's quarantine.csv `FILE`")
	out := fs.String("out", "", "where the released rows go (`FILE`)")
	released := fs.Bool("released", false, "list every release of the batch, in any of its runs")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	reviewing := *release != "" || *block != ""
	writing := *quarantine != "" || *out != ""
	bad := *db == "" || fs.NArg() > 0 ||
		*release != "" && *block != "" ||
		(reviewing || writing) && *batchID == "" ||
		reviewing && (writing || *by == "" || *why == "") ||
		!reviewing && (*by != "" || *why != "") ||
		writing && (*quarantine == "" || *out == "") ||
		*released && (*batchID == "" || reviewing || writing)
	if bad {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "review: %v\n", err)
		return 1
	}
	if writing && sameFile(*quarantine, *out) {
		fmt.Fprintln(stderr, "review: -out must not be the -quarantine file")
		return 2
	}
	if _, err := os.Stat(*db); err != nil {
		return fail(err) // pgsync.Open would make a new, empty store
	}
	st, err := pgsync.Open(ctx, *db)
	if err != nil {
		return fail(err)
	}
	defer st.Close()

	switch {
	case reviewing:
		id, d := *release, address.Release
		if *block != "" {
			id, d = *block, address.Block
		}
		if err := st.Review(ctx, *batchID, id, d, *by, *why); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "review: piece %s of batch %s: %s\n", strconv.Quote(id), *batchID, d)
	case writing:
		n, skipped, err := writeReleased(ctx, st, *batchID, *quarantine, *out)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "review: batch %s: pieces released by a reviewer: %d, written to %s\n", *batchID, n, *out)
		if skipped > 0 {
			fmt.Fprintf(stderr, "review: rows not written, of pieces without an id or sharing one, which cannot be matched to a review: %d\n", skipped)
		}
	case *released:
		if err := listReleased(ctx, st, *batchID, stdout); err != nil {
			return fail(err)
		}
	case *batchID != "":
		if err := listPieces(ctx, st, *batchID, stdout, stderr); err != nil {
			return fail(err)
		}
	default:
		if err := listBatches(ctx, st, stdout); err != nil {
			return fail(err)
		}
	}
	return 0
}

// listBatches writes the ledger's batches as CSV.
func listBatches(ctx context.Context, st *pgsync.Store, w io.Writer) error {
	ids, err := st.Batches(ctx)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"batch_id", "asof", "started", "finished", "pieces", "released", "quarantined", "blocked",
		"halted", "reviewed_released", "reviewed_blocked", "run"})
	for _, id := range ids {
		b, err := st.Batch(ctx, id)
		if err != nil {
			return err
		}
		finished := ""
		if !b.Finished.IsZero() {
			finished = b.Finished.Format(time.RFC3339)
		}
		cw.Write([]string{b.BatchID, b.AsOf.Format(time.RFC3339), b.Started.Format(time.RFC3339), finished,
			strconv.Itoa(b.Pieces), strconv.Itoa(b.Released), strconv.Itoa(b.Quarantined), strconv.Itoa(b.Blocked),
			strconv.FormatBool(b.Halted), strconv.Itoa(b.Reviewed[address.Release]), strconv.Itoa(b.Reviewed[address.Block]),
			strconv.Itoa(b.Run)})
	}
	cw.Flush()
	return cw.Error()
}

// listReleased writes every release of the batch, in any of its runs, as
// CSV.
func listReleased(ctx context.Context, st *pgsync.Store, batchID string, w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"run", "piece_id", "line", "member_id", "phi", "status", "released_by", "reviewer", "reason", "reviewed_at", "superseded"})
	for r, err := range st.Released(ctx, batchID) {
		if err != nil {
			return err
		}
		rec := []string{strconv.Itoa(r.Run), r.Piece, strconv.Itoa(r.Line), r.MemberID, strconv.FormatBool(r.PHI), r.Status.String(),
			"gate", "", "", "", strconv.FormatBool(r.Superseded)}
		if v := r.Review; v != nil {
			rec[6], rec[7], rec[8], rec[9] = "reviewer", v.Reviewer, v.Reason, v.At.Format(time.RFC3339)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// listPieces writes the batch's quarantined pieces and their reviews as
// CSV.
func listPieces(ctx context.Context, st *pgsync.Store, batchID string, w, stderr io.Writer) error {
	b, err := st.Batch(ctx, batchID)
	if err != nil {
		return err
	}
	if b.Finished.IsZero() {
		return fmt.Errorf("batch %s: %w", batchID, pgsync.ErrBatchUnfinished)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"piece_id", "line", "member_id", "phi", "status", "detail", "review", "reviewer", "reason", "reviewed_at"})
	n, open := 0, 0
	for e, err := range st.Entries(ctx, batchID) {
		if err != nil {
			return err
		}
		if e.Decision != address.Quarantine {
			continue
		}
		n++
		rec := []string{e.Piece, strconv.Itoa(e.Line), e.MemberID, strconv.FormatBool(e.PHI), e.Status.String(), e.Detail, "", "", "", ""}
		if r := e.Review; r != nil {
			rec[6], rec[7], rec[8], rec[9] = r.Decision.String(), r.Reviewer, r.Reason, r.At.Format(time.RFC3339)
		} else {
			open++
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	halted := ""
	if b.Halted {
		halted = "; the batch was halted, and the pieces it would have released are among them"
	}
	fmt.Fprintf(stderr, "review: batch %s: pieces quarantined: %d, not reviewed: %d%s\n", batchID, n, open, halted)
	return nil
}

// maxQuarantineRecord bounds a record of quarantine.csv, with room to
// spare. The batch job writes a batch's row, a line of at most
// [address.MaxBatchLine] bytes, as it came, or with its fields padded or
// cut and written again as CSV; then its status and detail.
const maxQuarantineRecord = 1 << 20

// writeReleased writes to out the rows of the run's quarantine.csv whose
// pieces a reviewer released, without their status and detail. It returns
// how many it wrote and how many rows it left out: those of pieces without
// an id, and of pieces whose id another quarantined piece has too, which
// cannot be reviewed. On any error it writes nothing.
func writeReleased(ctx context.Context, st *pgsync.Store, batchID, quarantine, out string) (written, skipped int, err error) {
	b, err := st.Batch(ctx, batchID)
	if err != nil {
		return 0, 0, err
	}
	if b.Finished.IsZero() {
		return 0, 0, fmt.Errorf("batch %s: %w", batchID, pgsync.ErrBatchUnfinished)
	}
	// The quarantined pieces a row can be matched to, by id; the ids that
	// more than one quarantined piece has, which Store.Review refuses,
	// with how many have each; and how many pieces had no id ("line N").
	held, shared, noID := map[string]pgsync.Entry{}, map[string]int{}, 0
	for e, err := range st.Entries(ctx, batchID) {
		if err != nil {
			return 0, 0, err
		}
		switch {
		case e.Decision != address.Quarantine:
		case isLineKey(e.Piece):
			noID++
		case shared[e.Piece] > 0:
			shared[e.Piece]++
		default:
			if _, ok := held[e.Piece]; ok {
				delete(held, e.Piece)
				shared[e.Piece] = 2
				break
			}
			held[e.Piece] = e
		}
	}

	f, err := os.Open(quarantine)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	// A parse error names the line and column, never the text. So does a
	// record longer than the batch job writes.
	r := csvrec.NewReader(f, maxQuarantineRecord)
	r.AnyWidth = true
	header, _, err := r.Read()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: header: %w", quarantine, err)
	}
	header = slices.Clone(header) // the reader reuses its record
	n := len(header)
	if n < 3 || header[n-2] != "status" || header[n-1] != "detail" {
		return 0, 0, fmt.Errorf("%s: header: not a quarantine.csv of example/preprint: its last columns are not status,detail", quarantine)
	}
	idCol, memberCol := csvhead.Index(header[:n-2], "piece_id"), csvhead.Index(header[:n-2], "member_id")
	if idCol < 0 || memberCol < 0 {
		return 0, 0, fmt.Errorf("%s: header: no piece_id or member_id column", quarantine)
	}

	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp*")
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	cw := csv.NewWriter(bw)
	cw.Write(header[:n-2])
	seen, noRow := map[string]bool{}, 0
	for row := 2; ; row++ {
		rec, _, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s: row %d: %w", quarantine, row, err)
		}
		if len(rec) != n {
			return 0, 0, fmt.Errorf("%s: row %d: %d fields, want %d", quarantine, row, len(rec), n)
		}
		id := strings.TrimSpace(rec[idCol])
		e, ok := held[id]
		switch {
		case shared[id] > 0:
			// One of the pieces sharing an id: none of them can be
			// reviewed, so none is written.
			shared[id]--
			skipped++
			continue
		case !ok && noRow < noID:
			// The row of a piece without a readable id (its piece_id
			// field is empty, or not the id column's at all): it
			// cannot be matched to its review, so it is not written.
			noRow++
			skipped++
			continue
		case !ok:
			return 0, 0, fmt.Errorf("%s: row %d: its piece_id names no quarantined piece of batch %s", quarantine, row, batchID)
		case seen[id]:
			return 0, 0, fmt.Errorf("%s: row %d: piece %s comes twice", quarantine, row, strconv.Quote(id))
		case strings.TrimSpace(rec[memberCol]) != e.MemberID:
			return 0, 0, fmt.Errorf("%s: row %d: piece %s is of another member in batch %s", quarantine, row, strconv.Quote(id), batchID)
		}
		seen[id] = true
		if e.Final() == address.Release {
			cw.Write(rec[:n-2])
			written++
		}
	}
	missing := len(held) - len(seen)
	for _, n := range shared {
		missing += n
	}
	if missing > 0 {
		return 0, 0, fmt.Errorf("%s: quarantined pieces of batch %s with no row in it: %d", quarantine, batchID, missing)
	}
	cw.Flush()
	if err = errors.Join(cw.Error(), bw.Flush(), tmp.Sync(), tmp.Close()); err != nil {
		return 0, 0, err
	}
	if err = os.Rename(tmp.Name(), out); err != nil {
		return 0, 0, err
	}
	return written, skipped, nil
}

// isLineKey reports whether key has the form the ledger gives a piece
// without an id: "line N".
func isLineKey(key string) bool {
	n, ok := strings.CutPrefix(key, "line ")
	if !ok {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// sameFile reports whether a and b name one file that exists.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
