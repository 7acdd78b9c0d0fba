package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReviewedAfterRerun: a reviewer releases P0008 (unknown_address: a
// city misspelled); the member then moves and the batch is run again.
// P0008's verdict is another now: the release was of the old one, so
// reviewed.csv, the printer's file, must not hold it.
func TestReviewedAfterRerun(t *testing.T) {
	const batch = "../preprint/testdata/batch.csv"
	r := runPreprint(t, batch, 0)
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-release", "P0008", "-by", "ann", "-why", "city misspelled, address right")
	reviewed := filepath.Join(t.TempDir(), "reviewed.csv")
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-quarantine", filepath.Join(r.out, "quarantine.csv"), "-out", reviewed)
	if b, _ := os.ReadFile(reviewed); !strings.Contains(string(b), "P0008") {
		t.Fatalf("reviewed.csv before the move lacks P0008:\n%s", b)
	}

	move := filepath.Join(t.TempDir(), "move.csv")
	if err := os.WriteFile(move, []byte("event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n"+
		"E-move,M008,2020-05-25,2020-05-26,,9 Elm St,,Springfield,IL,62704\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(preprint, "-feed", move, "-db", r.db, "-batch", batch, "-asof", "2020-06-01T12:00:00Z", "-out", r.out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 { // 3: halted, which is a finished run too
			t.Fatalf("preprint again: %v\n%s", err, stderr.String())
		}
	}
	if recs := readCSV(t, first(mustReview(t, "-db", r.db))); recs[0][11] != "run" || recs[1][11] != "2" {
		t.Errorf("the batch list after the rerun: %q; want run 2", recs)
	}
	stdout, _ := mustReview(t, "-db", r.db, "-batch-id", r.batchID)
	for _, rec := range readCSV(t, stdout)[1:] {
		if rec[0] == "P0008" && rec[6] != "" {
			t.Errorf("P0008, now %s, is listed with the review of its old verdict: %q", rec[4], rec)
		}
	}
	if code, _, stderr := review("-db", r.db, "-batch-id", r.batchID, "-quarantine", filepath.Join(r.out, "quarantine.csv"), "-out", reviewed); code != 0 {
		t.Fatalf("review -out after the rerun: exit %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(reviewed); strings.Contains(string(b), "P0008") {
		t.Errorf("reviewed.csv after the move releases P0008 to its former address:\n%s", b)
	}

	// -released still counts what the first run released, and the
	// superseded review's release of P0008, which may have been printed,
	// beside what the second run released.
	stdout, _ = mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-released")
	recs := readCSV(t, stdout)
	if got := strings.Join(recs[0], ","); got != "run,piece_id,line,member_id,phi,status,released_by,reviewer,reason,reviewed_at,superseded" {
		t.Fatalf("-released header: %s", got)
	}
	gate, p8 := 0, false
	for _, rec := range recs[1:] {
		switch {
		case rec[6] == "gate" && rec[5] == "current" && (rec[0] == "1" || rec[0] == "2"):
			if rec[0] == "1" {
				gate++
			}
		case rec[1] == "P0008" && rec[6] == "reviewer" && rec[0] == "1" && rec[7] == "ann" && rec[10] == "true":
			p8 = true
		default:
			t.Errorf("-released row %q", rec)
		}
	}
	if gate == 0 || !p8 {
		t.Errorf("-released: %d of the gate's releases of run 1, P0008's superseded review %v; want some, and true:\n%s", gate, p8, stdout)
	}
}

func first(a, _ string) string { return a }
