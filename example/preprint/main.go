// Command preprint is the pre-print batch job: it checks every piece of an
// outbound batch against the source of truth before the batch is printed,
// and writes what may be printed, what is held, what is blocked, and why.
//
//	go run ./example/preprint            # bundled demo data, no setup
//	preprint -feed events.csv -db store.db -batch batch.csv -out DIR
//
// Flags:
//
//	-feed FILE            change events (CSV: event_id,member_id,effective,recorded,
//	                      name,line1,line2,city,state,zip,kind; or JSON Lines with
//	                      the same names, when FILE ends in .jsonl or .ndjson),
//	                      applied to the store before the check
//	-db FILE              the store (default: a temporary one)
//	-batch FILE           the batch (CSV with a header, any column order:
//	                      piece_id,member_id,name,line1,line2,city,state,zip,phi,contents)
//	-out DIR              where outputs go (default: a new temporary directory);
//	                      the run takes it for itself (a second run writing to
//	                      it at once is an error) and first removes the outputs
//	                      a run before left in it, release.csv first
//	-asof TIME            judge as of this time, RFC 3339 (default: now)
//	-recent DURATION      window for recently_changed and pending_change (default 720h)
//	-halt-rate FRACTION   halt when more than this share of PHI pieces is not
//	                      current (default 0.01; 1 never halts on the share;
//	                      a store holding change events of no member that it
//	                      could not apply halts every batch all the same)
//	-max-source-age DURATION  halt when the store's newest change is older
//	                      (default 0: off)
//
// Outputs in DIR: release.csv (the released pieces, input columns),
// quarantine.csv and blocked.csv (input columns and status,detail),
// verdicts.csv (every piece: piece_id,member_id,phi,status,decision,detail)
// and report.json. The verdicts are also recorded in the store's ledger under
// a batch id made from the batch file's content: running the same batch
// again after a run that died redoes that run, and after one that finished
// keeps it and records the next (pgsync.Store.Runs). Before checking a batch large for
// the store, the program has the store's histories read into the page
// cache (pgsync.Store.Prewarm).
//
// Exit status: 0 processed, 3 halted (release.csv holds the header only),
// 1 error, 2 bad flags. Progress and the summary go to stderr; they name
// counts and ids, never names or addresses.
package main

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

//go:embed testdata/feed.csv testdata/batch.csv
var demo embed.FS

// demoAsOf is the time the bundled demo is judged as of, so that its
// output does not change with the calendar.
var demoAsOf = time.Date(2020, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	exitOK     = 0
	exitError  = 1
	exitFlags  = 2
	exitHalted = 3
)

// memoryLimit is the Go heap's soft limit when GOMEMLIMIT does not set
// one: what is live while a batch runs, of any size, is about half of it.
const memoryLimit = 128 << 20

// tuneGC sets the collector for a batch run, where GOGC and GOMEMLIMIT do
// not say otherwise: the heap may grow to memoryLimit before a collection,
// rather than to twice what is live. A run then collects a few times
// instead of every 50 MB or so, and spends that much less time with the
// collector running (on a 337,755-piece batch, 3 collections instead of 15,
// and the run 0.1 s shorter). It returns a function that puts the settings
// back.
func tuneGC() (restore func()) {
	limit, percent := debug.SetMemoryLimit(-1), debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(memoryLimit)
		if _, ok := os.LookupEnv("GOGC"); !ok {
			debug.SetGCPercent(-1) // the limit alone sets when to collect
		}
	}
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

