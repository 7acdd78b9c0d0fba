package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the demo's outputs")

var outputNames = []string{"drift.csv", "summary.json"}

// TestGolden runs the demo and compares its outputs with
// testdata/golden. After a change that is meant to change them, run
//
//	go test ./example/drift -run TestGolden -update
//
// and read the diff before committing it.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-out", dir}, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range outputNames {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n%s", name, golden, lineDiff(string(want), string(got)))
		}
	}
	for _, want := range []string{"15 members", "5 in_sync", "3 stale_in_other", "2 unknown_in_other", "1 invalid_in_other",
		"2 missing_in_other", "1 missing_in_store", "1 held_in_store", "16 export rows, 3 bad (2 without a member id)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q: %s", want, stderr.String())
		}
	}
	noPHI(t, stderr.String())
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(outputNames) {
		t.Errorf("output directory holds %d files, want %d: %v", len(entries), len(outputNames), entries)
	}
}

// lineDiff shows the lines of want and got that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			b.WriteString("-" + x + "\n+" + y + "\n")
		}
	}
	return b.String()
}

// noPHI fails if s holds a name or address of the demo data.
func noPHI(t *testing.T, s string) {
	t.Helper()
	for _, w := range []string{"Lovelace", "Dijkstra", "Walnut", "Peachtree", "Cedar", "Wirth", "Lampson", "Springfield", "Boston"} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(w)) {
			t.Errorf("output %q holds %q", s, w)
		}
	}
}

// TestFiles runs drift on the demo's files given by flags, as a plan runs
// it: the outputs are the demo's. Then again on the same store, with no
// feed; and with the feed as JSON Lines (testdata/feed.jsonl, the same
// events as feed.csv).
func TestFiles(t *testing.T) {
	db := filepath.Join(t.TempDir(), "store.db")
	for _, args := range [][]string{
		{"-feed", "testdata/feed.csv", "-db", db, "-export", "testdata/export.csv", "-asof", "2025-06-30T12:00:00Z"},
		{"-db", db, "-export", "testdata/export.csv", "-asof", "2025-06-30T12:00:00Z"},
		{"-feed", "testdata/feed.csv", "-export", "testdata/export.csv", "-asof", "2025-06-30T14:00:00+02:00"},
		{"-feed", "testdata/feed.jsonl", "-export", "testdata/export.csv", "-asof", "2025-06-30T12:00:00Z"},
	} {
		dir := t.TempDir()
		var stderr bytes.Buffer
		if code := run(context.Background(), append(args, "-out", dir), &stderr); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		for _, name := range outputNames {
			got, _ := os.ReadFile(filepath.Join(dir, name))
			want, _ := os.ReadFile(filepath.Join("testdata", "golden", name))
			if !bytes.Equal(got, want) {
				t.Errorf("%v: %s differs from the golden file:\n%s", args, name, lineDiff(string(want), string(got)))
			}
		}
	}
}

func TestExitCodes(t *testing.T) {
	tmp := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-asof", "yesterday"}, exitFlags, "-asof: want an RFC 3339 time"},
		{[]string{"-nope"}, exitFlags, "flag provided but not defined"},
		{[]string{"-out", tmp, "extra"}, exitFlags, "unexpected argument"},
		{[]string{"-feed", "testdata/feed.csv"}, exitFlags, "-export is required"},
		{[]string{"-export", "testdata/export.csv"}, exitFlags, "-feed or -db is required"},
		{[]string{"-db", filepath.Join(tmp, "none.db"), "-export", "testdata/export.csv"}, exitFlags, "-db:"},
		{[]string{"-feed", filepath.Join(tmp, "none.csv"), "-export", "testdata/export.csv", "-out", tmp}, exitError, "feed:"},
		{[]string{"-feed", "testdata/feed.csv", "-export", filepath.Join(tmp, "none.csv"), "-out", tmp}, exitError, "export:"},
		{[]string{"-feed", "testdata/feed.csv", "-export", "testdata/feed.csv", "-out", tmp}, exitError, "bad header"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), tt.args, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.msg) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tt.args, code, stderr.String(), tt.code, tt.msg)
		}
	}
	// A run that fails leaves no outputs.
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("failed runs left %v", entries)
	}
}

