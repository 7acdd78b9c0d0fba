// Command drift compares another system's copy of member addresses (a
// mail vendor's file, a CRM's extract) with the source of truth, and writes
// every member whose copy is not in sync: stale (a former address, and
// since when), unknown (an address the member never had), invalid (an
// address that cannot be read), missing on one side or the other, or held
// (the store could not apply a change event for the member, so it cannot
// tell whether the copy is right).
//
//	go run ./example/drift            # bundled demo data, no setup
//	drift -feed events.csv -db store.db -export export.csv -out DIR
//
// Flags:
//
//	-feed FILE    change events (CSV: event_id,member_id,effective,recorded,
//	              name,line1,line2,city,state,zip,kind; or JSON Lines with the
//	              same names, when FILE ends in .jsonl or .ndjson), applied to
//	              the store first
//	-db FILE      the store (default: a temporary one, so -feed is needed)
//	-export FILE  the other system's copy (CSV with a header, any column order:
//	              member_id,name,line1,line2,city,state,zip)
//	-asof TIME    compare with the store as of this time, RFC 3339
//	              (default: now)
//	-out DIR      where outputs go (default: a new temporary directory)
//
// With none of -feed, -db and -export, drift runs on the bundled demo data
// (a feed of 15 members, and an export with one of every finding) as of
// 2025-06-30T12:00:00Z, so that its output does not change with the
// calendar.
//
// Outputs in DIR:
//
//	drift.csv     member_id,status,since,detail: one row per member that is
//	              not in_sync, in member id order; since is RFC 3339, or empty
//	summary.json  as_of, members, a count for every status, the store's
//	              holds that name no member (unattributed_holds_in_store:
//	              any member's address may be missing a move), and the
//	              export's rows: read, repeated, bad, bad without a member
//	              id, and the bad rows by line, field and reason
//
// A row of the export that cannot be read is never dropped silently: if it
// names a member, the member is invalid_in_other (unless another of its rows
// is worse, or the store does not know it) and is in drift.csv; either way
// the row is in summary.json's bad_rows by line, field and reason.
//
// The outputs are written as NAME.tmp and renamed into place at the end: a
// run that fails leaves none. Exit status: 0 done, 1 error, 2 bad flags.
// Progress and the summary go to stderr; they name counts, lines and
// fields, never names or addresses.
package main

import (
	"bufio"
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

//go:embed testdata/feed.csv testdata/export.csv
var demo embed.FS

// demoAsOf is the time the bundled demo is judged as of.
var demoAsOf = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

const (
	exitOK    = 0
	exitError = 1
	exitFlags = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	feed, db, export, out string
	asOf                  time.Time
	demo                  bool
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("drift", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	asOf := fs.String("asof", "", "compare with the store as of this `TIME`, RFC 3339 (default: now)")
	fs.StringVar(&c.feed, "feed", "", "change events `FILE` (CSV; JSON Lines if it ends in .jsonl or .ndjson) applied to the store first")
	fs.StringVar(&c.db, "db", "", "the store `FILE` (default: a temporary one)")
	fs.StringVar(&c.export, "export", "", "the other system's copy, `FILE` (CSV)")
	fs.StringVar(&c.out, "out", "", "output `DIR` (default: a new temporary directory)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *asOf != "" {
		t, err := time.Parse(time.RFC3339, *asOf)
		if err != nil {
			return nil, errors.New("-asof: want an RFC 3339 time, such as 2025-06-30T12:00:00Z")
		}
		c.asOf = t
	}
	switch {
	case c.feed == "" && c.db == "" && c.export == "":
		c.demo = true
		if c.asOf.IsZero() {
			c.asOf = demoAsOf
		}
	case c.export == "":
		return nil, errors.New("-export is required (run with no flags for the demo)")
	case c.feed == "" && c.db == "":
		return nil, errors.New("-feed or -db is required: the store to compare with")
	case c.feed == "":
		// Without a feed the store must exist: Open would make an
		// empty one, and every member would be missing from it.
		if _, err := os.Stat(c.db); err != nil {
			return nil, fmt.Errorf("-db: %w (give -feed to load a new store)", err)
		}
	}
	return c, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "drift:", err)
		}
		return exitFlags
	}
	if err := drift(ctx, c, stderr); err != nil {
		fmt.Fprintln(stderr, "drift:", err)
		return exitError
	}
	return exitOK
}

