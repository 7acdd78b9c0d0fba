package sync_test

import (
	"bufio"
	"context"
	"fmt"
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

// batchMembers returns the distinct members of a batch the size of the 2019
// incident's, 337,755 pieces (about 150,000 members: a member gets two or
// three pieces), drawn from members [0, n), sorted.
func batchMembers(n int) []string {
	const pieces = 337_755
	ids := make([]string, 0, pieces)
	for i := range pieces {
		// A member for every 2.25 pieces: 150,113 members spread evenly
		// over the store, in a batch sorted by member.
		ids = append(ids, benchdata.MemberID(int(uint64(i)*4/9*uint64(n)/(pieces*4/9+1))))
	}
	return slices.Compact(ids)
}

// BenchmarkHistories reads the histories of the members of a 337,755-piece
// batch (about 150,000 members) from the shared store of 12,500,000
// members, as the gate does. The store is read once before timing, so
// that it is in the page cache: this measures the store, not the disk.
//
//	go test ./sync -run '^$' -bench 'BenchmarkHistories$' -benchtime 10x -benchmem
func BenchmarkHistories(b *testing.B) {
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
	ids := batchMembers(benchdata.Members)
	read := func() (members, versions int) {
		for h, err := range s.Histories(ctx, ids) {
			if err != nil {
				b.Fatal(err)
			}
			members++
			versions += len(h.Versions)
		}
		return members, versions
	}
	start := time.Now()
	members, versions := read()
	b.Logf("%d members, %d versions; first (cold) read %v; store %d MB, %.0f MB per million members",
		members, versions, time.Since(start).Round(time.Millisecond), fi.Size()>>20, float64(fi.Size())/(1<<20)/(benchdata.Members/1e6))
	if members != len(ids) {
		b.Fatalf("%d histories for %d members", members, len(ids))
	}
	b.ResetTimer()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(len(ids)*b.N)/b.Elapsed().Seconds(), "members/s")
	b.ReportMetric(float64(fi.Size())/(1<<20)/(benchdata.Members/1e6), "MB/1M-members")
}
