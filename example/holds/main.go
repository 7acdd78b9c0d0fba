// Command holds lists and clears the holds of a printgate store
// (pgsync.Hold): members whose change events a feed brought and the store
// could not apply, and whose pieces the pre-print gate therefore does not
// release as current.
//
//	holds -db store.db                                   list the holds standing, as CSV
//	holds -db store.db -clear M123 -event E9 -by ann -why "member called: no move"
//	holds -db store.db -clear-file picked.csv -by ann -why "feed F2 applied under new event ids"
//
// A hold ends by itself when a later feed brings the same event, corrected.
// A correction sent under a new event id ends none, but once that move is
// in force it supersedes every hold whose effective time is before its
// own: the pre-print gate judges the member's pieces on the history again.
// Clear one by hand only once the store's address for the member is known
// to be right: who cleared it and why are kept with it. A hold whose row had
// no readable event id is cleared with -event "".
//
// A hold whose row had no readable member id is listed with an empty
// member_id. It may be any member's move, so the pre-print gate halts every
// batch while it stands. Clear it with -clear "" (and its -event), or in a
// -clear-file with the member_id left empty, once the feed's row is known
// to move no member the store keeps. A -clear-file row whose every field is
// empty (a blank row of a spreadsheet) is an error, not that hold: clear a
// hold of no member and no event id with -clear "" -event "".
//
// The list goes to stdout:
//
//	member_id,event_id,line,field,reason,received,effective
//
// ids, a line number, a field name, what is wrong with it, when the store
// received it and when the row said the event takes effect (empty when
// that could not be read); no name or address. Exit status: 0 done, 1
// error (no such store or hold, a store failure), 2 bad flags.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/printgate/printgate/internal/csvhead"
	"github.com/printgate/printgate/internal/csvrec"
	pgsync "github.com/printgate/printgate/sync"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("holds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the store `FILE`")
	member := fs.String("clear", "", "clear the hold of member `ID` (\"\" for a row that had none)")
	file := fs.String("clear-file", "", "clear the holds listed in `FILE` (CSV with member_id and event_id columns; - for stdin)")
	event := fs.String("event", "", "the `ID` of the event whose hold -clear ends (\"\" for a row that had none)")
	by := fs.String("by", "", "who clears the hold")
	why := fs.String("why", "", "why the hold is cleared")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// -clear "" names the hold of no member: whether the flag was given
	// counts, not its value.
	clearOne := false
	fs.Visit(func(f *flag.Flag) { clearOne = clearOne || f.Name == "clear" })
	clearing := clearOne || *file != ""
	if *db == "" || fs.NArg() > 0 || clearOne && *file != "" || *file != "" && *event != "" ||
		!clearing && (*event != "" || *by != "" || *why != "") || clearing && (strings.TrimSpace(*by) == "" || strings.TrimSpace(*why) == "") {
		fmt.Fprintln(stderr, "holds: -db FILE is required; -clear MEMBER (with -event, unless the row had no event id) or -clear-file FILE, not both, needs -by and -why")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "holds: %v\n", err)
		return 1
	}
	if _, err := os.Stat(*db); err != nil {
		return fail(err) // pgsync.Open would make a new, empty store
	}
	st, err := pgsync.Open(ctx, *db)
	if err != nil {
		return fail(err)
	}
	defer st.Close()

	if *file != "" {
		holds, err := readHolds(*file, stdin)
		if err != nil {
			return fail(err)
		}
		n, err := st.ClearHolds(ctx, holds, *by, *why)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "holds: cleared: %d\n", n)
		return 0
	}
	if clearing {
		if err := st.ClearHold(ctx, *member, *event, *by, *why); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "holds: cleared the hold of member %s, event %s\n", strconv.Quote(*member), strconv.Quote(*event))
		return 0
	}
	w := csv.NewWriter(stdout)
	w.Write([]string{"member_id", "event_id", "line", "field", "reason", "received", "effective"})
	n, none := 0, 0
	for h, err := range st.Holds(ctx) {
		if err != nil {
			return fail(err)
		}
		effective := "" // the row's time could not be read
		if !h.Effective.IsZero() {
			effective = h.Effective.Format(time.RFC3339)
		}
		w.Write([]string{h.MemberID, h.EventID, strconv.Itoa(h.Line), h.Field, h.Reason, h.Received.Format(time.RFC3339), effective})
		n++
		if h.MemberID == "" {
			none++
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "holds: %d standing\n", n)
	if none > 0 {
		fmt.Fprintf(stderr, "holds: %d of them name no member: the gate halts every batch until they are cleared\n", none)
	}
	return 0
}

// readHolds reads the member and event ids of the holds listed in the CSV
// file name ("-": stdin), whose header names the columns member_id and
// event_id (as the batch job reads a header: any case, spaces and a byte
// order mark aside). An empty member_id names a hold of no member, as the
// list shows one.
func readHolds(name string, stdin io.Reader) ([]pgsync.Hold, error) {
	in := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	// A parse error names the line and column, never the text. A record
	// longer than a feed's ([pgsync.MaxCSVRecord]) is one too.
	r := csvrec.NewReader(in, pgsync.MaxCSVRecord)
	r.AnyWidth = true
	header, _, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	mc, ec := csvhead.Index(header, "member_id"), csvhead.Index(header, "event_id")
	if mc < 0 || ec < 0 {
		return nil, fmt.Errorf("%s: header: no member_id or event_id column", name)
	}
	var holds []pgsync.Hold
	for row := 2; ; row++ {
		rec, _, err := r.Read()
		if err == io.EOF {
			return holds, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", name, row, err)
		}
		if len(rec) <= max(mc, ec) {
			return nil, fmt.Errorf("%s: row %d: %d fields, too few for member_id and event_id", name, row, len(rec))
		}
		if empty(rec) {
			// A blank row, as spreadsheets write them, would name the hold
			// of no member and no event id, which halts every batch.
			return nil, fmt.Errorf("%s: row %d: every field empty; clear a hold of no member and no event id with -clear \"\" -event \"\"", name, row)
		}
		holds = append(holds, pgsync.Hold{MemberID: rec[mc], EventID: rec[ec]})
	}
}

// empty reports whether every field of rec is empty or spaces.
func empty(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