// open opens the named file, or the bundled demo file.
func (c *config) open(name, demoName string) (io.ReadCloser, error) {
	if c.demo {
		return demo.Open(demoName)
	}
	return os.Open(name)
}

func drift(ctx context.Context, c *config, stderr io.Writer) (err error) {
	start := time.Now()
	if c.db == "" {
		dir, err := os.MkdirTemp("", "drift-db-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.db = filepath.Join(dir, "store.db")
	}
	st, err := pgsync.Open(ctx, c.db)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer st.Close()

	if c.feed != "" || c.demo {
		f, err := c.open(c.feed, "testdata/feed.csv")
		if err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		rep, err := st.Apply(ctx, pgsync.FeedEvents(c.feed, bufio.NewReaderSize(f, 1<<20)), pgsync.ApplyOptions{})
		f.Close()
		if err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		if n := rep.Bad + rep.Conflicts; n > 0 && len(rep.Errors) > 0 {
			// rep.Errors keeps the first MaxErrors: count from the report.
			fmt.Fprintf(stderr, "drift: feed: rows not applied: %d; the first: %v\n", n, rep.Errors[0])
		}
	}

	f, err := c.open(c.export, "testdata/export.csv")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	if c.out == "" {
		dir, err := os.MkdirTemp("", "drift-out-")
		if err != nil {
			return err
		}
		c.out = dir
		defer func() {
			if err != nil {
				os.Remove(dir) // empty: a run that fails leaves no outputs
			}
		}()
	}
	o, err := newOutputs(c.out)
	if err != nil {
		return fmt.Errorf("outputs: %w", err)
	}
	defer o.abort()
	sum, err := st.Drift(ctx, pgsync.NewExportReader(bufio.NewReaderSize(f, 1<<20)).All(), c.asOf, o.result)
	if err != nil {
		return err
	}
	if err := o.finish(sum); err != nil {
		return fmt.Errorf("outputs: %w", err)
	}
	report(stderr, sum, c.out, time.Since(start))
	return nil
}

// outputs writes drift.csv as the results come, and summary.json at the
// end, each as NAME.tmp renamed into place by finish.
type outputs struct {
	dir string
	f   *os.File
	b   *bufio.Writer
	w   *csv.Writer
	rec []string
}

func newOutputs(dir string) (*outputs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "drift.csv.tmp"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	o := &outputs{dir: dir, f: f, b: bufio.NewWriterSize(f, 256<<10), rec: make([]string, 4)}
	o.w = csv.NewWriter(o.b)
	if err := o.w.Write([]string{"member_id", "status", "since", "detail"}); err != nil {
		o.abort()
		return nil, err
	}
	return o, nil
}

// result writes a member that is not in sync to drift.csv.
func (o *outputs) result(r pgsync.DriftResult) error {
	if r.Status == pgsync.InSync {
		return nil
	}
	o.rec[0], o.rec[1], o.rec[2], o.rec[3] = r.MemberID, r.Status.String(), "", r.Detail
	if !r.Since.IsZero() {
		o.rec[2] = r.Since.UTC().Format(time.RFC3339)
	}
	return o.w.Write(o.rec)
}

// summary is summary.json.
type summary struct {
	AsOf           time.Time `json:"as_of"`
	Members        int       `json:"members"`
	InSync         int       `json:"in_sync"`
	StaleInOther   int       `json:"stale_in_other"`
	UnknownInOther int       `json:"unknown_in_other"`
	InvalidInOther int       `json:"invalid_in_other"`
	MissingInOther int       `json:"missing_in_other"`
	MissingInStore int       `json:"missing_in_store"`
	HeldInStore    int       `json:"held_in_store"`
	Unattributed   int       `json:"unattributed_holds_in_store"`
	Rows           int       `json:"export_rows"`
	Repeated       int       `json:"repeated_rows"`
	Bad            int       `json:"bad_rows"`
	NoMember       int       `json:"bad_rows_without_member"`
	Errors         []badRow  `json:"bad_row_errors"` // the first 10,000
}

type badRow struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (o *outputs) finish(sum *pgsync.DriftSummary) error {
	o.w.Flush()
	if err := o.w.Error(); err != nil {
		return err
	}
	if err := o.b.Flush(); err != nil {
		return err
	}
	if err := o.f.Sync(); err != nil {
		return err
	}
	if err := o.f.Close(); err != nil {
		return err
	}
	s := summary{
		AsOf: sum.AsOf.UTC(), Members: sum.Members,
		InSync: sum.InSync, StaleInOther: sum.StaleInOther, UnknownInOther: sum.UnknownInOther,
		InvalidInOther: sum.InvalidInOther, MissingInOther: sum.MissingInOther, MissingInStore: sum.MissingInStore,
		HeldInStore: sum.HeldInStore, Unattributed: sum.UnattributedInStore,
		Rows: sum.Rows, Repeated: sum.Repeated, Bad: sum.Bad, NoMember: sum.NoMember,
		Errors: []badRow{},
	}
	for _, re := range sum.Errors {
		s.Errors = append(s.Errors, badRow{Line: re.Line, Field: re.Field, Reason: reason(re)})
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.dir, "summary.json.tmp"), append(b, '\n'), 0o600); err != nil {
		return err
	}
	for _, name := range []string{"drift.csv", "summary.json"} {
		if err := os.Rename(filepath.Join(o.dir, name+".tmp"), filepath.Join(o.dir, name)); err != nil {
			return err
		}
	}
	o.f = nil
	return nil
}

