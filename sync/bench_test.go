package sync_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/printgate/printgate/internal/benchdata"
	pgsync "github.com/printgate/printgate/sync"
)

// applyMembers is the number of members of BenchmarkApply's feed: about
// 1,000,000 events.
const applyMembers = 833_333

// applyFeed returns the path of BenchmarkApply's feed, a CSV file, writing
// it the first time.
func applyFeed(b *testing.B) string {
	b.Helper()
	path := filepath.Join(benchdata.Dir(b), fmt.Sprintf("feed-%d-v1.csv", applyMembers))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	defer os.Remove(tmp)
	var evs []pgsync.Event
	for ev, err := range benchdata.Shuffled(applyMembers) {
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, ev)
	}
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := writeCSV(w, evs); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkApply bulk-loads a feed of about 1,000,000 change events
// (833,333 members, a fifth of whom moved, in no order of member or event
// id) from a CSV file into a new file-backed store: reading, parsing and
// standardizing every address, sorting, applying.
//
//	go test ./sync -run '^$' -bench 'BenchmarkApply$' -benchtime 3x -benchmem
func BenchmarkApply(b *testing.B) {
	feed := applyFeed(b)
	dir := b.TempDir()
	var n int
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		db := filepath.Join(dir, fmt.Sprintf("apply-%d.db", i))
		b.StartTimer()
		rep := applyFile(b, db, feed, pgsync.ApplyOptions{})
		if rep.Bad != 0 || rep.Applied != rep.Read {
			b.Fatalf("report: %+v", rep)
		}
		n += rep.Read
		b.StopTimer()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// batchChunks returns the members of a batch the size of the 2019
// incident's, 337,755 pieces, as the gate looks them up: the distinct
// members of each chunk of 8,192 pieces (the gate's), sorted. The batch is
// the end-to-end benchmark's (example/preprint): members drawn with a
// stride that spreads them over the store, two or three pieces each,
// 150,113 members in all.
func batchChunks(n int) [][]string {
	const pieces, chunkPieces = 337_755, 8192
	const stride = 7_368_787 // as example/preprint's benchBatch
	var chunks [][]string
	var chunk []string
	m := 0
	for i := 0; i < pieces; {
		m = (m + stride) % n
		for j := 0; j < 2+m%4/3 && i < pieces; j++ {
			chunk = append(chunk, benchdata.MemberID(m))
			if i++; len(chunk) == chunkPieces || i == pieces {
				chunks = append(chunks, slices.Compact(slices.Sorted(slices.Values(chunk))))
				chunk = nil
			}
		}
	}
	return chunks
}

// BenchmarkHistories reads the histories of the members of a 337,755-piece
// batch (150,113 members) from the shared store of 12,500,000 members, as
// the gate does: a call per chunk of the batch, each on members spread
// over the whole store. The store is read once before timing, so that it
// is in the page cache: this measures the store, not the disk.
//
//	go test ./sync -run '^$' -bench 'BenchmarkHistories' -benchtime 10x -benchmem
func BenchmarkHistories(b *testing.B) {
	benchHistories(b, batchChunks(benchdata.Members))
}

// BenchmarkHistoriesOneCall reads the same members in one call, all in
// order: a call whose ids fall in one part's range after another, read
// one part at a time.
func BenchmarkHistoriesOneCall(b *testing.B) {
	var ids []string
	for _, c := range batchChunks(benchdata.Members) {
		ids = append(ids, c...)
	}
	benchHistories(b, [][]string{slices.Compact(slices.Sorted(slices.Values(ids)))})
}

func benchHistories(b *testing.B, calls [][]string) {
	path := benchdata.Store(b, benchdata.Members)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := pgsync.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	want := 0
	for _, ids := range calls {
		want += len(ids)
	}
	read := func() (members, versions int) {
		for _, ids := range calls {
			for h, err := range s.Histories(ctx, ids) {
				if err != nil {
					b.Fatal(err)
				}
				members++
				versions += len(h.Versions)
			}
		}
		return members, versions
	}
	// The size per member is the store's as built: the batch job's
	// benchmarks add their ledger to the same file.
	built, ok := benchdata.BuiltSize(path)
	if !ok {
		built = fi.Size()
	}
	perMillion := float64(built) / (1 << 20) / (benchdata.Members / 1e6)
	start := time.Now()
	members, versions := read()
	b.Logf("%d members in %d calls, %d versions; first (cold) read %v; store %d MB (%d MB as built), %.0f MB per million members as built",
		members, len(calls), versions, time.Since(start).Round(time.Millisecond), fi.Size()>>20, built>>20, perMillion)
	if members != want {
		b.Fatalf("%d histories for %d members", members, want)
	}
	b.ResetTimer()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(want*b.N)/b.Elapsed().Seconds(), "members/s")
	b.ReportMetric(perMillion, "MB/1M-members")
}

// BenchmarkCSVReader reads BenchmarkApply's feed of 1,000,000 events as
// Apply does, with CSVReader: the feed's reading, of which the records are
// most.
func BenchmarkCSVReader(b *testing.B) {
	benchReadFeed(b, func(r io.Reader) func() error {
		cr := pgsync.NewCSVReader(r)
		return func() error { _, err := cr.Read(); return err }
	})
}

// BenchmarkEncodingCSV reads the same feed's records with encoding/csv, as
// CSVReader did until 2026-12-02.
func BenchmarkEncodingCSV(b *testing.B) {
	benchReadFeed(b, func(r io.Reader) func() error {
		cr := csv.NewReader(r)
		cr.ReuseRecord = true
		return func() error { _, err := cr.Read(); return err }
	})
}

func benchReadFeed(b *testing.B, reader func(io.Reader) func() error) {
	data, err := os.ReadFile(applyFeed(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		read := reader(bytes.NewReader(data))
		for {
			err := read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
