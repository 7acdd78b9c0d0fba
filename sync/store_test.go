package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	pgsync "github.com/printgate/printgate/sync"
)

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	mustApply(t, s, []pgsync.Event{move("e1", "M1", "2024-01-01", 1)}, pgsync.ApplyOptions{})
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
		}
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return day("2024-03-01") }
	evs := []pgsync.Event{move("e1", "M1", "2024-01-01", 1), move("e2", "M1", "2024-02-01", 2), move("e3", "M2", "2024-01-15", 3)}
	mustApply(t, s, evs, pgsync.ApplyOptions{})
	want := histories(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	s = mustOpenPath(t, path)
	diffHistories(t, want, histories(t, s))
	if got, err := s.LastApply(ctx); err != nil || !got.Equal(day("2024-03-01")) {
		t.Errorf("LastApply = %v, %v; want 2024-03-01", got, err)
	}
	if got, err := s.Newest(ctx); err != nil || !got.Equal(evs[1].Recorded) {
		t.Errorf("Newest = %v, %v; want %v", got, err, evs[1].Recorded)
	}
	// Applying again after a reopen changes nothing.
	rep := mustApply(t, s, evs, pgsync.ApplyOptions{})
	if rep.Applied != 0 || rep.Skipped != 3 {
		t.Errorf("re-apply: applied %d, skipped %d; want 0, 3", rep.Applied, rep.Skipped)
	}
}

func TestEmptyStore(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	for name, f := range map[string]func(context.Context) (time.Time, error){"Newest": s.Newest, "LastApply": s.LastApply} {
		if got, err := f(ctx); err != nil || !got.IsZero() {
			t.Errorf("%s = %v, %v; want zero time", name, got, err)
		}
	}
	if _, err := s.History(ctx, "M1"); !errors.Is(err, pgsync.ErrUnknownMember) {
		t.Errorf("History of unknown member: %v, want ErrUnknownMember", err)
	}
	for h, err := range s.Histories(ctx, []string{"A", "B"}) {
		t.Errorf("Histories yielded %v, %v from an empty store", h, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{"newer schema", func(t *testing.T, path string) {
			s := mustOpenPath(t, path)
			s.Close()
			rawExec(t, path, "PRAGMA user_version = 99")
		}, pgsync.ErrNewerSchema},
		{"another database", func(t *testing.T, path string) {
			rawExec(t, path, "CREATE TABLE accounts (id INTEGER)")
		}, pgsync.ErrNotStore},
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("event_id,member_id\n"+string(make([]byte, 4096))), 0o600); err != nil {
				t.Fatal(err)
			}
		}, pgsync.ErrNotStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			tt.setup(t, path)
			s, err := pgsync.Open(ctx, path)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestMigrationIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	s.Close()
	before := rawQuery(t, path, "SELECT sql FROM sqlite_schema ORDER BY name")
	s = mustOpenPath(t, path)
	s.Close()
	if d := cmp.Diff(before, rawQuery(t, path, "SELECT sql FROM sqlite_schema ORDER BY name")); d != "" {
		t.Errorf("schema changed on reopen (-want +got):\n%s", d)
	}
}

func rawExec(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func rawQuery(t *testing.T, path, q string) []string {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	return out
}