// reason is why a row is bad, without its field, which is a column of its
// own: "no primary number", "at byte 4: invalid secondary unit".
func reason(re *pgsync.RowError) string {
	var pe *address.ParseError
	if !errors.As(re.Err, &pe) {
		return re.Err.Error()
	}
	s := strings.TrimPrefix(pe.Error(), "address: ")
	return strings.TrimPrefix(strings.TrimPrefix(s, re.Field+" "), re.Field+": ")
}

// abort removes the temporary files of a run that did not finish.
func (o *outputs) abort() {
	if o.f == nil {
		return
	}
	o.f.Close()
	os.Remove(filepath.Join(o.dir, "drift.csv.tmp"))
	os.Remove(filepath.Join(o.dir, "summary.json.tmp"))
	o.f = nil
}

func report(w io.Writer, sum *pgsync.DriftSummary, dir string, took time.Duration) {
	fmt.Fprintf(w, "drift: as of %s: %d members", sum.AsOf.UTC().Format(time.RFC3339), sum.Members)
	for _, st := range pgsync.DriftStatuses {
		fmt.Fprintf(w, ", %d %s", sum.Count(st), st)
	}
	fmt.Fprintf(w, "; %d export rows, %d bad (%d without a member id)", sum.Rows, sum.Bad, sum.NoMember)
	if len(sum.Errors) > 0 {
		fmt.Fprintf(w, ", the first: %v", sum.Errors[0])
	}
	fmt.Fprintf(w, "; in %.2fs. Outputs in %s.\n", took.Seconds(), dir)
	if n := sum.UnattributedInStore; n > 0 {
		events := "a change event"
		if n > 1 {
			events = fmt.Sprintf("%d change events", n)
		}
		fmt.Fprintf(w, "drift: the store holds %s it could not apply and cannot tie to a member: any member's address in it may be missing a move, and the gate halts every batch until the holds end (example/holds).\n", events)
	}
}
