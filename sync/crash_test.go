package sync_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// The crash test's child process: it applies the feed in PGSYNC_CRASH_FEED
// to the store in PGSYNC_CRASH_DB until its parent kills it.
func TestCrashChild(t *testing.T) {
	db, feed := os.Getenv("PGSYNC_CRASH_DB"), os.Getenv("PGSYNC_CRASH_FEED")
	if db == "" {
		t.Skip("run by TestCrashAndRerun")
	}
	applyFile(t, db, feed, pgsync.ApplyOptions{ChunkSize: crashChunk, Override: true})
}

const crashChunk = 2_000

func applyFile(tb testing.TB, db, feed string, opt pgsync.ApplyOptions) *pgsync.ApplyReport {
	tb.Helper()
	s := mustOpenPath(tb, db)
	f, err := os.Open(feed)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rep, err := s.Apply(context.Background(), pgsync.NewCSVReader(f).All(), opt)
	if err != nil {
		tb.Fatalf("Apply: %v", err)
	}
	return rep
}

// TestCrashAndRerun kills a process in the middle of applying a large feed
// (SIGKILL: no deferred call, no rollback), reopens the store, applies the
// same feed again, and compares the store with that of an uninterrupted
// run. The feed reverts many members of a loaded store, so it is
// suspicious: the interrupted run overrode that, and its re-run, the same
// feed resumed, is not held.
func TestCrashAndRerun(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 40_000
	}
	dir := t.TempDir()
	base := world(20_000, 11)
	var feedEvs []pgsync.Event
	for _, ev := range world(n*2/5, 12) { // about n events: 2.5 per member
		ev.ID = "F" + ev.ID
		feedEvs = append(feedEvs, ev)
	}
	// Revert 5,000 of the base members to their first address.
	for i, r := 0, 0; i < len(base) && r < 5000; i++ {
		if ev := base[i]; ev.ID[len(ev.ID)-2:] == "-0" && ev.Kind != address.Undeliverable {
			r++
			ev.ID, ev.Effective, ev.Recorded = "R"+ev.ID, day("2030-01-01"), day("2030-01-02")
			feedEvs = append(feedEvs, ev)
		}
	}
	// And 50 moves with a ZIP code of three digits: bad rows, which hold
	// their members once the apply ends.
	const bad = 50
	for i := range bad {
		ev := base[i*100]
		ev.ID, ev.Kind, ev.Effective, ev.Recorded, ev.ZIP = fmt.Sprintf("B%d", i), address.Moved, day("2031-01-01"), day("2031-01-02"), "123"
		feedEvs = append(feedEvs, ev)
	}
	feedEvs = shuffled(feedEvs, 5)
	feed := filepath.Join(dir, "feed.csv")
	writeFile(t, feed, feedEvs)

	// The uninterrupted run.
	ref := filepath.Join(dir, "ref.db")
	mustApply(t, mustOpenPath(t, ref), base, pgsync.ApplyOptions{})
	rep := applyFile(t, ref, feed, pgsync.ApplyOptions{ChunkSize: crashChunk, Override: true})
	// Held: the bad rows', and those of the versions that tie (the same
	// member, effective and recorded times) with another of another
	// address: the world has some.
	if rep.Suspicion == nil || !rep.Suspicion.Suspicious || rep.Applied != len(feedEvs)-bad || rep.Bad != bad || rep.Held < bad {
		t.Fatalf("reference run: %+v", rep)
	}
	refHeld := rep.Held

	// The interrupted run.
	crashed := filepath.Join(dir, "crashed.db")
	mustApply(t, mustOpenPath(t, crashed), base, pgsync.ApplyOptions{})
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGSYNC_CRASH_DB="+crashed, "PGSYNC_CRASH_FEED="+feed)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once the first chunk of the feed has committed.
	watch, err := sql.Open("sqlite3", "file:"+crashed+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	deadline := time.Now().Add(2 * time.Minute)
	var applied int
	for {
		if err := watch.QueryRow("SELECT count(*) FROM events WHERE event_id >= 'F' AND event_id < 'G'").Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	watch.Close()
	if applied == 0 {
		t.Fatalf("the child applied nothing in 2 minutes:\n%s", out.String())
	}
	var total int
	if err := watchCount(crashed, &total); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed the child after %d of %d feed events", total-len(base), len(feedEvs))
	if total-len(base) >= len(feedEvs)-bad {
		t.Fatalf("the child finished before it was killed")
	}

	// The store is consistent as the kill left it.
	for _, q := range []string{"PRAGMA integrity_check", "PRAGMA foreign_key_check"} {
		if got := rawQuery(t, crashed, q); q == "PRAGMA integrity_check" && !slices.Equal(got, []string{"ok"}) || q != "PRAGMA integrity_check" && len(got) > 0 {
			t.Fatalf("%s: %v", q, got)
		}
	}

	// The re-run, without Override: the same feed, resumed.
	rep = applyFile(t, crashed, feed, pgsync.ApplyOptions{ChunkSize: 50_000})
	checkAccount(t, rep)
	// The interrupted run placed the bad rows' holds before its first
	// chunk committed: the re-run finds them standing, and counts only the
	// holds it places itself (of ties in the chunks the kill undid).
	if rep.Applied+rep.Skipped != len(feedEvs)-bad || rep.Skipped == 0 || rep.Suspicion != nil || rep.Held > refHeld-bad {
		t.Errorf("re-run: %+v", rep)
	}
	if d := cmp.Diff(dump(t, ref), dump(t, crashed)); d != "" {
		t.Errorf("store after crash and re-run differs from uninterrupted run (-want +got):\n%s", d)
	}
	diffHistories(t, histories(t, mustOpenPath(t, ref)), histories(t, mustOpenPath(t, crashed)))
}

func watchCount(path string, n *int) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_query_only=1")
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRow("SELECT count(*) FROM events").Scan(n)
}

