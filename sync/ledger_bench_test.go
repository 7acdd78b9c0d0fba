package sync_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/printgate/printgate/address"
)

// BenchmarkLedger writes the verdicts of a 337,755-piece batch, in the
// gate's chunks of 8,192, into the ledger of a file-backed store, and
// finishes the batch: a new batch id each time, as a mail house's daily
// batches are. BenchmarkLedgerRerun runs one batch id again and again: a
// run of a finished batch keeps the run before (Store.Runs), copying its
// verdicts.
//
//	go test ./sync -run '^$' -bench BenchmarkLedger -benchmem
func BenchmarkLedger(b *testing.B) { benchLedger(b, false) }

func BenchmarkLedgerRerun(b *testing.B) { benchLedger(b, true) }

func benchLedger(b *testing.B, rerun bool) {
	const pieces, chunk = 337_755, 8192
	st := mustOpenPath(b, filepath.Join(b.TempDir(), "store.db"))
	ps := make([]address.Piece, chunk)
	vs := make([]address.Verdict, chunk)
	for i := range ps {
		ps[i] = address.Piece{ID: "P" + strconv.Itoa(1_000_000+i), MemberID: "M" + strconv.Itoa(100_000_000+i*37), Line: i + 2, PHI: true}
		vs[i] = address.Verdict{Piece: &ps[i], Status: address.Current, Decision: address.Release, VersionID: "E" + strconv.Itoa(i*37) + "-1"}
		if i%250 == 0 {
			vs[i].Status, vs[i].Decision, vs[i].Detail = address.Stale, address.Block, "stale since 2022-01-01"
		}
	}
	ctx := context.Background()
	asOf := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := 0
	for b.Loop() {
		if !rerun {
			batch++
		}
		l, err := st.Ledger(ctx, "bench-"+strconv.Itoa(batch), asOf)
		if err != nil {
			b.Fatal(err)
		}
		out := address.Outcome{AsOf: asOf}
		for n := 0; n < pieces; n += chunk {
			v := vs[:min(chunk, pieces-n)]
			for i := range v {
				out.Pieces++
				switch v[i].Decision {
				case address.Release:
					out.Released++
				case address.Block:
					out.Blocked++
				}
			}
			if err := l.Verdicts(ctx, v); err != nil {
				b.Fatal(err)
			}
		}
		if err := l.Finish(ctx, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pieces)*float64(b.N)/b.Elapsed().Seconds(), "verdicts/s")
}
