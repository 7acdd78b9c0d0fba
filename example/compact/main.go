// Command compact compacts a printgate store (pgsync.Store.Compact): it
// rewrites the file with the members' histories first, in order, the way
// the batch job reads them fastest. Run it after a first bulk load, and
// from time to time as feeds and ledgers grow the store, when nothing else
// writes to it.
//
//	compact -db store.db
//
// It needs free disk for two copies of the store besides it (SQLite makes
// the new file in the temporary directory, SQLITE_TMPDIR or TMPDIR, which
// must be as private as the store), and takes about 35 seconds for 12.5
// million members. It prints the file's size before and after, and the
// time taken, on stderr.
//
// Exit status: 0 done, 1 error (no such store, a store failure), 2 bad
// flags.
package main

import (
	"context"
	"errors"
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
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *db == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "compact: -db FILE is required, and nothing follows it")
		return 2
	}
	before, err := os.Stat(*db)
	if err != nil {
		// pgsync.Open would make a new, empty store.
		fmt.Fprintf(stderr, "compact: %v\n", err)
		return 1
	}
	start := time.Now()
	if err := compact(ctx, *db); err != nil {
		fmt.Fprintf(stderr, "compact: %v\n", err)
		return 1
	}
	after, err := os.Stat(*db)
	if err != nil {
		fmt.Fprintf(stderr, "compact: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "compact: %s: %d MB before, %d MB after, in %.1fs\n",
		*db, before.Size()>>20, after.Size()>>20, time.Since(start).Seconds())
	return 0
}

func compact(ctx context.Context, path string) error {
	st, err := pgsync.Open(ctx, path)
	if err != nil {
		return err
	}
	return errors.Join(st.Compact(ctx), st.Close())
}
