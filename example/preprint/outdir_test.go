//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOutDirOfARunBefore: a run into a directory that holds a run
// before's outputs removes them first, release.csv among them, so that a
// run that fails leaves nothing a printer could take for its own.
func TestOutDirOfARunBefore(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 50, 1, 10)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runBinary(t, "-feed", feed, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out, "-halt-rate", "1"); code != exitOK {
		t.Fatalf("first run: exit %d; stderr:\n%s", code, stderr)
	}
	if n := len(readCSV(t, filepath.Join(out, "release.csv"))); n != 1+45 {
		t.Fatalf("first run released %d; want 45", n-1)
	}
	// The reviewer's file of the run before's quarantine (example/review
	// -out out/reviewed.csv, as the README has it), whose reviews a new
	// run's verdicts may supersede.
	if err := os.WriteFile(filepath.Join(out, "reviewed.csv"), []byte("piece_id\nP0-0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("piece_id,phi,phi\nP1,true,true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runBinary(t, "-feed", feed, "-batch", bad, "-asof", "2020-06-01T00:00:00Z", "-out", out)
	if code != exitError {
		t.Fatalf("second run, a batch with phi twice: exit %d; want %d; stderr:\n%s", code, exitError, stderr)
	}
	left, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("the failed run left %s of the run before", e.Name())
	}
}

// TestOutDirBusy: a second run into a directory that a run is writing to
// fails at once, before it changes anything, rather than mix two runs'
// files.
func TestOutDirBusy(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 20, 1, 10)
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "store.db")
	code, _, stderr := runBinary(t, "-feed", feed, "-db", db, "-batch", batch, "-out", out)
	if code != exitError || !strings.Contains(stderr, "another run is writing to the output directory") {
		t.Errorf("exit %d; want %d, saying another run writes there; stderr:\n%s", code, exitError, stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("the run made the store before it found the output directory busy")
	}
	syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
	if code, _, stderr := runBinary(t, "-feed", feed, "-db", db, "-batch", batch, "-out", out, "-halt-rate", "1"); code != exitOK {
		t.Errorf("once the lock is given back: exit %d; stderr:\n%s", code, stderr)
	}
}

// TestOutDirChecks: what is wrong with -out, or with an input in it, is
// found before the feed is applied; and a batch that cannot be read twice
// (a pipe) is an error that says so.
func TestOutDirChecks(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 20, 1, 10)
	aFile := filepath.Join(dir, "a-file")
	if err := os.WriteFile(aFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	inOut := filepath.Join(out, "release.csv")
	b, err := os.ReadFile(batch)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inOut, b, 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, batch, out, db, says string
	}{
		{"-out is a file", batch, aFile, "", "not a directory"},
		{"the batch is an output", inOut, out, "", "-batch is release.csv in the output directory"},
		{"the batch is a pipe", fifo, filepath.Join(dir, "out2"), "", "not a regular file"},
		{"a store to be made is an output", batch, out, filepath.Join(out, "verdicts.csv"), "-db is verdicts.csv in the output directory"},
		{"no batch", filepath.Join(dir, "none.csv"), out, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.db
			if db == "" {
				db = filepath.Join(t.TempDir(), "store.db")
			}
			code, _, stderr := runBinary(t, "-feed", feed, "-db", db, "-batch", tt.batch, "-out", tt.out)
			if code != exitError || !strings.Contains(stderr, tt.says) {
				t.Errorf("exit %d; want %d, saying %q; stderr:\n%s", code, exitError, tt.says, stderr)
			}
			if _, err := os.Stat(db); err == nil {
				t.Errorf("the feed was applied before the error was found")
			}
		})
	}
	// Nor did any of those runs remove what a run before left in -out.
	if got, err := os.ReadFile(inOut); err != nil || !bytes.Equal(got, b) {
		t.Errorf("the batch in the output directory was changed or removed (%v)", err)
	}
}

// TestHaltPaddedIDs: a halted batch's would-be releases keep their own
// status in quarantine.csv when their ids are written with spaces around
// them.
func TestHaltPaddedIDs(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 200, 1, 10) // 20 of 200 stale: halts
	recs := readCSV(t, batch)
	for _, r := range recs[1:] {
		r[1] = "  " + r[1] + " "
	}
	var bb bytes.Buffer
	w := csv.NewWriter(&bb)
	w.WriteAll(recs)
	if err := os.WriteFile(batch, bb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := runBinary(t, "-feed", feed, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out); code != exitHalted {
		t.Fatalf("exit %d; want %d; stderr:\n%s", code, exitHalted, stderr)
	}
	q := readCSV(t, filepath.Join(out, "quarantine.csv"))
	if len(q) != 1+180 {
		t.Fatalf("quarantine.csv holds %d pieces; want 180", len(q)-1)
	}
	for _, r := range q[1:] {
		if st := r[len(r)-2]; st != "current" {
			t.Errorf("piece %q held by the halt with status %q; want current", r[1], st)
		}
	}
}

// TestStoreBusy: a run on a store that another run holds waits for it,
// saying so, and then runs: two runs of one batch at once would write
// their verdicts into one run of the ledger.
func TestStoreBusy(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 20, 1, 10)
	db := filepath.Join(dir, "store.db")
	lock, err := os.OpenFile(db+".preprint-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "-feed", feed, "-db", db, "-batch", batch, "-out", filepath.Join(dir, "out"), "-halt-rate", "1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if err != nil || !strings.Contains(line, "waiting for another run on the store") {
		t.Errorf("the run's first line on stderr: %q, %v; want that it waits", line, err)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("the run opened the store while another held it")
	}
	syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	go io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); err != nil {
		t.Errorf("once the store is free: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "release.csv")); err != nil {
		t.Errorf("once the store is free, no release.csv: %v", err)
	}
}
