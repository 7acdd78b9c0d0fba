package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	pgsync "github.com/printgate/printgate/sync"
)

// newStore returns the path of a closed store with member M1 at an address
// and three holds: M1's move with a bad ZIP code, M2's first event with
// no event id, and an event with no member id.
func newStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	st, err := pgsync.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Now = func() time.Time { return time.Date(2024, 3, 4, 5, 0, 0, 0, time.UTC) }
	feed := `event_id,member_id,effective,recorded,name,line1,line2,city,state,zip
E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016
E2,M1,2024-03-01,2024-03-02,,9 Elm St,,Springfield,IL,627
,M2,2024-03-01,2024-03-02,Alan Turing,9 Elm St,,Springfield,IL,62704
E3,,2024-03-01,2024-03-02,Grace Hopper,9 Elm St,,Springfield,IL,62704
E4,M3,2024-03-32,2024-03-02,Edsger Dijkstra,9 Elm St,,Springfield,IL,62704
`
	if _, err := st.Apply(ctx, pgsync.NewCSVReader(strings.NewReader(feed)).All(), pgsync.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestListAndClear lists the holds, clears them one by one, and lists
// none.
func TestListAndClear(t *testing.T) {
	ctx := context.Background()
	path := newStore(t)
	list := func() (string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(ctx, []string{"-db", path}, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	// M3's row has an effective time that cannot be read: its column is
	// empty.
	want := `member_id,event_id,line,field,reason,received,effective
,E3,5,member_id,missing,2024-03-04T05:00:00Z,2024-03-01T00:00:00Z
M1,E2,3,zip,"address: zip: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits",2024-03-04T05:00:00Z,2024-03-01T00:00:00Z
M2,,4,event_id,missing,2024-03-04T05:00:00Z,2024-03-01T00:00:00Z
M3,E4,6,effective,"invalid time: want RFC 3339 or YYYY-MM-DD, between years 1678 and 2261",2024-03-04T05:00:00Z,
`
	const says = "holds: 4 standing\nholds: 1 of them name no member: the gate halts every batch until they are cleared\n"
	if got, stderr := list(); got != want || stderr != says {
		t.Errorf("list (-want +got):\n%s\nstderr (-want +got):\n%s", cmp.Diff(want, got), cmp.Diff(says, stderr))
	}
	for _, args := range [][]string{
		{"-clear", "M1", "-event", "E2", "-by", "ann", "-why", "member called: no move"},
		{"-clear", "M2", "-by", "ann", "-why", "the event came again with its id"},
		{"-clear", "", "-event", "E3", "-by", "ann", "-why", "line 5 moved no member we keep"},
		{"-clear", "M3", "-event", "E4", "-by", "ann", "-why", "the date was sent again"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, append([]string{"-db", path}, args...), nil, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
	}
	if got, stderr := list(); got != "member_id,event_id,line,field,reason,received,effective\n" || stderr != "holds: 0 standing\n" {
		t.Errorf("list after clearing:\n%s%s", got, stderr)
	}
}

func TestExitStatus(t *testing.T) {
	ctx := context.Background()
	path := newStore(t)
	tests := []struct {
		args []string
		code int
		says string
	}{
		{nil, 2, "-db FILE is required"},
		{[]string{"-db", path, "-clear", "M1", "-event", "E2"}, 2, "needs -by and -why"},
		{[]string{"-db", path, "-event", "E2"}, 2, "-clear MEMBER"},
		{[]string{"-db", path, "extra"}, 2, "-db FILE is required"},
		{[]string{"-db", filepath.Join(t.TempDir(), "none.db")}, 1, "no such file"},
		{[]string{"-db", path, "-clear", "M1", "-event", "E9", "-by", "ann", "-why", "checked"}, 1, pgsync.ErrNoHold.Error()},
		{[]string{"-db", path, "-clear-file", "x.csv", "-clear", "M1", "-by", "ann", "-why", "checked"}, 2, "not both"},
		{[]string{"-db", path, "-clear-file", "x.csv", "-event", "E2", "-by", "ann", "-why", "checked"}, 2, "not both"},
		{[]string{"-db", path, "-clear-file", "x.csv", "-by", "ann"}, 2, "needs -by and -why"},
		{[]string{"-db", path, "-clear", "M1", "-event", "E2", "-by", " ", "-why", "checked"}, 2, "needs -by and -why"},
		{[]string{"-db", path, "-clear-file", filepath.Join(t.TempDir(), "none.csv"), "-by", "ann", "-why", "checked"}, 1, "no such file"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, tt.args, nil, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.says)
		}
	}
}

// TestClearFile lists the holds, picks some and clears them from a file or
// stdin, all or none.
func TestClearFile(t *testing.T) {
	ctx := context.Background()
	path := newStore(t)
	holds := func(stdin string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(ctx, append([]string{"-db", path}, args...), strings.NewReader(stdin), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	_, list, _ := holds("")
	lines := strings.SplitAfter(list, "\n")
	header, none, m1, m2, m3 := lines[0], lines[1], lines[2], lines[3], lines[4]

	bad := []struct {
		name, file, says string
	}{
		{"a hold not standing among others", header + m1 + "M9,E9,3,zip,x,2024-03-04T05:00:00Z\n", `member "M9", event "E9": ` + pgsync.ErrNoHold.Error()},
		{"no event_id column", "member_id,line\nM1,3\n", "no member_id or event_id column"},
		{"a short row", header + m1 + "M2\n", "row 3: 1 fields, too few"},
		{"no member id, not standing", header + ",E2\n", `member "", event "E2": ` + pgsync.ErrNoHold.Error()},
		{"bad quoting", header + "M\"1,E2\n", "row 2: parse error on line 2, column 2"},
		{"a row over a feed's longest", header + m1 + "M2," + strings.Repeat("E", pgsync.MaxCSVRecord) + "\n", "row 3: parse error on line 3, column 1: line too long"},
		{"empty", "", "header: EOF"},
		{"a blank row among others", header + m1 + ",,,,,\n", "row 3: every field empty"},
		{"a blank row of two columns", "member_id,event_id\nM1,E2\n , \n", "row 3: every field empty"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := holds(tt.file, "-clear-file", "-", "-by", "ann", "-why", "feed F2 applied")
			if code != 1 || !strings.Contains(stderr, tt.says) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tt.says)
			}
			if _, got, _ := holds(""); got != list {
				t.Errorf("holds after a clear that failed:\n%s", got)
			}
		})
	}

	// From a file: the first hold, listed twice.
	picked := filepath.Join(t.TempDir(), "picked.csv")
	if err := os.WriteFile(picked, []byte(header+m1+m1), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := holds("", "-clear-file", picked, "-by", "ann", "-why", "feed F2 applied"); code != 0 || !strings.Contains(stderr, "cleared: 1") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, got, _ := holds(""); got != header+none+m2+m3 {
		t.Errorf("holds after clearing the first:\n%s", got)
	}
	// From stdin: the rest, the hold of no member among them, as listed
	// and saved by a spreadsheet, with a byte order mark, and its header
	// retyped.
	_, rest, _ := holds("")
	rest = strings.Replace(strings.Replace(rest, "member_id", " Member_ID", 1), "event_id", "EVENT_ID ", 1)
	if code, _, stderr := holds("\ufeff"+rest, "-clear-file", "-", "-by", "ann", "-why", "feed F2 applied"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, got, _ := holds(""); got != header {
		t.Errorf("holds after clearing the rest:\n%s", got)
	}
}
