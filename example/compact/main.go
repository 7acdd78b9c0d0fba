// Command compact compacts a printgate store (pgsync.Store.Compact): it
// rewrites the file with the members' histories first, in order, the way
// the batch job reads them fastest. Run it after a first bulk load, and
// from time to time as feeds and ledgers grow the store, when nothing else
// writes to it.
//
//	compact -db store.db             compact it
//	compact -db store.db -check      say whether compacting would help
//	compact -db store.db -if-needed  compact it only if so (a nightly job)
//
// Whether compacting would help is read from where the histories lie in
// the file (pgsync.Store.Layout): some past the part SQLite maps, spread
// among other pages, or in pages far from full.
//
// It needs free disk for two copies of the store besides it (SQLite makes
// the new file in the temporary directory, SQLITE_TMPDIR or TMPDIR, which
// must be as private as the store), and takes about 35 seconds for 12.5
// million members. It prints the histories' layout, and when it compacts,
// the file's size before and after and the time taken, on stderr: figures
// only.
//
// Exit status: 0 done (compacted, or nothing to do), 1 error (no such
// store, a store failure), 2 bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	pgsync "github.com/printgate/printgate/sync"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("compact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the store `FILE`")
	check := fs.Bool("check", false, "only say whether compacting would help")
	ifNeeded := fs.Bool("if-needed", false, "compact only if that would help")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *db == "" || fs.NArg() > 0 || *check && *ifNeeded {
		fmt.Fprintln(stderr, "compact: -db FILE is required, with -check or -if-needed or neither, and nothing follows it")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "compact: %v\n", err)
		return 1
	}
	before, err := os.Stat(*db)
	if err != nil {
		return fail(err) // pgsync.Open would make a new, empty store
	}
	st, err := pgsync.Open(ctx, *db)
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	// The layout decides for -check and -if-needed; otherwise it is only
	// reported, and a store whose layout cannot be read is compacted all
	// the same.
	l, err := st.Layout(ctx)
	switch {
	case err != nil && (*check || *ifNeeded):
		return fail(err)
	case err != nil:
		fmt.Fprintf(stderr, "compact: %s: the histories' layout could not be read: %v\n", *db, err)
	default:
		advice := "compacting would not help"
		if l.ShouldCompact() {
			advice = "compacting would help"
		}
		fmt.Fprintf(stderr, "compact: %s: histories in %v: %s\n", *db, l, advice)
		if *check || *ifNeeded && !l.ShouldCompact() {
			return 0
		}
	}
	start := time.Now()
	if err := st.Compact(ctx); err != nil {
		return fail(err)
	}
	took := time.Since(start)
	now := "a layout that could not be read"
	if l, err := st.Layout(ctx); err == nil {
		now = l.String()
	}
	if err := st.Close(); err != nil {
		return fail(err)
	}
	after, err := os.Stat(*db)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "compact: %s: %d MB before, %d MB after, in %.1fs; histories now in %s\n",
		*db, before.Size()>>20, after.Size()>>20, took.Seconds(), now)
	return 0
}