// TestProgram builds drift as a program and runs it as a plan would.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	bin := filepath.Join(t.TempDir(), "drift")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	exitCode := func(err error) int {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}

	// No flags: the demo, its outputs in a new temporary directory that
	// it names.
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir() // the program needs none of the source tree
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if code := exitCode(cmd.Run()); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "15 members, 5 in_sync, 3 stale_in_other, 2 unknown_in_other, 1 invalid_in_other, 2 missing_in_other, 1 missing_in_store, 1 held_in_store") {
		t.Errorf("demo: %s", msg)
	}
	if i := strings.LastIndex(msg, "Outputs in "); i < 0 {
		t.Errorf("demo names no output directory: %s", msg)
	} else {
		dir := strings.TrimSuffix(strings.TrimSpace(msg[i+len("Outputs in "):]), ".")
		t.Cleanup(func() { os.RemoveAll(dir) })
		for _, name := range outputNames {
			got, _ := os.ReadFile(filepath.Join(dir, name))
			want, _ := os.ReadFile(filepath.Join("testdata", "golden", name))
			if !bytes.Equal(got, want) {
				t.Errorf("demo: %s differs from the golden file:\n%s", name, lineDiff(string(want), string(got)))
			}
		}
	}

	// Files, as a plan runs it.
	feed, _ := filepath.Abs("testdata/feed.csv")
	export, _ := filepath.Abs("testdata/export.csv")
	out := filepath.Join(t.TempDir(), "out")
	cmd = exec.Command(bin, "-feed", feed, "-export", export, "-asof", "2025-06-30T12:00:00Z", "-out", out)
	stderr.Reset()
	cmd.Stderr = &stderr
	if code := exitCode(cmd.Run()); code != 0 {
		t.Fatalf("files: exit %d: %s", code, stderr.String())
	}
	for _, name := range outputNames {
		got, _ := os.ReadFile(filepath.Join(out, name))
		want, _ := os.ReadFile(filepath.Join("testdata", "golden", name))
		if !bytes.Equal(got, want) {
			t.Errorf("files: %s differs from the golden file:\n%s", name, lineDiff(string(want), string(got)))
		}
	}

	// Bad flags, and an error.
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"-asof", "2025-06-30"}, 2},
		{[]string{"-export", export}, 2},
		{[]string{"-feed", feed, "-export", filepath.Join(t.TempDir(), "missing.csv")}, 1},
	} {
		cmd := exec.Command(bin, tt.args...)
		stderr.Reset()
		cmd.Stderr = &stderr
		if code := exitCode(cmd.Run()); code != tt.code {
			t.Errorf("%v: exit %d, want %d: %s", tt.args, code, tt.code, stderr.String())
		}
	}
}

// TestUnattributedHolds: a feed row whose member id cannot be read holds
// every member; drift counts it and says so, since any member it finds in
// sync may not be.
func TestUnattributedHolds(t *testing.T) {
	dir := t.TempDir()
	demo, err := os.ReadFile(filepath.Join("testdata", "feed.csv"))
	if err != nil {
		t.Fatal(err)
	}
	feed := filepath.Join(dir, "feed.csv")
	row := "E99,M 1,2025-06-01,2025-06-02,Secretname Person,77 Elm St,,Denver,CO,80202"
	if err := os.WriteFile(feed, append(demo, row+",\n"...), 0o600); err != nil { // the demo's feed has a kind column
		t.Fatal(err)
	}
	export, _ := filepath.Abs("testdata/export.csv")
	out := filepath.Join(dir, "out")
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-feed", feed, "-export", export, "-asof", "2025-06-30T12:00:00Z", "-out", out}, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	const says = "drift: the store holds a change event it could not apply and cannot tie to a member"
	if !strings.Contains(stderr.String(), says) {
		t.Errorf("stderr lacks %q:\n%s", says, stderr.String())
	}
	noPHI(t, stderr.String())
	var sum map[string]any
	if b, err := os.ReadFile(filepath.Join(out, "summary.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum["unattributed_holds_in_store"] != 1.0 {
		t.Errorf("summary.json: unattributed_holds_in_store = %v, want 1", sum["unattributed_holds_in_store"])
	}
}
