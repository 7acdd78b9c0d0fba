package sync_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/printgate/printgate/internal/benchdata"
	pgsync "github.com/printgate/printgate/sync"
)

// BenchmarkApplyKnown applies a feed of 100,000 moves, one for each of
// 100,000 of a store's 400,000 members, to a copy of the store: the path
// of a feed whose members the store knows (looked up chunk by chunk), where
// BenchmarkApply's is a first load. The store is built once, untimed.
//
//	go test ./sync -run '^$' -bench 'BenchmarkApplyKnown$' -benchtime 3x
func BenchmarkApplyKnown(b *testing.B) {
	const members, moves = 400_000, 100_000
	ctx := context.Background()
	dir := b.TempDir()
	base := filepath.Join(dir, "base.db")
	s, err := pgsync.Open(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Apply(ctx, benchdata.Events(members), pgsync.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	s.Close()
	feed := make([]pgsync.Event, 0, moves)
	for i := range moves {
		m := i * (members / moves)
		ev := move(fmt.Sprintf("D%07d", i), benchdata.MemberID(m), "2030-01-01", uint64(m))
		feed = append(feed, ev)
	}
	n := 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		db := filepath.Join(dir, fmt.Sprintf("apply-%d.db", i))
		copyFile(b, base, db)
		st, err := pgsync.Open(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := st.Apply(ctx, seq(feed), pgsync.ApplyOptions{Override: true})
		if err != nil || rep.Applied != moves {
			b.Fatalf("Apply: %+v, %v", rep, err)
		}
		n += rep.Read
		b.StopTimer()
		st.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}