func main() {
	tuneGC()
	adviseHugeHeap(memoryLimit)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	feed, db, batch, out string
	asOf                 time.Time
	recent, maxAge       time.Duration
	haltRate             float64
	demo                 bool
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("preprint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	asOf := fs.String("asof", "", "judge as of this time, RFC 3339 (default: now)")
	fs.StringVar(&c.feed, "feed", "", "change events `FILE` (CSV; JSON Lines if it ends in .jsonl or .ndjson) applied to the store first")
	fs.StringVar(&c.db, "db", "", "the store `FILE` (default: a temporary one)")
	fs.StringVar(&c.batch, "batch", "", "the batch `FILE` (CSV)")
	fs.StringVar(&c.out, "out", "", "output `DIR` (default: a new temporary directory)")
	fs.DurationVar(&c.recent, "recent", 720*time.Hour, "window for recently_changed and pending_change")
	fs.Float64Var(&c.haltRate, "halt-rate", 0.01, "halt when more than this `FRACTION` of PHI pieces is not current (1: never)")
	fs.DurationVar(&c.maxAge, "max-source-age", 0, "halt when the store's newest change is older than this (0: off)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *asOf != "" {
		t, err := time.Parse(time.RFC3339, *asOf)
		if err != nil {
			return nil, errors.New("-asof: want an RFC 3339 time, such as 2020-06-01T12:00:00Z")
		}
		if t.IsZero() {
			// The gate would read it as "now".
			return nil, errors.New("-asof: the zero time is not a time to judge as of")
		}
		c.asOf = t
	}
	if c.recent <= 0 || !(c.haltRate > 0) || math.IsInf(c.haltRate, 0) || c.maxAge < 0 {
		// !(> 0) for NaN, under which no share would halt.
		return nil, errors.New("-recent and -halt-rate must be more than 0 (-halt-rate a number), -max-source-age 0 or more")
	}
	if len(args) == 0 {
		c.demo, c.asOf = true, demoAsOf
	} else if c.batch == "" {
		return nil, errors.New("-batch is required (run with no flags for the demo)")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "preprint:", err)
		}
		return exitFlags
	}
	out, err := check(ctx, c, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "preprint:", err)
		return exitError
	}
	if c.demo {
		if err := showDemo(stdout, c.out); err != nil {
			fmt.Fprintln(stderr, "preprint:", err)
			return exitError
		}
	}
	if out.Halted {
		return exitHalted
	}
	return exitOK
}

