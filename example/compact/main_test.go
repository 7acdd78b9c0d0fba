package main

import (
	"bytes"
	"context"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pgsync "github.com/printgate/printgate/sync"
)

// TestCompact: a store compacted by the command holds what it held.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	st, err := pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	evs := []pgsync.Event{
		{ID: "E1", MemberID: "M1", Effective: day, Recorded: day, Name: "Ana Lee", Line1: "12 Main St", City: "Springfield", State: "IL", ZIP: "62704"},
		{ID: "E2", MemberID: "M1", Effective: day.AddDate(1, 0, 0), Recorded: day.AddDate(1, 0, 0), Line1: "9 Oak Ave Apt 4B", City: "Chicago", State: "IL", ZIP: "60611"},
	}
	var feed iter.Seq2[pgsync.Event, error] = func(yield func(pgsync.Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}
	if _, err := st.Apply(ctx, feed, pgsync.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	var stderr bytes.Buffer
	if code := run(ctx, []string{"-db", path}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "MB before") {
		t.Errorf("stderr does not report the sizes: %s", stderr.String())
	}
	st, err = pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.History(ctx, "M1")
	if err != nil || len(h.Versions) != 2 || h.Versions[1].Name != "Ana Lee" {
		t.Errorf("M1 after compact: %+v, %v", h, err)
	}
}

// TestCompactFlags: no -db, or an argument after it, is a bad flag (exit
// 2); a store that does not exist is an error (exit 1), and no file is
// made for it.
func TestCompactFlags(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.db")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"-db"}, 2},
		{[]string{"-db", missing, "extra"}, 2},
		{[]string{"-nope"}, 2},
		{[]string{"-db", missing}, 1},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stderr); code != tc.code {
			t.Errorf("compact %q: exit %d, want %d; stderr: %s", tc.args, code, tc.code, stderr.String())
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("compact of a missing store made %s: %v", missing, err)
	}
}
