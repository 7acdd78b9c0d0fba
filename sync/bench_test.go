package sync_test

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	pgsync "github.com/printgate/printgate/sync"
)

// benchDir holds the benchmarks' fixtures, built once and reused: never in
// the repository.
func benchDir(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "printgate-bench")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	return dir
}

// cached returns path, building it with build (into a temporary file,
// renamed when done) if it does not exist.
func cached(b *testing.B, path string, build func(tmp string) error) string {
	b.Helper()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".tmp"
	os.Remove(tmp)
	start := time.Now()
	if err := build(tmp); err != nil {
		b.Fatalf("building %s: %v", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %v", filepath.Base(path), time.Since(start).Round(time.Millisecond))
	return path
}

const applyEvents = 1_000_000

// BenchmarkApply bulk-loads a feed of 1,000,000 change events (400,000
// members, in the order they were recorded, as an upstream log holds them)
// from a CSV file into a new file-backed store: reading, parsing and
// standardizing every address, staging, applying.
func BenchmarkApply(b *testing.B) {
	feed := cached(b, filepath.Join(benchDir(b), fmt.Sprintf("feed-%d.csv", applyEvents)), func(tmp string) error {
		evs := world(applyEvents*2/5, 99)
		slices.SortFunc(evs, func(x, y pgsync.Event) int { return cmp.Compare(x.Recorded.UnixNano(), y.Recorded.UnixNano()) })
		writeFile(b, tmp, evs)
		return nil
	})
	var n int
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), fmt.Sprintf("apply-%d.db", i))
		b.StartTimer()
		rep := applyFile(b, db, feed, pgsync.ApplyOptions{})
		if rep.Bad != 0 || rep.Applied == 0 {
			b.Fatalf("report: %+v", rep)
		}
		n += rep.Read
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