// showDemo prints the demo's verdicts as a table: what a newcomer came to
// see. (It names pieces, members and statuses only.)
func showDemo(w io.Writer, dir string) error {
	f, err := os.Open(filepath.Join(dir, "verdicts.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range recs {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nThe demo batch and the feed it was checked against are in example/preprint/testdata;\nthe outputs are in %s.\n", dir)
	return nil
}

// open opens the named file, or the bundled demo file.
func (c *config) open(name, demoName string) (fs.File, error) {
	if c.demo {
		return demo.Open(demoName)
	}
	return os.Open(name)
}

func check(ctx context.Context, c *config, stderr io.Writer) (address.Outcome, error) {
	start := time.Now()
	if c.db == "" {
		dir, err := os.MkdirTemp("", "preprint-db-")
		if err != nil {
			return address.Outcome{}, err
		}
		defer os.RemoveAll(dir)
		c.db = filepath.Join(dir, "store.db")
	}
	if c.out == "" {
		dir, err := os.MkdirTemp("", "preprint-out-")
		if err != nil {
			return address.Outcome{}, err
		}
		c.out = dir
	}
	if !c.demo {
		// The batch is read twice, for its id and for its pieces: a pipe
		// would give the second read nothing. (Before -out is claimed: a
		// batch that is not there changes nothing.)
		fi, err := os.Stat(c.batch)
		if err != nil {
			return address.Outcome{}, fmt.Errorf("batch: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return address.Outcome{}, errors.New("batch: not a regular file (it is read twice: once for the batch's id, once for its pieces)")
		}
	}
	// The output directory is this run's before anything is changed: no
	// other run writes to it, and no output of a run before is left in it
	// to be taken for this run's.
	unlock, err := c.claimOut()
	if err != nil {
		return address.Outcome{}, fmt.Errorf("outputs: %w", err)
	}
	defer unlock()
	// The batch's id is a digest of its file, read while the store is
	// opened, fed and read ahead.
	var digest struct {
		id  string
		err error
	}
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		digest.id, digest.err = c.batchID()
	}()
	defer func() { <-hashed }()
	asOf := c.asOf
	if asOf.IsZero() {
		asOf = time.Now()
	}
	// One run on a store at a time: two of one batch at once would each
	// take the other's unfinished run for one that died, and write their
	// verdicts into it.
	unlockStore, err := lockStore(ctx, c.db+".preprint-lock", stderr)
	if err != nil {
		return address.Outcome{}, fmt.Errorf("store: %w", err)
	}
	defer unlockStore()
	st, err := pgsync.Open(ctx, c.db)
	if err != nil {
		return address.Outcome{}, fmt.Errorf("store: %w", err)
	}
	defer st.Close()

	timings := map[string]any{}
	var feedErrs pgsync.ErrorList
	if c.feed != "" || c.demo {
		t := time.Now()
		f, err := c.open(c.feed, "testdata/feed.csv")
		if err != nil {
			return address.Outcome{}, fmt.Errorf("feed: %w", err)
		}
		rep, err := st.Apply(ctx, pgsync.FeedEvents(c.feed, f), pgsync.ApplyOptions{})
		f.Close()
		if err != nil {
			return address.Outcome{}, fmt.Errorf("feed: %w", err)
		}
		feedErrs = rep.Errors
		if n := rep.Bad + rep.Conflicts; n > 0 {
			listed := ""
			if n > len(rep.Errors) {
				listed = fmt.Sprintf(" (the first %d)", len(rep.Errors))
			}
			fmt.Fprintf(stderr, "preprint: feed: rows not applied: %d, listed in %s%s; the first: %v\n",
				n, filepath.Join(c.out, feedErrors), listed, rep.Errors[0])
		}
		if rep.Held > 0 {
			fmt.Fprintf(stderr, "preprint: feed: members held for events that could not be applied: %d new; their pieces are not released as current until the events are applied or a reviewer clears the holds\n", rep.Held)
		}
		if rep.Unattributed > 0 {
			fmt.Fprintf(stderr, "preprint: feed: events that could not be applied and name no member: %d new; every batch halts until they are applied or a reviewer clears their holds (example/holds)\n", rep.Unattributed)
		}
		timings["feed_seconds"] = time.Since(t).Seconds()
	}
	if err := writeFeedErrors(c.out, feedErrs); err != nil {
		return address.Outcome{}, fmt.Errorf("outputs: %w", err)
	}

	f, err := c.open(c.batch, "testdata/batch.csv")
	if err != nil {
		return address.Outcome{}, fmt.Errorf("batch: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return address.Outcome{}, fmt.Errorf("batch: %w", err)
	}
	// A batch that looks up many of the store's members reads the store
	// faster in order than at random: have its histories read ahead.
	t := time.Now()
	if n, err := st.Prewarm(ctx, int(fi.Size()/minPieceBytes)); err != nil {
		// Advice only: the lookups are slower without it, not wrong.
		fmt.Fprintf(stderr, "preprint: reading the store ahead: %v\n", err)
	} else if n > 0 {
		fmt.Fprintf(stderr, "preprint: read %d MB of the store's histories ahead in %.1fs\n", n>>20, time.Since(t).Seconds())
	}
	timings["prewarm_seconds"] = time.Since(t).Seconds()
	br := address.NewBatchReader(f)
	br.KeepText = true

	// The whole batch is judged against the store as it is now, whatever
	// commits while it runs (the ledger's own verdicts among them).
	snap, err := st.Snapshot(ctx)
	if err != nil {
		return address.Outcome{}, fmt.Errorf("store: %w", err)
	}
	defer snap.Close()
	// The ledger starts under the batch's id once it is known, while the
	// gate reads the first pieces and looks them up: their verdicts wait
	// for it (on a 337,755-piece batch, the digest takes 15-20 ms).
	ledger := &lateLedger{ready: make(chan struct{})}
	go func() {
		defer close(ledger.ready)
		<-hashed
		if ledger.id, ledger.err = digest.id, digest.err; ledger.err != nil {
			return
		}
		if ledger.l, ledger.err = st.Ledger(ctx, digest.id, asOf); ledger.err != nil {
			ledger.err = fmt.Errorf("ledger: %w", ledger.err)
		}
	}()
	defer ledger.Close()
	header, err := br.Header()
	if err != nil {
		return address.Outcome{}, fmt.Errorf("batch: %w", err)
	}
	files, err := newOutputs(c.out, header)
	if err != nil {
		return address.Outcome{}, fmt.Errorf("outputs: %w", err)
	}
	g := &address.Gate{
		Source:       snap,
		AsOf:         asOf,
		Recent:       c.recent,
		HaltRate:     c.haltRate,
		MaxSourceAge: c.maxAge,
		// The store's lookups are the longest stage; two chunks' at once
		// use both of a small machine's cores (a snapshot is safe for it).
		Fetchers: 2,
		Progress: progress(stderr, time.Now()),
	}
	t = time.Now()
	out, err := g.Check(ctx, br.All(), both{ledger: ledger, files: files})
	// Every history the batch needed has been read: the snapshot's
	// connections are closed (their maps of the store unmapped) while the
	// outputs are finished. The deferred Close waits for it.
	go snap.Close()
	if err != nil {
		files.abort()
		return out, err
	}
	timings["check_seconds"] = time.Since(t).Seconds()
	timings["total_seconds"] = time.Since(start).Seconds()
	if err := files.finish(out, ledger.id, timings); err != nil {
		return out, fmt.Errorf("outputs: %w", err)
	}
	summary(stderr, out, ledger.id, c.out, time.Since(start))
	return out, nil
}

// minPieceBytes is fewer bytes than a row of a batch takes: a batch file's
// size over it is more than the pieces it holds.
const minPieceBytes = 64

// batchID names a batch by its content: the same file is the same batch.
func (c *config) batchID() (string, error) {
	f, err := c.open(c.batch, "testdata/batch.csv")
	if err != nil {
		return "", fmt.Errorf("batch: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("batch: %w", err)
	}
	return "batch-" + hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// progress reports pieces per second every few seconds.
func progress(w io.Writer, start time.Time) func(int) {
	last := start
	return func(n int) {
		if now := time.Now(); now.Sub(last) >= 3*time.Second {
			last = now
			fmt.Fprintf(w, "preprint: %d pieces checked, %.0f pieces/s\n", n, float64(n)/now.Sub(start).Seconds())
		}
	}
}

func summary(w io.Writer, out address.Outcome, batchID, dir string, took time.Duration) {
	verb := "processed"
	if out.Halted {
		verb = "HALTED: nothing released"
	}
	fmt.Fprintf(w, "preprint: batch %s %s as of %s: %d pieces, %d released, %d quarantined, %d blocked",
		batchID, verb, out.AsOf.UTC().Format(time.RFC3339), out.Pieces, out.Released, out.Quarantined, out.Blocked)
	for _, s := range []address.Status{address.Stale, address.UnknownAddress, address.UnknownMember, address.WrongRecipient,
		address.Commingled, address.DuplicatePiece, address.Invalid, address.UndeliverableAddress, address.UnappliedChange, address.RecentlyChanged, address.PendingChange} {
		if n := out.ByStatus[s]; n > 0 {
			fmt.Fprintf(w, ", %d %s", n, s)
		}
	}
	fmt.Fprintf(w, ", in %.2fs.", took.Seconds())
	if out.Halted {
		fmt.Fprintf(w, " Halt reason: %s.", out.HaltReason)
	}
	fmt.Fprintf(w, " Outputs in %s.\n", dir)
}
