package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pgsync "github.com/printgate/printgate/sync"
)

// newStore returns the path of a closed store made by applying each of
// loads in turn.
func newStore(t *testing.T, loads ...[]pgsync.Event) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	st, err := pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, evs := range loads {
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
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCompact: a store compacted by the command holds what it held.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	path := newStore(t, []pgsync.Event{
		{ID: "E1", MemberID: "M1", Effective: day, Recorded: day, Name: "Ana Lee", Line1: "12 Main St", City: "Springfield", State: "IL", ZIP: "62704"},
		{ID: "E2", MemberID: "M1", Effective: day.AddDate(1, 0, 0), Recorded: day.AddDate(1, 0, 0), Line1: "9 Oak Ave Apt 4B", City: "Chicago", State: "IL", ZIP: "60611"},
	})

	var stderr bytes.Buffer
	if code := run(ctx, []string{"-db", path}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "MB before") || !strings.Contains(stderr.String(), "histories in 1 leaves") {
		t.Errorf("stderr does not report the sizes and the layout: %s", stderr.String())
	}
	st, err := pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.History(ctx, "M1")
	if err != nil || len(h.Versions) != 2 || h.Versions[1].Name != "Ana Lee" {
		t.Errorf("M1 after compact: %+v, %v", h, err)
	}
}

// TestCompactLayoutUnreadable: a store none of whose histories are in its
// file yet, all of them held in the write-ahead log by a read that began
// before they were written (another process's, say), has a layout that
// cannot be read: -check fails, and a plain compaction goes ahead without
// it.
func TestCompactLayoutUnreadable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		t.Fatal(err) // the read has begun, on a file with no table
	}

	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var evs []pgsync.Event
	for i := range 2000 {
		evs = append(evs, pgsync.Event{ID: fmt.Sprintf("E%d", i), MemberID: fmt.Sprintf("M%04d", i), Effective: day, Recorded: day,
			Name: "Ana Lee", Line1: fmt.Sprintf("%d Main St", 1+i), City: "Springfield", State: "IL", ZIP: "62704"})
	}
	st, err := pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ctx, func(yield func(pgsync.Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}, pgsync.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	var stderr bytes.Buffer
	if code := run(ctx, []string{"-db", path, "-check"}, &stderr); code != 1 || !strings.Contains(stderr.String(), "layout") {
		t.Errorf("-check with the layout unreadable: exit %d, %s; want 1 and the layout's error", code, stderr.String())
	}
	stderr.Reset()
	if code := run(ctx, []string{"-db", path}, &stderr); code != 0 {
		t.Fatalf("compact with the layout unreadable: exit %d: %s", code, stderr.String())
	}
	if out := stderr.String(); !strings.Contains(out, "could not be read") || !strings.Contains(out, "MB before") {
		t.Errorf("stderr: %s; want the layout's failure said, and the compaction done", out)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	st, err = pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := 0
	for _, err := range st.Members(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != len(evs) {
		t.Errorf("%d members after compacting, want %d", got, len(evs))
	}
	if l, err := st.Layout(ctx); err != nil || l.Leaves == 0 {
		t.Errorf("Layout once the read has ended: %v, %v; want the histories' leaves", l, err)
	}
}

// TestCompactIfNeeded: -check and -if-needed leave a store that compacting
// would not help as it is; -if-needed compacts one it would, after which
// -check finds nothing to gain.
func TestCompactIfNeeded(t *testing.T) {
	ctx := context.Background()
	// 12,000 members in four loads, each of members spread through the
	// key space, then a feed that moves one in twenty: the histories'
	// pages end up among the event log's, and split.
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	loads := make([][]pgsync.Event, 5)
	for load := range loads {
		from, step, eff := load, 4, day
		if load == 4 {
			from, step, eff = 0, 20, day.AddDate(1, 0, 0)
		}
		for i := from; i < 12_000; i += step {
			loads[load] = append(loads[load], pgsync.Event{ID: fmt.Sprintf("E%d-%d", i, load/4), MemberID: fmt.Sprintf("M%05d", i), Effective: eff, Recorded: eff,
				Name: "Ana Lee", Line1: fmt.Sprintf("%d Main St", 1+i+load/4), City: "Springfield", State: "IL", ZIP: "62704"})
		}
	}
	path := newStore(t, loads...)
	cmd := func(args ...string) string {
		t.Helper()
		var stderr bytes.Buffer
		if code := run(ctx, append([]string{"-db", path}, args...), &stderr); code != 0 {
			t.Fatalf("compact %q: exit %d: %s", args, code, stderr.String())
		}
		return stderr.String()
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if out := cmd("-check"); !strings.Contains(out, "compacting would help") || strings.Contains(out, "MB before") {
		t.Fatalf("-check on a store loaded in parts: %s; want it to say compacting would help, and not compact", out)
	}
	if after, err := os.Stat(path); err != nil || after.Size() != fi.Size() {
		t.Errorf("-check changed the file: %d bytes before, %v after", fi.Size(), after)
	}
	if out := cmd("-if-needed"); !strings.Contains(out, "MB before") {
		t.Errorf("-if-needed on a store loaded in parts: %s; want it compacted", out)
	}
	if out := cmd("-check"); !strings.Contains(out, "compacting would not help") {
		t.Errorf("-check after -if-needed: %s; want nothing to gain", out)
	}
	if out := cmd("-if-needed"); strings.Contains(out, "MB before") {
		t.Errorf("-if-needed on a compacted store: %s; want it left as it is", out)
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
		{[]string{"-db", missing, "-check", "-if-needed"}, 2},
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
