package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/replay.txt from the replay's output")

// TestReplay runs the replay on its default plan and compares what it
// prints with testdata/golden/replay.txt. After a change meant to change
// it, run
//
//	go test ./example/replay -run TestReplay -update
//
// and read the diff before committing it.
func TestReplay(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got := stdout.String()
	// What the replay is for, said plainly, before the golden text.
	for _, want := range []string{
		"Store.Apply holds the feed whole and applies nothing: it would revert 3000 of 20000 members (15.0%)",
		"The gate finds 17000 letters current and 3000 stale",
		"The batch is HALTED",
		"Released 0, quarantined 17000, blocked 3000. The ledger holds 20000 verdicts: 0 released, 17000 quarantined, 3000 blocked.",
		"17000 members in sync,\n  3000 stale in the mail system",
		"20000 letters current, 0 stale; released 20000, quarantined 0, blocked 0; halted: false.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the replay does not say %q:\n%s", want, got)
		}
	}
	path := filepath.Join("testdata", "golden", "replay.txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output (-golden +got):\n%s", diff)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// TestReplayFlags: a plan size that is not a number, too small, or
// followed by an argument is a bad flag, exit 2; another size replays.
func TestReplayFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"-members", "many"}, 2},
		{[]string{"-members", "10"}, 2},
		{[]string{"-members", "2000", "extra"}, 2},
		{[]string{"-nope"}, 2},
		{[]string{"-members", "2000"}, 0},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("replay %q: exit %d, want %d; stderr: %s", tc.args, code, tc.code, stderr.String())
		}
		if tc.code == 0 && !strings.Contains(stdout.String(), "HALTED") {
			t.Errorf("replay %q did not halt the batch:\n%s", tc.args, stdout.String())
		}
	}
}
