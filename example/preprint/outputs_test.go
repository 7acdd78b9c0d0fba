package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/printgate/printgate/address"
)

// FuzzAppendCSV: appendCSV writes what encoding/csv's Writer writes, byte
// for byte, for records of one to four fields.
func FuzzAppendCSV(f *testing.F) {
	for _, r := range [][4]string{
		{"P1", "M1", "JO ANN SMITH", "12 MAIN ST"},
		{"", "a,b", `say "hi"`, "line\r\nbreak"},
		{" lead", "\t", `\.`, "é"},
		{"\u00a0nbsp", `"`, ",", "\xff"},
	} {
		f.Add(r[0], r[1], r[2], r[3], uint8(3)) // all four fields
	}
	f.Add("", "", "", "", uint8(0)) // one empty field
	f.Add("", "", "", "", uint8(1)) // two
	f.Fuzz(func(t *testing.T, a, b, c, d string, n uint8) {
		rec := []string{a, b, c, d}[:1+n%4]
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		if err := w.Write(rec); err != nil {
			t.Skip(err)
		}
		w.Flush()
		if got := appendCSV(nil, rec); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("record %q: appendCSV wrote %q, encoding/csv %q", rec, got, want.Bytes())
		}
	})
}

// TestAppendRow: a row read whole is written back as it came, quotes and
// all; one with a CR is re-encoded; one with too few or too many fields,
// or whose quotes do not close, is padded or cut to the header's width.
func TestAppendRow(t *testing.T) {
	o := &outputs{header: []string{"piece_id", "member_id", "line1"}}
	for _, tc := range []struct {
		text string
		want string
	}{
		{"P1,M1,12 MAIN ST", "P1,M1,12 MAIN ST\n"},
		{`P2,"M2","Smith, ""Ann"""`, ""}, // as it came
		{"P3,M3,12 MAIN\rST", "P3,M3,\"12 MAIN\rST\"\n"},
		{"\rP7,M7,x", "\"\rP7\",M7,x\n"}, // a CR first
		{"P4,M4", "P4,M4,\n"},
		{"P5,M5,x,extra", "P5,M5,x\n"},
		{`P6,"M6,12 MAIN ST`, "P6,\"M6,12 MAIN ST\",\n"}, // a quote that never closes: read to the end
		{`P8,M8,"ADA "THE COUNTESS" LOVELACE"`, "P8,M8,\"ADA \"\"THE COUNTESS\"\" LOVELACE\"\n"}, // quotes inside quotes, kept
		{"", ",,\n"},
	} {
		br := address.NewBatchReader(strings.NewReader("piece_id,member_id,line1\n" + tc.text + "\n"))
		br.KeepText = true
		p, err := br.Read()
		switch {
		case tc.text == "":
			// A line too long for the reader is a piece with no text.
			p, err = address.Piece{Err: &address.RowError{Line: 2, Err: address.ErrLineLength}}, nil
		case strings.Contains(tc.text, "\r"):
			// The reader ends a line at a CR, so gives no such text; a
			// piece from elsewhere may hold one.
			p, err = address.Piece{ID: "P", Text: tc.text}, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		want := tc.want
		if want == "" {
			want = tc.text + "\n"
		}
		if got := string(o.appendRow(nil, &p)); got != want {
			t.Errorf("row %q (err %v): wrote %q, want %q", tc.text, p.Err, got, want)
		}
	}
}

// TestUnknownDecisionIsHeld: a verdict whose decision is none of release,
// quarantine and block is written to quarantine.csv, never release.csv.
func TestUnknownDecisionIsHeld(t *testing.T) {
	o, err := newOutputs(t.TempDir(), []string{"piece_id", "member_id"})
	if err != nil {
		t.Fatal(err)
	}
	defer o.abort()
	p := address.Piece{ID: "P1", MemberID: "M1", Text: "P1,M1"}
	if err := o.Verdicts(context.Background(), []address.Verdict{{Piece: &p, Status: address.Current}}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"release.csv":    "piece_id,member_id\n",
		"quarantine.csv": "piece_id,member_id,status,detail\nP1,M1,current,\n",
	} {
		if err := o.files[name].b.Flush(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(o.files[name].f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestLateLedgerFailure: when the batch's id or the ledger could not be
// had, the gate's calls of the sink fail with that error, naming which,
// and Close does not wait forever; a call whose context ends while the
// ledger starts returns.
func TestLateLedgerFailure(t *testing.T) {
	ctx := context.Background()
	for _, msg := range []string{"batch: reading: i/o error", "ledger: database is locked"} {
		l := &lateLedger{ready: make(chan struct{})}
		go func() {
			l.err = errors.New(msg)
			close(l.ready)
		}()
		if err := l.Verdicts(ctx, []address.Verdict{{Piece: &address.Piece{ID: "P1"}}}); err == nil || err.Error() != msg {
			t.Errorf("Verdicts: %v, want %q", err, msg)
		}
		if err := l.Finish(ctx, address.Outcome{}); err == nil || err.Error() != msg {
			t.Errorf("Finish: %v, want %q", err, msg)
		}
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	waiting := &lateLedger{ready: make(chan struct{})}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := waiting.Verdicts(cctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Verdicts with its context done: %v, want context.Canceled", err)
	}
}

// TestLedgerFailureFailsFinish: when the ledger cannot finish, the run's
// Finish fails with its error, and the outputs are not taken as done: no
// release.csv goes into place whose pieces the ledger has not recorded.
func TestLedgerFailureFailsFinish(t *testing.T) {
	ctx := context.Background()
	o, err := newOutputs(t.TempDir(), []string{"piece_id", "member_id"})
	if err != nil {
		t.Fatal(err)
	}
	defer o.abort()
	l := &lateLedger{ready: make(chan struct{}), err: errors.New("ledger: disk I/O error")}
	close(l.ready)
	if err := (both{ledger: l, files: o}).Finish(ctx, address.Outcome{}); err == nil || err.Error() != "ledger: disk I/O error" {
		t.Errorf("Finish = %v; want the ledger's error", err)
	}
	if o.synced {
		t.Error("the outputs are marked synced after the ledger failed")
	}
}
