package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
	pgsync "github.com/printgate/printgate/sync"
)

// holdsFeed is a CSV feed in the standard columns, as upstream sends it.
func holdsFeed(t *testing.T, s *pgsync.Store, rows ...string) *pgsync.ApplyReport {
	t.Helper()
	feed := "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n" + strings.Join(rows, "\n") + "\n"
	rep, err := s.Apply(context.Background(), pgsync.NewCSVReader(strings.NewReader(feed)).All(), pgsync.ApplyOptions{})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return rep
}

func standing(t *testing.T, s *pgsync.Store) []pgsync.Hold {
	t.Helper()
	var hs []pgsync.Hold
	for h, err := range s.Holds(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

// judge judges one PHI piece printed to addr for member through a
// snapshot of s, as the batch job does.
func judge(t *testing.T, s *pgsync.Store, member, name, addr string) address.Verdict {
	t.Helper()
	a, err := address.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	vs, _, err := addresstest.Check(sn, day("2024-01-01"), []address.Piece{{ID: "P1", MemberID: member, Name: name, Address: a, PHI: true}})
	if err != nil {
		t.Fatal(err)
	}
	return vs[0]
}

const (
	parkAve = "55 PARK AVE APT 4B, NEW YORK NY 10016"
	elmSt   = "9 ELM ST, SPRINGFIELD IL 62704"
)

// TestBadMoveHoldsMember: a move that cannot be applied leaves the member's
// former address in force in the store. The member is held until the same
// event comes again, corrected: a piece printed to that former address is
// not released as current in between, and is stale after.
func TestBadMoveHoldsMember(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	clock := day("2023-12-01")
	s.Now = func() time.Time { return clock }
	holdsFeed(t, s, "E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016",
		"E9,M9,2018-01-01,2018-01-02,Alan Turing,9 Elm St,,Springfield,IL,62704")
	if v := judge(t, s, "M1", "Ada Lovelace", parkAve); v.Status != address.Current {
		t.Fatalf("before the move: %s %q", v.Status, v.Detail)
	}

	// The move, with a ZIP code of four digits.
	clock = day("2023-12-15")
	rep := holdsFeed(t, s, "E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627")
	if rep.Bad != 1 || rep.Held != 1 || rep.Applied != 0 {
		t.Fatalf("bad move: %+v", rep)
	}
	want := []pgsync.Hold{{MemberID: "M1", EventID: "E2", Line: 2, Field: "zip", Reason: rep.Errors[0].Err.Error(), Received: clock, Effective: day("2023-12-10")}}
	if d := cmp.Diff(want, standing(t, s)); d != "" {
		t.Errorf("holds (-want +got):\n%s", d)
	}
	noPHI(t, want[0].Reason, "Elm", "ELM", "Springfield", "627")
	unapplied := []address.UnappliedEvent{{EventID: "E2", Field: "zip", Received: clock, Effective: day("2023-12-10")}}
	for h, err := range s.Histories(ctx, []string{"M1", "M9"}) {
		if err != nil {
			t.Fatal(err)
		}
		var want []address.UnappliedEvent
		if h.MemberID == "M1" {
			want = unapplied
		}
		if d := cmp.Diff(want, h.Unapplied); d != "" {
			t.Errorf("%s: Unapplied (-want +got):\n%s", h.MemberID, d)
		}
	}
	v := judge(t, s, "M1", "Ada Lovelace", parkAve)
	if v.Status != address.UnappliedChange || v.Decision != address.Quarantine || v.VersionID != "E1" ||
		v.Detail != "a change event for the member could not be applied: event E2, field zip" {
		t.Errorf("piece to the address in force while the move is held: %s %s %q %s", v.Status, v.Decision, v.Detail, v.VersionID)
	}
	if v := judge(t, s, "M9", "Alan Turing", elmSt); v.Status != address.Current {
		t.Errorf("another member: %s %q", v.Status, v.Detail)
	}

	// The same bad feed again places nothing new, and the hold keeps when
	// it was received; the holds are in the file.
	clock = day("2023-12-16")
	if rep := holdsFeed(t, s, "E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627"); rep.Bad != 1 || rep.Held != 0 {
		t.Errorf("bad move again: %+v", rep)
	}
	s.Close()
	s = mustOpenPath(t, path)
	s.Now = func() time.Time { return clock }
	if d := cmp.Diff(want, standing(t, s)); d != "" {
		t.Errorf("holds after a repeat and a reopen (-want +got):\n%s", d)
	}

	// Upstream sends the move again, corrected.
	rep = holdsFeed(t, s, "E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704")
	if rep.Applied != 1 || rep.HoldsEnded != 1 || rep.Held != 0 {
		t.Errorf("corrected move: %+v", rep)
	}
	if hs := standing(t, s); len(hs) != 0 {
		t.Errorf("holds after the move was applied: %+v", hs)
	}
	if v := judge(t, s, "M1", "Ada Lovelace", parkAve); v.Status != address.Stale {
		t.Errorf("piece to the former address: %s %q", v.Status, v.Detail)
	}
	if v := judge(t, s, "M1", "Ada Lovelace", elmSt); v.Status != address.RecentlyChanged {
		t.Errorf("piece to the new address: %s %q", v.Status, v.Detail)
	}
}

// TestLaterMoveSupersedesHold: a correction upstream sends under a new
// event id ends no hold, but once that move is in force it supersedes the
// bad row before it, and the member's pieces are judged on their history
// again. A hold whose row's time is unknown, or given twice differently,
// or after the move, still holds.
func TestLaterMoveSupersedesHold(t *testing.T) {
	s := MustOpen(t)
	s.Now = func() time.Time { return day("2023-12-15") }
	// judge judges a PHI piece of member's to addr as of asOf.
	judge := func(member, addr, asOf string) address.Verdict {
		t.Helper()
		a, err := address.Parse(addr)
		if err != nil {
			t.Fatal(err)
		}
		vs, _, err := addresstest.Check(s, day(asOf), []address.Piece{{ID: "P1", MemberID: member, Name: "Ada Lovelace", Address: a, PHI: true}})
		if err != nil {
			t.Fatal(err)
		}
		return vs[0]
	}
	var rows []string
	for _, m := range []string{"M1", "M2", "M3", "M4", "M5", "M6"} {
		rows = append(rows, "E1"+m+","+m+",2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016")
	}
	holdsFeed(t, s, rows...)
	// The moves, each with something wrong: a four-digit ZIP code (M1,
	// M4, M5), an effective time that cannot be read (M2), the same event
	// twice with two times (M3), an event applied already, sent again for
	// another day (M6).
	rep := holdsFeed(t, s,
		"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627",
		"E2,M2,2023-12-32,2023-12-11,,9 Elm St,,Springfield,IL,62704",
		"E2,M3,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627",
		"E2,M3,2023-12-09,2023-12-11,,9 Elm St,,Springfield,IL,627",
		"E2,M4,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627",
		"E2,M5,2024-01-15,2023-12-11,,9 Elm St,,Springfield,IL,627",
		"E1M6,M6,2017-06-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016")
	if rep.Held != 6 {
		t.Fatalf("bad moves: %+v", rep)
	}
	// M4's move comes again, bad again, with another time: which one
	// upstream meant is not known.
	if rep := holdsFeed(t, s, "E2,M4,2023-12-11,2023-12-11,,9 Elm St,,Springfield,IL,627"); rep.Held != 0 {
		t.Fatalf("M4's move again: %+v", rep)
	}
	effective := map[string]time.Time{}
	for _, h := range standing(t, s) {
		effective[h.MemberID] = h.Effective
	}
	if d := cmp.Diff(map[string]time.Time{
		"M1": day("2023-12-10"), "M2": {}, "M3": {}, "M4": {}, "M5": day("2024-01-15"), "M6": day("2017-06-01"),
	}, effective); d != "" {
		t.Errorf("the holds' effective times (-want +got):\n%s", d)
	}

	// Upstream sends each move again, corrected, under a new event id,
	// in force from 2023-12-12.
	rows = rows[:0]
	for _, m := range []string{"M1", "M2", "M3", "M4", "M5", "M6"} {
		rows = append(rows, "E3"+m+","+m+",2023-12-12,2023-12-13,,9 Elm St,,Springfield,IL,62704")
	}
	if rep := holdsFeed(t, s, rows...); rep.Applied != 6 || rep.HoldsEnded != 0 {
		t.Fatalf("the corrections: %+v", rep)
	}
	if hs := standing(t, s); len(hs) != 6 {
		t.Errorf("%d holds stand after the corrections, want 6: a new event id ends none", len(hs))
	}
	for _, c := range []struct {
		member, addr, asOf string
		want               address.Status
	}{
		{"M1", elmSt, "2024-02-01", address.Current},
		{"M1", parkAve, "2024-02-01", address.Stale},
		{"M1", elmSt, "2023-12-20", address.RecentlyChanged},
		// Before the correction is in force the bad row may be the move.
		{"M1", parkAve, "2023-12-11", address.UnappliedChange},
		{"M6", elmSt, "2024-02-01", address.Current},
		{"M2", elmSt, "2024-02-01", address.UnappliedChange},
		{"M3", elmSt, "2024-02-01", address.UnappliedChange},
		{"M4", elmSt, "2024-02-01", address.UnappliedChange},
		{"M5", elmSt, "2024-02-01", address.UnappliedChange},
	} {
		v := judge(c.member, c.addr, c.asOf)
		if v.Status != c.want {
			t.Errorf("%s, a piece to %.6s… as of %s: %s %q, want %s", c.member, c.addr, c.asOf, v.Status, v.Detail, c.want)
		}
		if c.want == address.UnappliedChange && v.Decision != address.Quarantine {
			t.Errorf("%s as of %s: %s, want quarantine", c.member, c.asOf, v.Decision)
		}
	}
}

// TestHoldsBeforeSchema9: a hold placed by a printgate before holds kept
// their rows' times has none after the migration, and a later move does
// not supersede it.
func TestHoldsBeforeSchema9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	holdsFeed(t, s, "E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016",
		"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627")
	s.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	// As the schema was then: runs and the reviews' verdicts came with
	// schema 10.
	if _, err := db.Exec(pgsync.UndoSchema10 + `ALTER TABLE holds DROP COLUMN effective; PRAGMA user_version = 8`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s = mustOpenPath(t, path)
	hs := standing(t, s)
	if len(hs) != 1 || hs[0].EventID != "E2" || !hs[0].Effective.IsZero() {
		t.Fatalf("holds after the migration: %+v", hs)
	}
	holdsFeed(t, s, "E3,M1,2023-12-12,2023-12-13,,9 Elm St,,Springfield,IL,62704")
	a, err := address.Parse(elmSt)
	if err != nil {
		t.Fatal(err)
	}
	vs, _, err := addresstest.Check(s, day("2024-02-01"), []address.Piece{{ID: "P1", MemberID: "M1", Name: "Ada Lovelace", Address: a, PHI: true}})
	if err != nil {
		t.Fatal(err)
	}
	if vs[0].Status != address.UnappliedChange {
		t.Errorf("a piece to the later move's address: %s %q, want %s", vs[0].Status, vs[0].Detail, address.UnappliedChange)
	}
}

// TestHoldRules: which bad rows hold whom, and how holds end.
func TestHoldRules(t *testing.T) {
	ctx := context.Background()
	const base = "E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016"
	tests := []struct {
		name      string
		rows      []string
		held      []string // member/event of the holds standing after
		heldCount int
		noMember  int // ApplyReport.Unattributed
	}{
		{"a bad time", []string{"E2,M1,2023-13-40,2023-12-11,,9 Elm St,,Springfield,IL,62704"}, []string{"M1/E2"}, 1, 0},
		{"a bad address", []string{"E2,M1,2023-12-10,2023-12-11,,PO Box,,Springfield,IL,62704"}, []string{"M1/E2"}, 1, 0},
		{"no event id", []string{",M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"}, []string{"M1/"}, 1, 0},
		{"no member id", []string{"E2,,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"}, []string{"/E2"}, 0, 1},
		{"a malformed member id", []string{"E2,M 1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"}, []string{"/E2"}, 0, 1},
		// A record's fields may be shifted: none of them is trusted.
		{"a record with a field too few", []string{"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL"}, []string{"/"}, 0, 1},
		// A quote that never closes takes the rest of the feed into one
		// bad record: the rows after it, whoever's, are not applied, and
		// the hold of no member halts every batch.
		{"a quote that never closes", []string{
			"E2,M1,2023-12-10,2023-12-11,,\"9 Elm St,,Springfield,IL,62704",
			"E3,M2,2023-12-10,2023-12-11,Alan Turing,9 Elm St,,Springfield,IL,62704"}, []string{"/"}, 0, 1},
		{"a bare quote", []string{"E2,M1,2023-12-10,2023-12-11,,9 \"Elm\" St,,Springfield,IL,62704"}, []string{"/"}, 0, 1},
		{"no member id, then the event for a member", []string{
			"E2,,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704",
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"}, nil, 0, 0},
		{"no member id, then the event bad for a member", []string{
			"E2,,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704",
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627"}, []string{"/E2", "M1/E2"}, 1, 1},
		{"two rows of no member", []string{
			"E2,,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704",
			"E3,,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"}, []string{"/E2", "/E3"}, 0, 2},
		{"a new member's first event", []string{"E5,M5,2023-12-10,2023-12-11,Grace Hopper,9 Elm St,,Springfield,IL,627"}, []string{"M5/E5"}, 1, 0},
		{"bad, then good in the same feed", []string{
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627",
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"}, nil, 0, 0},
		{"good, then bad in the same feed", []string{
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704",
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627"}, nil, 0, 0},
		{"the event applied before", []string{"E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,100"}, []string{"M1/E1"}, 1, 0},
		{"a good event of the same id for another member", []string{
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627",
			"E2,M2,2023-12-10,2023-12-11,Alan Turing,9 Elm St,,Springfield,IL,62704"}, []string{"M1/E2"}, 1, 0},
		{"two bad rows of one event", []string{
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627",
			"E2,M1,2023-12-10,2023-12-11,,PO Box,,Springfield,IL,62704"}, []string{"M1/E2"}, 1, 0},
		// A conflict: the store keeps what it applied. One that may move
		// the member holds them; one that moves no one holds no one.
		{"a conflict in the address", []string{"E1,M1,2018-01-01,2018-01-02,Ada Lovelace,9 Elm St,,Springfield,IL,62704"}, []string{"M1/E1"}, 1, 0},
		{"a conflict in the effective time", []string{"E1,M1,2018-02-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016"}, []string{"M1/E1"}, 1, 0},
		// The member the store applied the event for is held too: its
		// move is disputed.
		{"a conflict naming another member", []string{"E1,M2,2018-01-01,2018-01-02,Alan Turing,55 Park Ave,Apt 4B,New York,NY,10016"}, []string{"M1/E1", "M2/E1"}, 2, 0},
		{"a conflict in the name alone", []string{"E1,M1,2018-01-01,2018-01-02,ADA LOVELACE,55 Park Ave,Apt 4B,New York,NY,10016"}, nil, 0, 0},
		{"a conflict in the recorded time alone", []string{"E1,M1,2018-01-01,2018-01-05,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016"}, nil, 0, 0},
		{"a conflict in how the address is written", []string{"E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Avenue,Apartment 4B,New York,New York,10016"}, nil, 0, 0},
		{"a new id twice in the feed, with other contents", []string{
			"E7,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704",
			"E7,M1,2023-12-10,2023-12-11,,19 Elm St,,Springfield,IL,62704"}, []string{"M1/E7"}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			holdsFeed(t, s, base)
			rep := holdsFeed(t, s, tt.rows...)
			// The store held nothing before: the feed ends no hold.
			if d := cmp.Diff(tt.held, holdNames(standing(t, s))); d != "" || rep.Held != tt.heldCount || rep.Unattributed != tt.noMember || rep.HoldsEnded != 0 {
				t.Errorf("holds (-want +got):\n%s\nreport %+v", d, rep)
			}
		})
	}

	t.Run("a conflict in the kind holds, naming the field", func(t *testing.T) {
		s := MustOpen(t)
		holdsFeed(t, s, base)
		ev := pgsync.Event{ID: "E1", MemberID: "M1", Effective: day("2018-01-01"), Recorded: day("2018-01-02"), Kind: address.Undeliverable}
		if rep := mustApply(t, s, []pgsync.Event{ev}, pgsync.ApplyOptions{}); rep.Conflicts != 1 || rep.Held != 1 {
			t.Fatalf("report %+v; want one conflict, M1 held", rep)
		}
		if hs := standing(t, s); len(hs) != 1 || hs[0].MemberID != "M1" || hs[0].EventID != "E1" || hs[0].Field != "kind" {
			t.Errorf("holds: %+v; want M1's for E1, field kind", hs)
		}
	})

	t.Run("an event from Go with a time out of range holds without a time", func(t *testing.T) {
		s := MustOpen(t)
		holdsFeed(t, s, base)
		ev := move("E2", "M1", "2023-12-10", 7)
		ev.Effective = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) // past what Unix nanoseconds hold
		if rep := mustApply(t, s, []pgsync.Event{ev}, pgsync.ApplyOptions{}); rep.Held != 1 {
			t.Fatalf("report %+v; want M1 held", rep)
		}
		if hs := standing(t, s); len(hs) != 1 || !hs[0].Effective.IsZero() {
			t.Errorf("holds: %+v; want M1's, its time unknown", hs)
		}
	})

	t.Run("one feed ends two holds; a bad row twice keeps its time", func(t *testing.T) {
		s := MustOpen(t)
		holdsFeed(t, s, base, "E1M2,M2,2018-01-01,2018-01-02,Alan Turing,9 Elm St,,Springfield,IL,62704")
		bad := "E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627"
		if rep := holdsFeed(t, s, bad, bad, "E3,M2,2023-12-10,2023-12-11,,55 Park Ave,,New York,NY,100"); rep.Held != 2 {
			t.Fatalf("the bad rows: %+v", rep)
		}
		hs := standing(t, s)
		if len(hs) != 2 || !hs[0].Effective.Equal(day("2023-12-10")) {
			t.Errorf("holds: %+v; want M1's with its one time", hs)
		}
		rep := holdsFeed(t, s, "E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704",
			"E3,M2,2023-12-10,2023-12-11,,55 Park Ave,,New York,NY,10016")
		if rep.Applied != 2 || rep.HoldsEnded != 2 {
			t.Errorf("the corrections: %+v", rep)
		}
		if hs := standing(t, s); len(hs) != 0 {
			t.Errorf("holds after: %+v", hs)
		}
	})

	t.Run("a stopped apply places none", func(t *testing.T) {
		s := MustOpen(t)
		holdsFeed(t, s, base)
		feed := "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n" +
			"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627\n"
		_, err := s.Apply(ctx, pgsync.NewCSVReader(strings.NewReader(feed)).All(), pgsync.ApplyOptions{StopOnError: true})
		var re *pgsync.RowError
		if !errors.As(err, &re) || re.MemberID != "M1" || re.EventID != "E2" {
			t.Fatalf("StopOnError: %v", err)
		}
		if hs := standing(t, s); len(hs) != 0 {
			t.Errorf("holds after a stopped apply: %+v", hs)
		}
	})

	t.Run("a conflict's hold ends when the content applied comes again", func(t *testing.T) {
		s := MustOpen(t)
		holdsFeed(t, s, base)
		if rep := holdsFeed(t, s, "E1,M1,2018-01-01,2018-01-02,Ada Lovelace,9 Elm St,,Springfield,IL,62704"); rep.Conflicts != 1 || rep.Held != 1 {
			t.Fatalf("the conflict: %+v", rep)
		}
		if v := judge(t, s, "M1", "Ada Lovelace", parkAve); v.Status != address.UnappliedChange || v.Detail != "a change event for the member could not be applied: event E1, field address" {
			t.Errorf("piece while the conflict holds: %s %q", v.Status, v.Detail)
		}
		if rep := holdsFeed(t, s, base); rep.Skipped != 1 || rep.HoldsEnded != 1 {
			t.Errorf("the content applied, again: %+v", rep)
		}
		if hs := standing(t, s); len(hs) != 0 {
			t.Errorf("holds after: %+v", hs)
		}
	})

	t.Run("a reviewer clears", func(t *testing.T) {
		s := MustOpen(t)
		holdsFeed(t, s, base)
		holdsFeed(t, s, ",M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704")
		if err := s.ClearHold(ctx, "M1", "", "ann", ""); !errors.Is(err, pgsync.ErrClearIncomplete) {
			t.Errorf("clear with no reason: %v", err)
		}
		if err := s.ClearHold(ctx, "M1", "E2", "ann", "checked"); !errors.Is(err, pgsync.ErrNoHold) {
			t.Errorf("clear of a hold that is not there: %v", err)
		}
		if err := s.ClearHold(ctx, "M1", "", "ann", "called the member: no move"); err != nil {
			t.Fatal(err)
		}
		if hs := standing(t, s); len(hs) != 0 {
			t.Errorf("holds after the clear: %+v", hs)
		}
		if v := judge(t, s, "M1", "Ada Lovelace", parkAve); v.Status != address.Current {
			t.Errorf("piece after the clear: %s %q", v.Status, v.Detail)
		}
		if err := s.ClearHold(ctx, "M1", "", "ann", "again"); !errors.Is(err, pgsync.ErrNoHold) {
			t.Errorf("second clear: %v", err)
		}
		// The same bad row again holds the member again.
		if rep := holdsFeed(t, s, ",M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"); rep.Held != 1 {
			t.Errorf("the bad row again: %+v", rep)
		}
		if v := judge(t, s, "M1", "Ada Lovelace", parkAve); v.Status != address.UnappliedChange {
			t.Errorf("piece after the bad row came again: %s %q", v.Status, v.Detail)
		}
	})
}

// TestHoldsOfManyMembers: histories read in parts, through the store and a
// snapshot, each carry their own member's holds and no other's.
func TestHoldsOfManyMembers(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	var evs []pgsync.Event
	for m := range 3000 {
		evs = append(evs, move(idf("E", m), idf("M", m), "2018-01-01", uint64(m)))
	}
	mustApply(t, s, evs, pgsync.ApplyOptions{})
	var bad []pgsync.Event
	for m := 0; m < 3000; m += 7 {
		ev := move(idf("F", m), idf("M", m), "2023-01-01", uint64(m+5000))
		ev.ZIP = "123"
		bad = append(bad, ev)
	}
	rep, err := s.Apply(ctx, seq(bad), pgsync.ApplyOptions{})
	if err != nil || rep.Held != len(bad) {
		t.Fatalf("Apply: %v %+v", err, rep)
	}
	var ids []string
	for m := range 3000 {
		ids = append(ids, idf("M", m))
	}
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	for name, src := range map[string]address.HistorySource{"store": s, "snapshot": sn} {
		n := 0
		for h, err := range src.Histories(ctx, ids) {
			if err != nil {
				t.Fatal(err)
			}
			m := slices.Index(ids, h.MemberID)
			want := 0
			if m%7 == 0 {
				want = 1
			}
			if len(h.Unapplied) != want || want == 1 && h.Unapplied[0].EventID != idf("F", m) {
				t.Errorf("%s: %s: Unapplied %+v", name, h.MemberID, h.Unapplied)
			}
			n++
		}
		if n != len(ids) {
			t.Errorf("%s: %d histories", name, n)
		}
	}
}

func idf(prefix string, n int) string { return fmt.Sprintf("%s%05d", prefix, n) }

// TestSnapshotKeepsItsHolds: a snapshot gives the holds of its moment, and
// the store the holds of now.
func TestSnapshotKeepsItsHolds(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	holdsFeed(t, s, "E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016",
		"E2,M1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,627")
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	if err := s.ClearHold(ctx, "M1", "E2", "ann", "the member has not moved"); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]address.HistorySource{"snapshot": sn, "store": s} {
		for h, err := range src.Histories(ctx, []string{"M1"}) {
			if err != nil {
				t.Fatal(err)
			}
			if held := len(h.Unapplied) > 0; held != (name == "snapshot") {
				t.Errorf("%s: Unapplied %+v", name, h.Unapplied)
			}
		}
	}
}

// TestClearHolds: many holds cleared at once are cleared all or none.
func TestClearHolds(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	holdsFeed(t, s,
		"E2,M1,2023-12-10,2023-12-11,Ada Lovelace,9 Elm St,,Springfield,IL,627",
		"E3,M2,2023-12-10,2023-12-11,Alan Turing,9 Elm St,,Springfield,IL,627",
		",M3,2023-12-10,2023-12-11,Grace Hopper,9 Elm St,,Springfield,IL,62704")
	held := func() []string {
		t.Helper()
		return holdNames(standing(t, s))
	}
	all := []string{"M1/E2", "M2/E3", "M3/"}
	if d := cmp.Diff(all, held()); d != "" {
		t.Fatalf("holds placed (-want +got):\n%s", d)
	}

	n, err := s.ClearHolds(ctx, []pgsync.Hold{{MemberID: "M1", EventID: "E2"}, {MemberID: "M9", EventID: "E9"}}, "ann", "corrected feed applied under new ids")
	if n != 0 || !errors.Is(err, pgsync.ErrNoHold) || !strings.Contains(err.Error(), `member "M9", event "E9"`) {
		t.Errorf("a hold that is not there among others: %d, %v", n, err)
	}
	if _, err := s.ClearHolds(ctx, []pgsync.Hold{{MemberID: "M1", EventID: "E2"}}, " ", "why"); !errors.Is(err, pgsync.ErrClearIncomplete) {
		t.Errorf("no reviewer: %v", err)
	}
	if d := cmp.Diff(all, held()); d != "" {
		t.Errorf("holds after clears that failed (-want +got):\n%s", d)
	}

	// What Holds lists can be passed back, and one listed twice is cleared
	// once.
	picked := standing(t, s)[:2]
	picked = append(picked, picked[0])
	if n, err := s.ClearHolds(ctx, picked, "ann", "corrected feed applied under new ids"); n != 2 || err != nil {
		t.Fatalf("cleared %d: %v", n, err)
	}
	if d := cmp.Diff([]string{"M3/"}, held()); d != "" {
		t.Errorf("holds after the clear (-want +got):\n%s", d)
	}
	if n, err := s.ClearHolds(ctx, nil, "ann", "nothing"); n != 0 || err != nil {
		t.Errorf("clearing no holds: %d, %v", n, err)
	}
}

// TestUnattributedHold: a bad row whose member id cannot be read may be any
// member's move. Its hold, of no member, halts every batch through the store
// and through a snapshot until its event is applied or a reviewer clears it.
func TestUnattributedHold(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	holdsFeed(t, s, "E1,M1,2018-01-01,2018-01-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016")
	rep := holdsFeed(t, s, "E2,M 1,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704")
	if rep.Bad != 1 || rep.Held != 0 || rep.Unattributed != 1 {
		t.Fatalf("report %+v", rep)
	}
	const reason = "source of truth holds a change event it could not apply and cannot tie to a member (event E2, field member_id): any member's address may be missing a move"
	// check judges a current piece of M1's through src.
	check := func(src address.HistorySource) (address.Verdict, address.Outcome) {
		t.Helper()
		a, err := address.Parse(parkAve)
		if err != nil {
			t.Fatal(err)
		}
		vs, out, err := addresstest.Check(src, day("2024-01-01"), []address.Piece{{ID: "P1", MemberID: "M1", Name: "Ada Lovelace", Address: a, PHI: true}})
		if err != nil {
			t.Fatal(err)
		}
		return vs[0], out
	}
	wantEvents := []address.UnappliedEvent{{EventID: "E2", Field: "member_id", Received: time.Now(), Effective: day("2023-12-10")}}
	ignoreReceived := cmp.Comparer(func(a, b time.Time) bool { return !a.IsZero() && !b.IsZero() })

	us, err := s.Unattributed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(wantEvents, us, ignoreReceived); d != "" {
		t.Errorf("Store.Unattributed (-want +got):\n%s", d)
	}
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	for name, src := range map[string]address.HistorySource{"store": s, "snapshot": sn} {
		v, out := check(src)
		// The piece keeps its own status; the member is not held.
		if v.Status != address.Current || !out.Halted || out.HaltReason != reason || out.Released != 0 {
			t.Errorf("%s: %s %q; halted %v %q, released %d", name, v.Status, v.Detail, out.Halted, out.HaltReason, out.Released)
		}
	}
	if d := cmp.Diff([]string{"/E2"}, holdNames(standing(t, s))); d != "" {
		t.Errorf("Store.Holds (-want +got):\n%s", d)
	}

	// A reviewer clears it: the snapshot taken before still halts.
	if err := s.ClearHold(ctx, "", "E2", "ann", "line 2 of the feed moved a member the store does not keep"); err != nil {
		t.Fatal(err)
	}
	if _, out := check(s); out.Halted {
		t.Errorf("store after the clear: halted: %s", out.HaltReason)
	}
	if _, out := check(sn); !out.Halted {
		t.Errorf("snapshot of before the clear: not halted")
	}

	// The same bad row again holds again; the event for a member ends it.
	if rep := holdsFeed(t, s, "E2,,2023-12-10,2023-12-11,,9 Elm St,,Springfield,IL,62704"); rep.Unattributed != 1 {
		t.Errorf("the bad row again: %+v", rep)
	}
	if _, out := check(s); !out.Halted {
		t.Errorf("store after the bad row came again: not halted")
	}
	rep = holdsFeed(t, s, "E2,M2,2023-12-10,2023-12-11,Alan Turing,9 Elm St,,Springfield,IL,62704")
	if rep.Applied != 1 || rep.HoldsEnded != 1 {
		t.Errorf("the event for a member: %+v", rep)
	}
	if us, err := s.Unattributed(ctx); err != nil || len(us) != 0 {
		t.Errorf("Store.Unattributed after the event was applied: %v, %v", us, err)
	}
	if _, out := check(s); out.Halted {
		t.Errorf("store after the event was applied: halted: %s", out.HaltReason)
	}
}

// holdNames names holds as member/event.
func holdNames(hs []pgsync.Hold) []string {
	var names []string
	for _, h := range hs {
		names = append(names, h.MemberID+"/"+h.EventID)
	}
	return names
}

// TestBuildingsStored: a building's name set aside from a feed's address is
// stored with it, so that a piece for another building at the same street
// address, a hall of a college, is not current.
func TestBuildingsStored(t *testing.T) {
	s := MustOpen(t)
	holdsFeed(t, s,
		"E1,M1,2018-01-01,2018-01-02,Ada Lovelace,Jones Hall,123 College Ave Rm 5,Springfield,IL,62704",
		"E2,M1,2019-10-03,2019-10-04,,Smith Hall,123 College Ave Rm 5,Springfield,IL,62704")
	tests := []struct {
		printed string
		status  address.Status
		detail  string
	}{
		{"SMITH HALL, 123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704", address.Current, ""},
		{"123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704", address.Current, ""},
		{"JONES HALL, 123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704", address.Stale, "stale since 2019-10-03"},
		{"BROWN HALL, 123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704", address.UnknownAddress, "different to the address in force; differs: building"},
	}
	for _, tt := range tests {
		if v := judge(t, s, "M1", "Ada Lovelace", tt.printed); v.Status != tt.status || v.Detail != tt.detail {
			t.Errorf("%s: %s %q, want %s %q", tt.printed, v.Status, v.Detail, tt.status, tt.detail)
		}
	}
}