func writeFile(tb testing.TB, path string, evs []pgsync.Event) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := writeCSV(f, evs); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// TestReadsDuringApply reads histories on several goroutines while a feed
// is applied in small chunks: every read sees whole chunks, never a
// half-applied one; and Prewarm reads the file as it changes. Run it with
// -race.
func TestReadsDuringApply(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	evs := world(4_000, 21) // about 10,000 events
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.MemberID)
	}
	ids = slices.Compact(ids)
	s.Now = func() time.Time { return day("2024-01-01") }

	var done atomic.Bool
	errs := make(chan error, 4)
	for r := range 3 {
		go func() {
			var last int
			var err error
			defer func() { errs <- err }()
			for !done.Load() {
				versions := 0
				for h, herr := range s.Histories(ctx, ids[r*100:]) {
					if herr != nil {
						err = herr
						return
					}
					for _, v := range h.Versions {
						if v.Key != v.Address.Key() {
							err = fmt.Errorf("%s: key mismatch", h.MemberID)
							return
						}
					}
					versions += len(h.Versions)
				}
				if versions < last {
					err = fmt.Errorf("saw %d versions after %d", versions, last)
					return
				}
				last = versions
				if _, err = s.Newest(ctx); err != nil {
					return
				}
			}
		}()
	}
	// And one reading the store ahead, as the batch job does: the file
	// changing under it is no error.
	go func() {
		var err error
		defer func() { errs <- err }()
		for !done.Load() {
			if _, err = s.Prewarm(ctx, len(ids)); err != nil {
				return
			}
		}
	}()
	rep, err := s.Apply(ctx, seq(evs), pgsync.ApplyOptions{ChunkSize: 500})
	done.Store(true)
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if err != nil || rep.Applied != len(evs) {
		t.Fatalf("Apply: %+v, %v", rep, err)
	}
	if got, err := s.LastApply(ctx); err != nil || !got.Equal(day("2024-01-01")) {
		t.Errorf("LastApply = %v, %v", got, err)
	}
}

// Two writers on one file, as two processes would be: one applies a large
// feed in small chunks while the other applies, feed after feed, events of
// which half are the first one's too. Each of the first writer's chunks
// then finds that the store changed since it staged the feed. The store
// must end as one apply of all the events would leave it, every event
// applied once, and the member count right.
func TestTwoWriters(t *testing.T) {
	ctx := context.Background()
	all := world(3_000, 33) // about 7,500 events
	path := filepath.Join(t.TempDir(), "store.db")
	a, b := mustOpenPath(t, path), mustOpenPath(t, path)

	big := all[:len(all)*3/4]
	rest := all[len(all)/2:]
	errs := make(chan error, 1)
	var fromB pgsync.ApplyReport
	go func() {
		var err error
		defer func() { errs <- err }()
		const feeds = 30
		for i := range feeds {
			part := rest[i*len(rest)/feeds : (i+1)*len(rest)/feeds]
			var rep *pgsync.ApplyReport
			if rep, err = b.Apply(ctx, seq(part), pgsync.ApplyOptions{Override: true}); err != nil {
				return
			}
			fromB.Applied += rep.Applied
			fromB.Skipped += rep.Skipped
			fromB.Conflicts += rep.Conflicts
		}
	}()
	fromA, err := a.Apply(ctx, seq(big), pgsync.ApplyOptions{ChunkSize: 200, Override: true})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := <-errs; err != nil {
		t.Fatalf("Apply of the second writer: %v", err)
	}
	checkAccount(t, fromA)
	if fromA.Conflicts != 0 || fromB.Conflicts != 0 {
		t.Errorf("conflicts: %d and %d, want none", fromA.Conflicts, fromB.Conflicts)
	}
	if got, want := fromA.Applied+fromB.Applied, len(all); got != want {
		t.Errorf("%d + %d events applied, want %d in all", fromA.Applied, fromB.Applied, want)
	}
	if got, want := fromA.Skipped+fromB.Skipped, len(big)+len(rest)-len(all); got != want {
		t.Errorf("%d + %d events skipped, want %d in all", fromA.Skipped, fromB.Skipped, want)
	}

	refPath := filepath.Join(t.TempDir(), "reference.db")
	mustApply(t, mustOpenPath(t, refPath), all, pgsync.ApplyOptions{})
	if d := cmp.Diff(dump(t, refPath), dump(t, path)); d != "" {
		t.Errorf("store after two writers differs from one apply of all events (-want +got):\n%s", d)
	}
}
