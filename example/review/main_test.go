package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

// preprint is example/preprint built as a program, once for the package's
// tests: the reviews are of its runs.
var preprint string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "review-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	preprint = filepath.Join(dir, "preprint")
	if out, err := exec.Command("go", "build", "-o", preprint, "../preprint").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building preprint: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const demoFeed = "../preprint/testdata/feed.csv"

// A run is one run of the batch job: its store, its outputs and its batch
// id.
type runOf struct {
	db, out, batchID string
}

// runPreprint runs the batch job on batch, fed the demo's feed, as of the
// demo's day, into a new store, and wants exit status code.
func runPreprint(t testing.TB, batch string, code int) runOf {
	t.Helper()
	r := runOf{db: filepath.Join(t.TempDir(), "store.db"), out: t.TempDir()}
	cmd := exec.Command(preprint, "-feed", demoFeed, "-db", r.db, "-batch", batch, "-asof", "2020-06-01T12:00:00Z", "-out", r.out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if got := 0; err != nil && !errors.As(err, &ee) || (err == nil && code != 0) || (ee != nil && ee.ExitCode() != code) {
		if ee != nil {
			got = ee.ExitCode()
		}
		t.Fatalf("preprint: exit %d (%v), want %d; stderr:\n%s", got, err, code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(r.out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		BatchID string `json:"batch_id"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.BatchID == "" {
		t.Fatalf("report.json: %v: %s", err, b)
	}
	r.batchID = rep.BatchID
	return r
}

// review runs the command with args and returns its exit status, stdout
// and stderr.
func review(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustReview runs the command and fails the test unless it exits 0.
func mustReview(t testing.TB, args ...string) (string, string) {
	t.Helper()
	code, stdout, stderr := review(args...)
	if code != 0 {
		t.Fatalf("review %q: exit %d; stderr:\n%s", args, code, stderr)
	}
	return stdout, stderr
}

func readCSV(t testing.TB, text string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("%v:\n%s", err, text)
	}
	return recs
}

// batchRows returns the rows of the batch file whose piece ids are ids, in
// the order of ids.
func batchRows(t *testing.T, path string, ids ...string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, string(b))
	out := [][]string{recs[0]}
	for _, id := range ids {
		for _, r := range recs[1:] {
			if r[0] == id {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// phi is text of the demo batch that must never appear on stderr.
var phi = []string{"Hamilton", "Backus", "Shannon", "Lovelace", "Beacon", "Lake Shore", "Maple", "Main"}

func noPHI(t *testing.T, stderr string) {
	t.Helper()
	for _, s := range phi {
		if strings.Contains(stderr, s) {
			t.Errorf("stderr holds %q:\n%s", s, stderr)
		}
	}
}

// TestReviewDemo reviews the demo's quarantined pieces from listing to the
// file for the printer.
func TestReviewDemo(t *testing.T) {
	const batch = "../preprint/testdata/batch.csv"
	r := runPreprint(t, batch, 0)
	var stderrs strings.Builder

	stdout, _ := mustReview(t, "-db", r.db)
	batches := readCSV(t, stdout)
	want := []string{r.batchID, "2020-06-01T12:00:00Z", "17", "6", "6", "5", "false", "0", "0", "1"}
	if len(batches) != 2 || len(batches[1]) != 12 {
		t.Fatalf("batches:\n%s", stdout)
	}
	if got := append(batches[1][:2:2], batches[1][4:]...); !cmp.Equal(got, want) {
		t.Errorf("the batch's row: %q; want %q (without its times)", batches[1], want)
	}

	const listed = `piece_id,line,member_id,phi,status,detail,review,reviewer,reason,reviewed_at
P0008,9,M008,true,unknown_address,similar to the address in force; differs: city,,,,
P0009,10,M009,true,recently_changed,address in force since 2020-05-20,,,,
P0010,11,M010,true,undeliverable,address in force marked undeliverable 2020-03-01,,,,
P0012,13,M011,true,unknown_member,member not in the source of truth,,,,
P0015,16,M003,true,invalid,"line 16, piece P0015, field zip: address: zip: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits",,,,
P0017,18,M012,false,unapplied_change,"a change event for the member could not be applied: event E0016, field zip",,,,
`
	stdout, stderr := mustReview(t, "-db", r.db, "-batch-id", r.batchID)
	if d := cmp.Diff(listed, stdout); d != "" {
		t.Errorf("the quarantined pieces (-want +got):\n%s", d)
	}
	if w := "pieces quarantined: 6, not reviewed: 6"; !strings.Contains(stderr, w) {
		t.Errorf("stderr does not say %q:\n%s", w, stderr)
	}

	for _, args := range [][]string{
		{"-release", "P0009", "-by", "ann", "-why", "member confirmed the move by phone"},
		{"-block", "P0008", "-by", "ann", "-why", "city misspelled: regenerate"},
		{"-release", "P0017", "-by", "bob", "-why", "notice, not PHI"},
	} {
		_, stderr := mustReview(t, append([]string{"-db", r.db, "-batch-id", r.batchID}, args...)...)
		stderrs.WriteString(stderr)
	}

	stdout, stderr = mustReview(t, "-db", r.db, "-batch-id", r.batchID)
	stderrs.WriteString(stderr)
	reviews := map[string][]string{}
	for _, rec := range readCSV(t, stdout)[1:] {
		reviews[rec[0]] = rec[6:9]
		if rec[6] != "" {
			if _, err := time.Parse(time.RFC3339, rec[9]); err != nil {
				t.Errorf("piece %s reviewed_at: %v", rec[0], err)
			}
		}
	}
	wantReviews := map[string][]string{
		"P0008": {"block", "ann", "city misspelled: regenerate"},
		"P0009": {"release", "ann", "member confirmed the move by phone"},
		"P0010": {"", "", ""},
		"P0012": {"", "", ""},
		"P0015": {"", "", ""},
		"P0017": {"release", "bob", "notice, not PHI"},
	}
	if d := cmp.Diff(wantReviews, reviews); d != "" {
		t.Errorf("reviews (-want +got):\n%s", d)
	}

	// The file for the printer: the rows of the two pieces released, as
	// the batch had them.
	reviewed := filepath.Join(r.out, "reviewed.csv")
	_, stderr = mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-quarantine", filepath.Join(r.out, "quarantine.csv"), "-out", reviewed)
	stderrs.WriteString(stderr)
	got, err := os.ReadFile(reviewed)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(batchRows(t, batch, "P0009", "P0017"), readCSV(t, string(got))); d != "" {
		t.Errorf("reviewed.csv (-want +got):\n%s", d)
	}
	if w := "batch " + r.batchID + ": pieces released by a reviewer: 2"; !strings.Contains(stderr, w) {
		t.Errorf("stderr does not say %q:\n%s", w, stderr)
	}

	stdout, _ = mustReview(t, "-db", r.db)
	if rec := readCSV(t, stdout)[1]; rec[9] != "2" || rec[10] != "1" {
		t.Errorf("the batch's reviews: released %s, blocked %s; want 2 and 1", rec[9], rec[10])
	}
	noPHI(t, stderrs.String())
}

// TestReviewErrors: each misuse exits 1 or 2, says why, and names no PHI.
func TestReviewErrors(t *testing.T) {
	r := runPreprint(t, "../preprint/testdata/batch.csv", 0)
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-release", "P0009", "-by", "ann", "-why", "confirmed")
	quarantine := filepath.Join(r.out, "quarantine.csv")
	missing := filepath.Join(t.TempDir(), "none.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no store", []string{"-batch-id", r.batchID}, 2, "-db FILE is required"},
		{"arguments", []string{"-db", r.db, "extra"}, 2, "-db FILE is required"},
		{"release and block", []string{"-db", r.db, "-batch-id", r.batchID, "-release", "P0010", "-block", "P0010", "-by", "a", "-why", "b"}, 2, "-db FILE is required"},
		{"no reviewer", []string{"-db", r.db, "-batch-id", r.batchID, "-release", "P0010", "-why", "b"}, 2, "-db FILE is required"},
		{"no batch", []string{"-db", r.db, "-release", "P0010", "-by", "a", "-why", "b"}, 2, "-db FILE is required"},
		{"reviewer without a review", []string{"-db", r.db, "-batch-id", r.batchID, "-by", "a"}, 2, "-db FILE is required"},
		{"quarantine without out", []string{"-db", r.db, "-batch-id", r.batchID, "-quarantine", quarantine}, 2, "-db FILE is required"},
		{"out over quarantine", []string{"-db", r.db, "-batch-id", r.batchID, "-quarantine", quarantine, "-out", quarantine}, 2, "must not be the -quarantine file"},
		{"store missing", []string{"-db", missing}, 1, "no such file"},
		{"batch unknown", []string{"-db", r.db, "-batch-id", "batch-0"}, 1, "no such batch in the ledger"},
		{"piece unknown", []string{"-db", r.db, "-batch-id", r.batchID, "-release", "P9999", "-by", "a", "-why", "b"}, 1, "no such piece in the batch"},
		{"piece released", []string{"-db", r.db, "-batch-id", r.batchID, "-release", "P0001", "-by", "a", "-why", "b"}, 1, "piece is not quarantined"},
		{"piece blocked", []string{"-db", r.db, "-batch-id", r.batchID, "-release", "P0004", "-by", "a", "-why", "b"}, 1, "piece is not quarantined"},
		{"piece reviewed", []string{"-db", r.db, "-batch-id", r.batchID, "-block", "P0009", "-by", "a", "-why", "b"}, 1, "piece was reviewed before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := review(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want %d; stderr does not say %q:\n%s", code, tt.code, tt.want, stderr)
			}
			noPHI(t, stderr)
		})
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("review made a store where there was none: %v", err)
	}
}

// writeBatch writes the demo batch's header and rows to a file of its own.
func writeBatch(t *testing.T, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "batch.csv")
	text := "piece_id,member_id,name,line1,line2,city,state,zip,phi,contents\n" + strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReviewHalted reviews a halted batch: the pieces it would have
// released are quarantined after the rest in quarantine.csv, out of the
// batch's order, and a reviewer can release them one by one.
func TestReviewHalted(t *testing.T) {
	var rows []string
	for i := range 12 {
		rows = append(rows, fmt.Sprintf("S%02d,M004,Edsger Dijkstra,55 Park Avenue,Apt 4B,New York,NY,10016,true,", i))
	}
	rows = append(rows,
		"P0001,M001,ADA LOVELACE,123 N MAIN ST APT 4B,,SPRINGFIELD,IL,62704,true,",
		"P0009,M009,Margaret Hamilton,14 Beacon Street,,Boston,MA,02108,true,",
		"P0003,M003,Grace Hopper,842 East 1700 South,,Salt Lake City,UT,84105,true,")
	batch := writeBatch(t, rows...)
	r := runPreprint(t, batch, 3)

	stdout, stderr := mustReview(t, "-db", r.db, "-batch-id", r.batchID)
	var order []string
	for _, rec := range readCSV(t, stdout)[1:] {
		order = append(order, rec[0]+" "+rec[4])
	}
	if d := cmp.Diff([]string{"P0001 current", "P0009 recently_changed", "P0003 current"}, order); d != "" {
		t.Errorf("quarantined pieces (-want +got):\n%s", d)
	}
	if !strings.Contains(stderr, "the batch was halted") {
		t.Errorf("stderr does not say the batch was halted:\n%s", stderr)
	}
	for _, id := range []string{"P0001", "P0009"} {
		mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-release", id, "-by", "ann", "-why", "checked by hand")
	}
	reviewed := filepath.Join(r.out, "reviewed.csv")
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-quarantine", filepath.Join(r.out, "quarantine.csv"), "-out", reviewed)
	got, err := os.ReadFile(reviewed)
	if err != nil {
		t.Fatal(err)
	}
	// In quarantine.csv's order: the piece held on its own first, then
	// those the halt held.
	if d := cmp.Diff(batchRows(t, batch, "P0009", "P0001"), readCSV(t, string(got))); d != "" {
		t.Errorf("reviewed.csv (-want +got):\n%s", d)
	}
}

// TestReviewedFileMustMatch: a quarantine.csv that is not the batch's, or
// not all of it, writes nothing.
func TestReviewedFileMustMatch(t *testing.T) {
	r := runPreprint(t, "../preprint/testdata/batch.csv", 0)
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-release", "P0009", "-by", "ann", "-why", "confirmed")
	q, err := os.ReadFile(filepath.Join(r.out, "quarantine.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(q), "\n")
	release, err := os.ReadFile(filepath.Join(r.out, "release.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, want string
	}{
		{"a row missing", strings.Join(append(lines[:2:2], lines[3:]...), ""), "quarantined pieces of batch " + r.batchID + " with no row in it: 1"},
		{"a row twice", string(q) + lines[2], "row 8: piece \"P0009\" comes twice"},
		{"another batch's row", string(q) + "Z1,M001,A B,1 Main St,,Springfield,IL,62704,true,,stale,x\n", "row 8: its piece_id names no quarantined piece of batch"},
		{"another member", strings.Replace(string(q), "P0009,M009", "P0009,M001", 1), "row 3: piece \"P0009\" is of another member"},
		{"a row too short", string(q) + "P1,M1\n", "row 8: 2 fields, want 12"},
		{"release.csv", string(release), "not a quarantine.csv of example/preprint"},
		{"empty", "", "header: EOF"},
		{"bad quoting", string(q) + "P\"1,M1\n", "row 8: parse error on line 8, column 2"},
		{"a row over 1 MiB", string(q) + "P1,M1," + strings.Repeat("x", maxQuarantineRecord) + "\n", "row 8: parse error on line 8, column 1: line too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "quarantine.csv"), filepath.Join(dir, "reviewed.csv")
			if err := os.WriteFile(in, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := review("-db", r.db, "-batch-id", r.batchID, "-quarantine", in, "-out", out)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 1; stderr does not say %q:\n%s", code, tt.want, stderr)
			}
			noPHI(t, stderr)
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("files left in the directory: %v", entries)
			}
		})
	}
}

// TestReviewPieceWithoutID: a quarantined piece whose row had no id is
// named "line N" in the ledger and can be reviewed, but its row cannot be
// matched to its review, and is not written.
func TestReviewPieceWithoutID(t *testing.T) {
	batch := writeBatch(t,
		"P0009,M009,Margaret Hamilton,14 Beacon Street,,Boston,MA,02108,true,",
		",M010,Katherine Johnson,3 Mercury Way,,Hampton,VA,23666,true,")
	r := runPreprint(t, batch, 0)
	for _, id := range []string{"P0009", "line 3"} {
		mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-release", id, "-by", "ann", "-why", "checked by hand")
	}
	reviewed := filepath.Join(r.out, "reviewed.csv")
	_, stderr := mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-quarantine", filepath.Join(r.out, "quarantine.csv"), "-out", reviewed)
	if w := "rows not written, of pieces without an id or sharing one, which cannot be matched to a review: 1"; !strings.Contains(stderr, w) {
		t.Errorf("stderr does not say %q:\n%s", w, stderr)
	}
	got, err := os.ReadFile(reviewed)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(batchRows(t, batch, "P0009"), readCSV(t, string(got))); d != "" {
		t.Errorf("reviewed.csv (-want +got):\n%s", d)
	}
}

// TestReviewPiecesSharingAnID: two quarantined pieces with one id (the
// second row could not be read, so it is invalid rather than a duplicate)
// cannot be reviewed, and their rows are not written; the rest are.
func TestReviewPiecesSharingAnID(t *testing.T) {
	batch := writeBatch(t,
		"P0009,M009,Margaret Hamilton,14 Beacon Street,,Boston,MA,02108,true,",
		"P0010,M010,Katherine Johnson,3 Mercury Way,,Hampton,VA,23666,true,",
		"P0009,M009,Margaret Hamilton,14 Beacon Street,,Boston,MA,021,true,")
	r := runPreprint(t, batch, 0)
	code, _, stderr := review("-db", r.db, "-batch-id", r.batchID, "-release", "P0009", "-by", "ann", "-why", "checked")
	if code != 1 || !strings.Contains(stderr, "more than one quarantined piece has this id") {
		t.Errorf("review of a shared id: exit %d: %s", code, stderr)
	}
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-release", "P0010", "-by", "ann", "-why", "checked")
	reviewed := filepath.Join(r.out, "reviewed.csv")
	_, stderr = mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-quarantine", filepath.Join(r.out, "quarantine.csv"), "-out", reviewed)
	if w := "which cannot be matched to a review: 2"; !strings.Contains(stderr, w) {
		t.Errorf("stderr does not say %q:\n%s", w, stderr)
	}
	got, err := os.ReadFile(reviewed)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(batchRows(t, batch, "P0010"), readCSV(t, string(got))); d != "" {
		t.Errorf("reviewed.csv (-want +got):\n%s", d)
	}
	// quarantine.csv without one of them lacks a row.
	q, err := os.ReadFile(filepath.Join(r.out, "quarantine.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(q), "\n")
	in := filepath.Join(t.TempDir(), "quarantine.csv")
	if err := os.WriteFile(in, []byte(lines[0]+lines[1]+lines[2]), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = review("-db", r.db, "-batch-id", r.batchID, "-quarantine", in, "-out", reviewed+"2")
	if code != 1 || !strings.Contains(stderr, "with no row in it: 1") {
		t.Errorf("a shared id's row missing: exit %d: %s", code, stderr)
	}
}

// TestReviewLongRows: a batch line of address.MaxBatchLine bytes, the
// longest the batch job reads, is written to quarantine.csv as it came,
// with its status and detail after it, and read back.
func TestReviewLongRows(t *testing.T) {
	long := "P0011,M009,Margaret Hamilton,14 Beacon Street,"
	long += strings.Repeat("x", address.MaxBatchLine-len(long)-len(",Boston,MA,02108,true,")) + ",Boston,MA,02108,true,"
	r := runPreprint(t, writeBatch(t, long), 0)
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-release", "P0011", "-by", "ann", "-why", "checked")
	q, err := os.ReadFile(filepath.Join(r.out, "quarantine.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, row, _ := strings.Cut(string(q), "\n"); len(row) <= address.MaxBatchLine+1 {
		t.Fatalf("quarantine.csv: a row of %d bytes, want it longer than the batch's line", len(row))
	}
	reviewed := filepath.Join(r.out, "reviewed.csv")
	mustReview(t, "-db", r.db, "-batch-id", r.batchID, "-quarantine", filepath.Join(r.out, "quarantine.csv"), "-out", reviewed)
	got, err := os.ReadFile(reviewed)
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, string(got))
	if len(recs) != 2 || !slices.Equal(recs[1], strings.Split(long, ",")) {
		t.Errorf("reviewed.csv: %d rows; want the header and P0011's row as in the batch", len(recs))
	}
}
