package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/printgate/printgate/internal/csvhead"
)

// FuzzQuarantineFile feeds the writing of the released rows any text as
// the run's quarantine.csv. Whatever the text, it writes only rows of
// pieces a reviewer released, each once and with its member, or nothing
// at all.
func FuzzQuarantineFile(f *testing.F) {
	r := runPreprint(f, "../preprint/testdata/batch.csv", 0)
	released := map[string]string{"P0009": "M009", "P0017": "M012"}
	for id := range released {
		mustReview(f, "-db", r.db, "-batch-id", r.batchID, "-release", id, "-by", "ann", "-why", "checked")
	}
	mustReview(f, "-db", r.db, "-batch-id", r.batchID, "-block", "P0010", "-by", "ann", "-why", "checked")
	q, err := os.ReadFile(filepath.Join(r.out, "quarantine.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(q)
	f.Add([]byte(strings.Replace(string(q), "P0009,M009", "P0009,M001", 1)))
	f.Add([]byte(strings.Replace(string(q), "P0008,", ",", 1)))
	f.Add([]byte("piece_id,member_id,status,detail\nP0009,M009,x,y\n"))
	f.Add([]byte("\ufeffPIECE_ID , Member_ID,status,detail\n\"P0009\",M009,,\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		dir := t.TempDir()
		in, out := filepath.Join(dir, "quarantine.csv"), filepath.Join(dir, "reviewed.csv")
		if err := os.WriteFile(in, text, 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := review("-db", r.db, "-batch-id", r.batchID, "-quarantine", in, "-out", out)
		entries, _ := os.ReadDir(dir)
		switch code {
		case 1:
			if len(entries) != 1 {
				t.Fatalf("exit 1 left files: %v", entries)
			}
			return
		case 0:
		default:
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if len(entries) != 2 {
			t.Fatalf("exit 0 left files: %v", entries)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, string(b))
		header := recs[0]
		idCol, memberCol := csvhead.Index(header, "piece_id"), csvhead.Index(header, "member_id")
		if idCol < 0 || memberCol < 0 {
			t.Fatalf("the written header has no piece_id or member_id: %q", header)
		}
		seen := map[string]bool{}
		for _, rec := range recs[1:] {
			id, member := strings.TrimSpace(rec[idCol]), strings.TrimSpace(rec[memberCol])
			if released[id] != member || seen[id] {
				t.Fatalf("wrote piece %q of member %q (again: %v), which no reviewer released", id, member, seen[id])
			}
			seen[id] = true
		}
		if _, err := os.Stat(filepath.Join(dir, "reviewed.csv")); errors.Is(err, os.ErrNotExist) {
			t.Fatal("no output")
		}
	})
}
