package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// binary is example/preprint built as a program, once for the package's
// tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "preprint-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "preprint")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building preprint: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs the built program and returns its exit status and stderr.
func runBinary(tb testing.TB, args ...string) (int, string, string) {
	tb.Helper()
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	tb.Fatalf("running preprint: %v", err)
	return 0, "", ""
}

var outputFiles = []string{"release.csv", "quarantine.csv", "blocked.csv", "verdicts.csv"}

// readReport reads report.json, without its timings.
func readReport(tb testing.TB, dir string) map[string]any {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatalf("report.json: %v", err)
	}
	if _, ok := r["timings"].(map[string]any); !ok {
		tb.Errorf("report.json has no timings: %s", b)
	}
	delete(r, "timings")
	return r
}

// TestDemoData runs the program on the bundled demo data and compares every
// output with its golden file.
// runGolden runs the program on the demo batch as of the demo's day, fed
// feed, into the store db; wants exit status 0 and the golden outputs; and
// returns the output directory and stderr.
func runGolden(t *testing.T, feed, db string) (string, string) {
	t.Helper()
	out := t.TempDir()
	code, _, stderr := runBinary(t, "-feed", feed, "-db", db, "-batch", "testdata/batch.csv",
		"-asof", "2020-06-01T12:00:00Z", "-out", out)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, name := range outputFiles {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name, got)
	}
	return out, stderr
}

