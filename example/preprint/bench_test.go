package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/printgate/printgate/internal/benchdata"
	pgsync "github.com/printgate/printgate/sync"
)

// The end-to-end benchmarks: the batch job on a batch of the 2019 size
// (337,755 pieces, about 150,000 members) against a store of a large plan's
// size (12,500,000 members), the feed already applied. The store and the
// batch are built once and cached under os.TempDir()/printgate-bench.
// PRINTGATE_BENCH_MEMBERS sets a smaller store for a quick look.
//
//	go test ./example/preprint -run '^$' -bench Preprint -benchtime 5x -benchmem

const batchPieces = 337_755

var benchAsOf = benchdata.MovedEffective.AddDate(2, 0, 0)

func benchMembers() int {
	if n, err := strconv.Atoi(os.Getenv("PRINTGATE_BENCH_MEMBERS")); err == nil && n > 0 {
		return n
	}
	return benchdata.Members
}

// benchBatch returns the path of a cached batch of pieces pieces for a
// store of members members: each member drawn gets two or three pieces;
// most are printed to the address in force, written differently from the
// feed (upper case, the unit on line 1, abbreviations spelled out or not);
// 0.4% to the member's former address (stale), 0.1% to an address the
// member never had.
func benchBatch(tb testing.TB, members, pieces int) string {
	tb.Helper()
	path := filepath.Join(benchdata.Dir(tb), fmt.Sprintf("batch-%d-of-%d-v2.csv", pieces, members))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"piece_id", "member_id", "name", "line1", "line2", "city", "state", "zip", "phi", "contents"})
	const stride = 7_368_787 // odd and prime to the store sizes used: a spread of members
	m := 0
	for i := 0; i < pieces; {
		m = (m + stride) % members
		per := 2 + m%4/3 // 2 or 3 pieces; about 2.25 on average
		for j := 0; j < per && i < pieces; j++ {
			v := 0
			if benchdata.Moved(m) {
				v = 1
			}
			k := i % 1000
			switch {
			case k < 4 && v == 1:
				v = 0 // stale
			}
			l1, l2, city, st, zip := benchdata.Addr(m, v)
			if k == 500 {
				l1 = "1" + l1 // a house number the member never had
			}
			if i%2 == 0 {
				l1, l2, city = strings.ToUpper(strings.TrimSpace(l1+" "+l2)), "", strings.ToUpper(city)
			}
			id := benchdata.MemberID(m)
			w.Write([]string{"P" + strconv.Itoa(i), id, strings.ToUpper(benchdata.Name(m)), l1, l2, city, st, zip, "true", id})
			i++
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

func BenchmarkPreprint(b *testing.B) { benchPreprint(b, benchdata.Store, false) }

// BenchmarkPreprintCold drops the store's and the batch's pages from the
// page cache before each run (posix_fadvise DONTNEED).
func BenchmarkPreprintCold(b *testing.B) { benchPreprint(b, benchdata.Store, true) }

// BenchmarkPreprintCompacted is BenchmarkPreprint on a copy of the store
// compacted by pgsync.Store.Compact (made once, about a minute).
func BenchmarkPreprintCompacted(b *testing.B) { benchPreprint(b, benchdata.CompactStore, false) }

func benchPreprint(b *testing.B, store func(testing.TB, int) string, cold bool) {
	if cold && runtime.GOOS != "linux" {
		b.Skip("a cold page cache is made on Linux only")
	}
	defer tuneGC()() // as main does
	adviseHugeHeap(memoryLimit)
	members := benchMembers()
	db := store(b, members)
	batch := benchBatch(b, members, batchPieces)
	ctx := context.Background()
	if !cold {
		// "In the page cache": one run first, untimed, on a store not in
		// it, reads the store ahead as far as the batch needs, as a run
		// in production finds it once it has been read. Without the
		// drop, a store the benchmark has just built would be there as
		// its writes left it: in 4 KiB pages, which its maps take at a
		// fault per 16 (see Store.Prewarm and the README).
		if runtime.GOOS == "linux" {
			for _, p := range []string{db, db + "-wal", batch} {
				if err := benchdata.DropCache(p); err != nil {
					b.Fatalf("dropping %s from the page cache: %v", filepath.Base(p), err)
				}
			}
		}
		c := &config{db: db, batch: batch, out: b.TempDir(), asOf: benchAsOf, recent: 720 * time.Hour, haltRate: 0.01}
		if _, err := check(ctx, c, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		if cold {
			for _, p := range []string{db, db + "-wal", batch} {
				if err := benchdata.DropCache(p); err != nil {
					b.Fatalf("dropping %s from the page cache: %v", filepath.Base(p), err)
				}
			}
		}
		forgetBatches(b, db)
		c := &config{db: db, batch: batch, out: dir, asOf: benchAsOf, recent: 720 * time.Hour, haltRate: 0.01}
		b.StartTimer()
		o, err := check(ctx, c, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		if o.Pieces != batchPieces || o.Halted {
			b.Fatalf("outcome %+v", o)
		}
	}
	b.ReportMetric(float64(batchPieces)*float64(b.N)/b.Elapsed().Seconds(), "pieces/s")
}

// BenchmarkProgram runs the built program on the batch, a process a run,
// as a batch job runs it, on the store as loaded and compacted, its runs
// either one right after another ("back-to-back") or each after a pause
// of 6 s, not timed ("after-pause"): this virtual machine gives memory
// freed for 2 s back to its host, and a process started after a pause
// takes it back a page at a time. A first run, not timed, has the store
// read into the page cache (Store.Prewarm). It reports the median run,
// the slowest, and the share of runs of 1 s or less: the target.
//
//	go test ./example/preprint -run '^$' -bench Program -benchtime 12x
func BenchmarkProgram(b *testing.B) {
	members := benchMembers()
	batch := benchBatch(b, members, batchPieces)
	stores := []struct {
		name string
		path func(testing.TB, int) string
	}{{"loaded", benchdata.Store}, {"compacted", benchdata.CompactStore}}
	for _, st := range stores {
		db := st.path(b, members)
		for _, pause := range []time.Duration{0, 6 * time.Second} {
			name := st.name + "/back-to-back"
			if pause > 0 {
				name = st.name + "/after-pause"
			}
			b.Run(name, func(b *testing.B) {
				out := b.TempDir()
				run := func() time.Duration {
					b.StopTimer()
					if err := os.RemoveAll(out); err != nil {
						b.Fatal(err)
					}
					forgetBatches(b, db)
					time.Sleep(pause)
					b.StartTimer()
					start := time.Now()
					if code, _, stderr := runBinary(b, "-db", db, "-batch", batch, "-out", out, "-asof", benchAsOf.Format(time.RFC3339)); code != 0 {
						b.Fatalf("preprint: exit %d: %s", code, stderr)
					}
					return time.Since(start)
				}
				run()
				var took []time.Duration
				b.ResetTimer()
				for b.Loop() {
					took = append(took, run())
				}
				slices.Sort(took)
				within := 0
				for _, d := range took {
					if d <= time.Second {
						within++
					}
				}
				b.ReportMetric(took[len(took)/2].Seconds(), "s-median")
				b.ReportMetric(took[len(took)-1].Seconds(), "s-slowest")
				b.ReportMetric(float64(within)/float64(len(took)), "share<=1s")
			})
		}
	}
}

// BenchmarkPreprintMemory runs the built program on a 3,000,000-piece batch
// and reports its peak anonymous memory (RssAnon: the heap, stacks, SQLite's
// page cache) and peak file-backed resident memory (RssFile: the store's
// mmap, the binary), sampled from /proc every 5 ms.
//
//	go test ./example/preprint -run '^$' -bench PreprintMemory -benchtime 1x
func BenchmarkPreprintMemory(b *testing.B) {
	members := benchMembers()
	db := benchdata.Store(b, members)
	batch := benchBatch(b, members, 3_000_000)
	var anon, file int
	for b.Loop() {
		forgetBatches(b, db)
		cmd := exec.Command(binary, "-db", db, "-batch", batch, "-out", b.TempDir(), "-asof", benchAsOf.Format(time.RFC3339))
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		tick := time.NewTicker(5 * time.Millisecond)
	wait:
		for {
			select {
			case err := <-done:
				if err != nil {
					b.Fatalf("preprint: %v", err)
				}
				break wait
			case <-tick.C:
				a, f := rss(cmd.Process.Pid)
				anon, file = max(anon, a), max(file, f)
			}
		}
		tick.Stop()
	}
	b.ReportMetric(float64(anon)/1024, "MiB-RssAnon")
	b.ReportMetric(float64(file)/1024, "MiB-RssFile")
}

// rss reads a process's RssAnon and RssFile, in KiB.
func rss(pid int) (anon, file int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "RssAnon":
			anon = n
		case "RssFile":
			file = n
		}
	}
	return anon, file
}

// forgetBatches removes every batch from the ledger of the store at db and
// checkpoints it, so that the next run of the benchmarks' batch is the
// first of its id, as a mail house's daily batch is. (A run again of a
// finished batch keeps the run before, about 20 MB of verdicts copied
// for this batch: a cost of re-runs, which the benchmarks leave out.)
// It runs untimed, before each timed run.
func forgetBatches(tb testing.TB, db string) {
	tb.Helper()
	ctx := context.Background()
	st, err := pgsync.Open(ctx, db) // the schema brought up to date
	if err != nil {
		tb.Fatal(err)
	}
	st.Close()
	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"superseded_reviews", "reviews", "run_chunks", "runs", "verdict_chunks", "batches"} {
		if _, err := conn.ExecContext(ctx, "DELETE FROM "+q); err != nil {
			tb.Fatalf("forgetting the ledger's batches: %v", err)
		}
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		tb.Fatalf("forgetting the ledger's batches: %v", err)
	}
}
