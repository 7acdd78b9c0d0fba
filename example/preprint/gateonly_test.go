package main

import (
	"context"
	"os"
	"testing"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/internal/benchdata"
	pgsync "github.com/printgate/printgate/sync"
)

// nopSink takes the verdicts and keeps none.
type nopSink struct{}

func (nopSink) Verdicts(context.Context, []address.Verdict) error { return nil }
func (nopSink) Finish(context.Context, address.Outcome) error     { return nil }

// BenchmarkGateOnly is the batch job without its ledger and output files:
// the same batch read, parsed, looked up in a snapshot of the same store
// and judged, the verdicts dropped. Against BenchmarkPreprint it tells
// what the ledger and the outputs add.
//
//	go test ./example/preprint -run '^$' -bench 'GateOnly|Preprint$' -benchtime 5x
func BenchmarkGateOnly(b *testing.B) {
	defer tuneGC()()
	adviseHugeHeap(memoryLimit)
	members := benchMembers()
	db := benchdata.Store(b, members)
	batch := benchBatch(b, members, batchPieces)
	ctx := context.Background()
	st, err := pgsync.Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	run := func() {
		snap, err := st.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer snap.Close()
		f, err := os.Open(batch)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		br := address.NewBatchReader(f)
		g := &address.Gate{Source: snap, AsOf: benchAsOf, Fetchers: 2, HaltRate: 1}
		o, err := g.Check(ctx, br.All(), nopSink{})
		if err != nil || o.Pieces != batchPieces {
			b.Fatal(o, err)
		}
	}
	run()
	for b.Loop() {
		run()
	}
}