func TestDemoData(t *testing.T) {
	db := filepath.Join(t.TempDir(), "store.db")
	out, stderr := runGolden(t, "testdata/feed.csv", db)
	got, err := os.ReadFile(filepath.Join(out, "feed_errors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "feed_errors.csv", got)
	rep := readReport(t, out)
	b, _ := json.MarshalIndent(rep, "", "  ")
	golden(t, "report.json", append(b, '\n'))

	// The ledger holds the same counts.
	st, err := pgsync.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	batch, err := st.Batch(context.Background(), rep["batch_id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(batch.Pieces, batch.Released, batch.Quarantined, batch.Blocked); got != fmt.Sprint(rep["pieces"], rep["released"], rep["quarantined"], rep["blocked"]) {
		t.Errorf("ledger counts %s; report %v", got, rep)
	}
	// No PHI on stderr: no name and no street of the batch.
	for _, w := range []string{"LOVELACE", "Lovelace", "Beacon", "Lake Shore", "Mercury"} {
		if strings.Contains(stderr, w) {
			t.Errorf("stderr holds %q:\n%s", w, stderr)
		}
	}
	for _, w := range []string{"17 pieces", "6 released", "6 quarantined", "5 blocked", "2 stale", "1 unapplied_change", "held for events that could not be applied: 1 new"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("summary lacks %q:\n%s", w, stderr)
		}
	}
}

// TestFeedJSONLines: the demo's feed as JSON Lines (a file ending in
// .jsonl or .NDJSON) gives the run the CSV feed gives, but for the lines
// feed_errors.csv names: JSON Lines have no header.
func TestFeedJSONLines(t *testing.T) {
	f, err := os.Open("testdata/feed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var jsonl bytes.Buffer
	for _, rec := range recs[1:] {
		obj := map[string]string{}
		for i, name := range recs[0] {
			obj[name] = rec[i]
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		jsonl.Write(append(b, '\n'))
	}
	for _, name := range []string{"feed.jsonl", "feed.NDJSON"} {
		t.Run(name, func(t *testing.T) {
			feed := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(feed, jsonl.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			out, _ := runGolden(t, feed, filepath.Join(t.TempDir(), "store.db"))
			got, err := os.ReadFile(filepath.Join(out, "feed_errors.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if want := "line,event_id,member_id,field,reason\n16,E0016,M012,zip,"; !strings.HasPrefix(string(got), want) {
				t.Errorf("feed_errors.csv:\n%s\nwant it to start %q", got, want)
			}
		})
	}
}

// TestDemo runs the program with no flags, as a newcomer would.
func TestDemo(t *testing.T) {
	code, stdout, stderr := runBinary(t)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, w := range []string{"P0004     M004       true   stale             block", "2 stale"} {
		if !strings.Contains(stdout+stderr, w) {
			t.Errorf("demo output lacks %q:\n%s\n%s", w, stdout, stderr)
		}
	}
	dir := stderr[strings.LastIndex(stderr, "Outputs in ")+len("Outputs in "):]
	dir = strings.TrimSuffix(strings.TrimSpace(dir), ".")
	if _, err := os.Stat(filepath.Join(dir, "release.csv")); err != nil {
		t.Errorf("demo outputs: %v", err)
	}
	os.RemoveAll(dir)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./example/preprint -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// world writes a feed of n members, each at one address since 2018 and, for
// the members i%moveEvery == 0, at a second since 2020-01-01; and a batch of
// pieces per member printed to the first address (stale for those who
// moved).
func world(tb testing.TB, dir string, members, piecesPer, moveEvery int) (feed, batch string) {
	tb.Helper()
	feed, batch = filepath.Join(dir, "feed.csv"), filepath.Join(dir, "batch.csv")
	var fb, bb bytes.Buffer
	fw, bw := csv.NewWriter(&fb), csv.NewWriter(&bb)
	fw.Write([]string{"event_id", "member_id", "effective", "recorded", "name", "line1", "line2", "city", "state", "zip", "kind"})
	bw.Write([]string{"member_id", "piece_id", "name", "line1", "line2", "city", "state", "zip", "phi", "contents"}) // any column order
	for i := range members {
		m, name := fmt.Sprintf("M%06d", i), fmt.Sprintf("Member%d Test", i)
		l1 := fmt.Sprintf("%d Main St", 100+i)
		fw.Write([]string{fmt.Sprintf("E%d", i), m, "2018-01-01", "2018-01-02", name, l1, "", "Springfield", "IL", "62704", ""})
		if i%moveEvery == 0 {
			fw.Write([]string{fmt.Sprintf("E%d-2", i), m, "2020-01-01", "2020-01-02", "", fmt.Sprintf("%d Oak Ave", 100+i), "Apt 2", "Springfield", "IL", "62704", "address"})
		}
		for j := range piecesPer {
			bw.Write([]string{m, fmt.Sprintf("P%d-%d", i, j), strings.ToUpper(name), fmt.Sprintf("%d Main Street", 100+i), "", "SPRINGFIELD", "IL", "62704", "true", ""})
		}
	}
	fw.Flush()
	bw.Flush()
	if err := os.WriteFile(feed, fb.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(batch, bb.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return feed, batch
}

// TestHalt: a batch whose stale share trips the halt exits 3, releases
// nothing, and holds what it would have released.
func TestHalt(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 200, 1, 10) // 20 of 200 stale: 10%
	out := filepath.Join(dir, "out")
	code, _, stderr := runBinary(t, "-feed", feed, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out)
	if code != exitHalted {
		t.Fatalf("exit %d; want %d (halted); stderr:\n%s", code, exitHalted, stderr)
	}
	rel, err := os.ReadFile(filepath.Join(out, "release.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if string(rel) != "member_id,piece_id,name,line1,line2,city,state,zip,phi,contents\n" {
		t.Errorf("release.csv of a halted batch:\n%s", rel)
	}
	rep := readReport(t, out)
	if rep["halted"] != true || rep["halt_reason"] == "" || rep["released"].(float64) != 0 {
		t.Errorf("report: %v", rep)
	}
	q := readCSV(t, filepath.Join(out, "quarantine.csv"))
	if len(q) != 1+180 {
		t.Errorf("quarantine.csv holds %d pieces; want the 180 current ones", len(q)-1)
	}
	blocked := readCSV(t, filepath.Join(out, "blocked.csv"))
	if len(blocked) != 1+20 {
		t.Errorf("blocked.csv holds %d pieces; want the 20 stale ones", len(blocked)-1)
	}
	for _, r := range readCSV(t, filepath.Join(out, "verdicts.csv"))[1:] {
		if r[4] == "release" {
			t.Errorf("verdict of piece %s: release in a halted batch", r[0])
		}
	}
	if !strings.Contains(stderr, "HALTED") {
		t.Errorf("stderr does not say the batch halted:\n%s", stderr)
	}

	// -halt-rate 1 never halts.
	code, _, stderr = runBinary(t, "-feed", feed, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out, "-halt-rate", "1")
	if code != exitOK {
		t.Fatalf("-halt-rate 1: exit %d; stderr:\n%s", code, stderr)
	}
	if n := len(readCSV(t, filepath.Join(out, "release.csv"))); n != 1+180 {
		t.Errorf("-halt-rate 1: %d released; want 180", n-1)
	}
}

// TestLineTooLong: a batch line longer than the reader takes is one
// invalid piece, keyed by its line and held; the pieces after it are read
// and judged as any others.
func TestLineTooLong(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 20, 1, 1000) // member 0 moved: its piece is stale
	b, err := os.ReadFile(batch)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.SplitAfter(string(b), "\n")
	long := "M000001,P-long,SECRET NAME," + strings.Repeat("9", address.MaxBatchLine) + " MAIN ST,,SPRINGFIELD,IL,62704,false,\n"
	rows = slices.Insert(rows, 3, long) // line 4
	if err := os.WriteFile(batch, []byte(strings.Join(rows, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runBinary(t, "-feed", feed, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out)
	if code != exitOK {
		t.Fatalf("exit %d; want %d; stderr:\n%s", code, exitOK, stderr)
	}
	// (Twenty 9s: a temporary directory's name may hold a few.)
	if strings.Contains(stdout+stderr, "SECRET") || strings.Contains(stdout+stderr, strings.Repeat("9", 20)) {
		t.Errorf("the long line's text is on stdout or stderr:\n%s%s", stdout, stderr)
	}
	var held []string
	for _, r := range readCSV(t, filepath.Join(out, "verdicts.csv"))[1:] {
		if r[3] != "current" {
			held = append(held, strings.Join(r, ","))
		}
	}
	want := []string{"P0-0,M000000,true,stale,block,stale since 2020-01-01", "line 4,,true,invalid,quarantine,line 4: line too long"}
	if d := cmp.Diff(want, held); d != "" {
		t.Errorf("verdicts not current (-want +got):\n%s", d)
	}
	if n := len(readCSV(t, filepath.Join(out, "release.csv"))); n != 1+19 {
		t.Errorf("release.csv holds %d pieces; want the 19 current ones", n-1)
	}
	q := readCSV(t, filepath.Join(out, "quarantine.csv"))
	if len(q) != 2 || q[1][10] != "invalid" {
		t.Errorf("quarantine.csv: %q; want the long line's piece, invalid", q)
	}
}

// TestBadMoveInFeed: a move in the feed that cannot be applied holds its
// member. Until the move comes again corrected, a PHI piece to the address
// the store still has in force is quarantined as unapplied_change, in this
// run and the runs after it; once it is applied, the piece is stale.
func TestBadMoveInFeed(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 200, 1, 1000) // member 0 moved: its piece is stale
	db, out := filepath.Join(dir, "store.db"), filepath.Join(dir, "out")
	run := func(feed string) (map[string]string, string) {
		t.Helper()
		args := []string{"-db", db, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out}
		if feed != "" {
			args = append(args, "-feed", feed)
		}
		code, _, stderr := runBinary(t, args...)
		if code != exitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		verdicts := map[string]string{}
		for _, r := range readCSV(t, filepath.Join(out, "verdicts.csv"))[1:] {
			if r[3] != "current" {
				verdicts[r[0]] = r[3] + " " + r[4] + ": " + r[5]
			}
		}
		return verdicts, stderr
	}
	move := func(zip string) string {
		path := filepath.Join(dir, "move-"+zip+".csv")
		body := "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n" +
			"E5-2,M000005,2020-05-01,2020-05-02,,12 Lake Shore Dr,,Springfield,IL," + zip + "\n"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if got, _ := run(feed); len(got) != 1 || got["P0-0"] == "" {
		t.Fatalf("before the move: %v", got)
	}

	got, stderr := run(move("627")) // a ZIP code of three digits
	want := map[string]string{
		"P0-0": "stale block: stale since 2020-01-01",
		"P5-0": "unapplied_change quarantine: a change event for the member could not be applied: event E5-2, field zip",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("with the move held (-want +got):\n%s", d)
	}
	feedErrs := filepath.Join(out, "feed_errors.csv")
	wantErrs := [][]string{{"line", "event_id", "member_id", "field", "reason"},
		{"2", "E5-2", "M000005", "zip", "address: zip: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits"}}
	if d := cmp.Diff(wantErrs, readCSV(t, feedErrs)); d != "" {
		t.Errorf("feed_errors.csv (-want +got):\n%s", d)
	}
	for _, w := range []string{"rows not applied: 1, listed in " + feedErrs + "; the first", "line 2: event E5-2", "events that could not be applied: 1 new", "1 unapplied_change"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	for _, w := range []string{"Lake Shore", "LAKE SHORE"} {
		if strings.Contains(stderr, w) {
			t.Errorf("stderr holds %q:\n%s", w, stderr)
		}
	}
	if got, _ := run(""); cmp.Diff(want, got) != "" {
		t.Errorf("the next run, with no feed: %v", got)
	}
	// The list is of the run's own feed: a run with none leaves none.
	if _, err := os.Stat(feedErrs); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("feed_errors.csv after a run with no feed: %v", err)
	}

	got, _ = run(move("62704"))
	want = map[string]string{"P0-0": "stale block: stale since 2020-01-01", "P5-0": "stale block: stale since 2020-05-01"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("with the move applied (-want +got):\n%s", d)
	}
}

// TestFeedRowOfNoMember: a feed row whose member id cannot be read may be
// any member's move. Every batch halts, in this run and the runs after it,
// every piece keeping its own status, until a reviewer clears the hold.
func TestFeedRowOfNoMember(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 20, 1, 1000) // member 0 moved: its piece is stale
	body, err := os.ReadFile(feed)
	if err != nil {
		t.Fatal(err)
	}
	body = append(body, "E99,M 7,2020-05-01,2020-05-02,,12 Lake Shore Dr,,Springfield,IL,62704,\n"...)
	if err := os.WriteFile(feed, body, 0o600); err != nil {
		t.Fatal(err)
	}
	db, out := filepath.Join(dir, "store.db"), filepath.Join(dir, "out")
	const reason = "source of truth holds a change event it could not apply and cannot tie to a member (event E99, field member_id): any member's address may be missing a move"
	run := func(want int, args ...string) (string, map[string]string) {
		t.Helper()
		code, _, stderr := runBinary(t, append([]string{"-db", db, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out}, args...)...)
		if code != want {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, want, stderr)
		}
		statuses := map[string]string{}
		for _, r := range readCSV(t, filepath.Join(out, "verdicts.csv"))[1:] {
			statuses[r[3]+" "+r[4]] += r[0] + " "
		}
		return stderr, statuses
	}
	stderr, statuses := run(exitHalted, "-feed", feed)
	for _, w := range []string{"name no member: 1 new", reason} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if strings.Contains(stderr, "Lake Shore") {
		t.Errorf("stderr holds an address:\n%s", stderr)
	}
	// Every piece keeps its status; the current are quarantined.
	if len(statuses) != 2 || statuses["stale block"] != "P0-0 " || statuses["current quarantine"] == "" {
		t.Errorf("verdicts by status and decision: %v", statuses)
	}
	if rel := readCSV(t, filepath.Join(out, "release.csv")); len(rel) != 1 {
		t.Errorf("release.csv of a halted batch: %d rows", len(rel))
	}
	var rep map[string]any
	if b, err := os.ReadFile(filepath.Join(out, "report.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep["halted"] != true || rep["halt_reason"] != reason {
		t.Errorf("report: halted %v, reason %q", rep["halted"], rep["halt_reason"])
	}

	// The next run, with no feed, halts too; once cleared, none does.
	run(exitHalted)
	st, err := pgsync.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ClearHold(context.Background(), "", "E99", "ann", "line 23 moved a test member"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, statuses := run(exitOK); statuses["current release"] == "" || statuses["stale block"] != "P0-0 " {
		t.Errorf("after the clear: %v", statuses)
	}
}

// TestMaxSourceAge: a store whose newest change is older than the maximum
// age halts the batch.
func TestMaxSourceAge(t *testing.T) {
	dir := t.TempDir()
	feed, batch := world(t, dir, 20, 1, 1000)
	code, _, stderr := runBinary(t, "-feed", feed, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", filepath.Join(dir, "out"),
		"-max-source-age", "720h")
	if code != exitHalted || !strings.Contains(stderr, "source of truth is stale") {
		t.Errorf("exit %d; stderr:\n%s", code, stderr)
	}
	code, _, stderr = runBinary(t, "-feed", feed, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", filepath.Join(dir, "out"),
		"-max-source-age", "20000h")
	if code != exitOK {
		t.Errorf("exit %d; stderr:\n%s", code, stderr)
	}
}

func readCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return recs
}

func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("piece_id,nothing\n1,2\n"), 0o600)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"-nope"}, exitFlags},
		{"bad asof", []string{"-batch", "testdata/batch.csv", "-asof", "yesterday"}, exitFlags},
		{"bad duration", []string{"-batch", "testdata/batch.csv", "-recent", "-1h"}, exitFlags},
		{"bad rate", []string{"-batch", "testdata/batch.csv", "-halt-rate", "0"}, exitFlags},
		{"rate not a number", []string{"-batch", "testdata/batch.csv", "-halt-rate", "NaN"}, exitFlags},
		{"infinite rate", []string{"-batch", "testdata/batch.csv", "-halt-rate", "+Inf"}, exitFlags},
		{"the zero time", []string{"-batch", "testdata/batch.csv", "-asof", "0001-01-01T00:00:00Z"}, exitFlags},
		{"no batch", []string{"-feed", "testdata/feed.csv"}, exitFlags},
		{"stray argument", []string{"-batch", "testdata/batch.csv", "extra"}, exitFlags},
		{"missing batch file", []string{"-batch", filepath.Join(dir, "none.csv"), "-out", dir}, exitError},
		{"missing feed file", []string{"-feed", filepath.Join(dir, "none.csv"), "-batch", "testdata/batch.csv", "-out", dir}, exitError},
		{"batch without the columns", []string{"-batch", bad, "-out", dir}, exitError},
		{"store that is not a store", []string{"-db", "testdata/batch.csv", "-batch", "testdata/batch.csv", "-out", dir}, exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runBinary(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d; want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.HasPrefix(stderr, "preprint: ") && !strings.Contains(stderr, "Usage") && !strings.Contains(stderr, "flag") {
				t.Errorf("stderr does not explain:\n%s", stderr)
			}
		})
	}
}

// TestCrashAndRerun kills the job in the middle of a batch, runs it again,
// and compares its outputs and ledger with those of a run that was not
// interrupted. A killed run leaves no output in place, so nothing it judged
// can be printed. An interrupt (SIGINT, as from the terminal) stops the
// run too, with exit status 1, and removes its temporary files as well.
func TestCrashAndRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 150,000-piece batch")
	}
	dir := t.TempDir()
	feed, batch := world(t, dir, 30_000, 5, 500)
	args := func(db, out string) []string {
		return []string{"-feed", feed, "-db", db, "-batch", batch, "-asof", "2020-06-01T00:00:00Z", "-out", out}
	}
	cleanDB, cleanOut := filepath.Join(dir, "clean.db"), filepath.Join(dir, "clean")
	if code, _, stderr := runBinary(t, args(cleanDB, cleanOut)...); code != exitOK {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, stderr)
	}

	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			db, out := filepath.Join(dir, "crash-"+sig.String()+".db"), filepath.Join(dir, "crash-"+sig.String())
			stopped := false
			var stderr bytes.Buffer
			for attempt := 0; attempt < 5 && !stopped; attempt++ {
				cmd := exec.Command(binary, args(db, out)...)
				stderr.Reset()
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Stop it once it has written part of its verdicts.
				deadline := time.Now().Add(30 * time.Second)
				for time.Now().Before(deadline) {
					if fi, err := os.Stat(filepath.Join(out, "verdicts.csv.tmp")); err == nil && fi.Size() > 1<<20 {
						cmd.Process.Signal(sig)
						break
					}
					time.Sleep(time.Millisecond)
				}
				err := cmd.Wait()
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					ws := ee.Sys().(syscall.WaitStatus)
					stopped = sig == syscall.SIGKILL && ws.Signaled() || sig == syscall.SIGINT && ws.ExitStatus() == exitError
				}
			}
			if !stopped {
				t.Skip("the run finished before it could be stopped, five times")
			}
			for _, name := range append(outputFiles, "report.json") {
				if _, err := os.Stat(filepath.Join(out, name)); err == nil {
					t.Errorf("a stopped run left %s in place", name)
				}
			}
			if sig == syscall.SIGINT {
				if !strings.Contains(stderr.String(), "context canceled") {
					t.Errorf("stderr of an interrupted run does not say so:\n%s", stderr.String())
				}
				if entries, _ := os.ReadDir(out); len(entries) != 0 {
					t.Errorf("an interrupted run left files: %v", entries)
				}
			}
			if code, _, stderr := runBinary(t, args(db, out)...); code != exitOK {
				t.Fatalf("rerun: exit %d\n%s", code, stderr)
			}
			for _, name := range outputFiles {
				want, _ := os.ReadFile(filepath.Join(cleanOut, name))
				got, _ := os.ReadFile(filepath.Join(out, name))
				if !bytes.Equal(want, got) {
					t.Errorf("%s differs from the uninterrupted run's", name)
				}
			}
			if diff := cmp.Diff(readReport(t, cleanOut), readReport(t, out)); diff != "" {
				t.Errorf("report.json (-clean +rerun):\n%s", diff)
			}
			if diff := cmp.Diff(ledger(t, cleanDB), ledger(t, db)); diff != "" {
				t.Errorf("ledger (-clean +rerun):\n%s", diff)
			}
			for _, tmp := range []string{"release.csv.tmp", "verdicts.csv.tmp", "verdicts.csv.tmp2"} {
				if _, err := os.Stat(filepath.Join(out, tmp)); err == nil {
					t.Errorf("%s left behind", tmp)
				}
			}
		})
	}
}

type ledgerDump struct {
	Batch   pgsync.Batch
	Entries []pgsync.Entry
}

func ledger(tb testing.TB, db string) []ledgerDump {
	tb.Helper()
	ctx := context.Background()
	st, err := pgsync.Open(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	ids, err := st.Batches(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	var d []ledgerDump
	for _, id := range ids {
		b, err := st.Batch(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		b.Started, b.Finished = time.Time{}, time.Time{}
		ld := ledgerDump{Batch: b}
		for e, err := range st.Entries(ctx, id) {
			if err != nil {
				tb.Fatal(err)
			}
			ld.Entries = append(ld.Entries, e)
		}
		d = append(d, ld)
	}
	return d
}
