package sync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// TestJSONLRepeatedField: encoding/json keeps the last of a field given
// twice, matching names without regard to case, so a row with
// "line2":"Apt 4B" and then "LINE2":"" would lose its unit, and one with
// two member ids would move the second member. Such a row is bad, naming
// the field; a repeated id is not trusted as the row's id.
func TestJSONLRepeatedField(t *testing.T) {
	const rest = `"effective":"2019-10-03","recorded":"2019-10-04","line1":"742 Evergreen Terrace","city":"Springfield","state":"IL","zip":"62704"`
	in := `{"event_id":"e1","member_id":"M1",` + rest + `,"line2":"Apt 4B","LINE2":""}` + "\n" + // 1
		`{"event_id":"e2","member_id":"M2",` + rest + `,"line2":"Apt 4B","line2":""}` + "\n" + // 2
		`{"event_id":"e3","member_id":"M3",` + rest + `,"line2":"Apt 4B","member_id":"M4"}` + "\n" + // 3
		`{"event_id":"e4","member_id":"M1",` + rest + `,"event_id":"e5"}` + "\n" + // 4
		`{"event_id":"e6","member_id":"M1",` + rest + `, "line\u0032" : "Apt 4B" , "Line2":null}` + "\n" + // 5
		`{"event_id":"e7","member_id":"M1",` + rest + `,"line2":"Apt 4B","ſtate":"IL"}` + "\n" + // 6: ſ folds to s, as encoding/json matches
		`{"event_id":"e8","member_id":"M1",` + rest + `,"Line2":"Apt 4B"}` + "\n" // 7: one line2, in another case
	checkReader(t, pgsync.NewJSONLReader(strings.NewReader(in)).Read, []want{
		bad(1, "line2", "e1", pgsync.ErrRepeatedField),
		bad(2, "line2", "e2", pgsync.ErrRepeatedField),
		bad(3, "member_id", "e3", pgsync.ErrRepeatedField),
		bad(4, "event_id", "", pgsync.ErrRepeatedField),
		bad(5, "line2", "e6", pgsync.ErrRepeatedField),
		bad(6, "state", "e7", pgsync.ErrRepeatedField),
		ok(pgsync.Event{ID: "e8", MemberID: "M1", Effective: day("2019-10-03"), Recorded: day("2019-10-04"), Kind: address.Moved,
			Line1: "742 Evergreen Terrace", Line2: "Apt 4B", City: "Springfield", State: "IL", ZIP: "62704", Line: 7}),
	})

	// Applied, the rows hold their members; a row whose member id is given
	// twice may be either member's move, and holds every member.
	s := MustOpen(t)
	rep, err := s.Apply(context.Background(), pgsync.NewJSONLReader(strings.NewReader(in)).All(), pgsync.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Bad != 6 || rep.Applied != 1 {
		t.Errorf("report: %+v", rep)
	}
	if d := cmp.Diff([]string{"/e3", "M1/", "M1/e1", "M1/e6", "M1/e7", "M2/e2"}, holdNames(standing(t, s))); d != "" {
		t.Errorf("holds (-want +got):\n%s", d)
	}
}

// TestClearHoldsEchoesNoMalformedID: an id that is not well-formed (a
// name and address shifted into an id column of a list of holds to clear)
// is not echoed in the error; a well-formed one is.
func TestClearHoldsEchoesNoMalformedID(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	for _, h := range []pgsync.Hold{
		{MemberID: "Jane Roe, 742 Evergreen Terrace", EventID: "E1"},
		{MemberID: "M1", EventID: "Apt 4B Springfield"},
	} {
		err := s.ClearHold(ctx, h.MemberID, h.EventID, "ann", "checked")
		if !errors.Is(err, pgsync.ErrNoHold) {
			t.Fatalf("ClearHold(%q, %q): %v", h.MemberID, h.EventID, err)
		}
		noPHI(t, err.Error(), phi...)
		if _, err := s.ClearHolds(ctx, []pgsync.Hold{h}, "ann", "checked"); err == nil {
			t.Fatal("ClearHolds: no error")
		} else {
			noPHI(t, err.Error(), phi...)
		}
	}
	err := s.ClearHold(ctx, "M9", "", "ann", "checked")
	if err == nil || !strings.Contains(err.Error(), `member "M9", event ""`) {
		t.Errorf("a well-formed id: %v", err)
	}
}

// kindFeed is holdsFeed with a kind column: a row's last field.
func kindFeed(t *testing.T, s *pgsync.Store, rows ...string) *pgsync.ApplyReport {
	t.Helper()
	feed := "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip,kind\n"
	for _, r := range rows {
		if strings.Count(r, ",") == 9 {
			r += ","
		}
		feed += r + "\n"
	}
	rep, err := s.Apply(context.Background(), pgsync.NewCSVReader(strings.NewReader(feed)).All(), pgsync.ApplyOptions{})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return rep
}

// released reports whether the gate releases a PHI piece for member
// printed to addr, judged through a snapshot as of 2024-01-01 (judge).
func released(t *testing.T, s *pgsync.Store, member, addr string) bool {
	t.Helper()
	return judge(t, s, member, "Ada Lovelace", addr).Decision == address.Release
}

// TestConflictInRecordedTimeOfATie: versions of one member with the same
// effective time are ordered by recorded time, so a conflict that differs
// from the event the store applied only in its recorded time may change
// which address is in force, when the member has another version of that
// effective time with another address or kind (in the store, or in the
// feed). It holds the member (field recorded); with no such version it
// holds no one.
func TestConflictInRecordedTimeOfATie(t *testing.T) {
	const (
		oak = "E1,M1,2020-01-01,2020-01-02,Ada Lovelace,1 Oak St,,Springfield,IL,62704"
		elm = "E2,M1,2020-01-01,2020-01-03,Ada Lovelace,9 Elm St,,Springfield,IL,62704"
		// E1 again, recorded after E2: had the store applied it so, 1 Oak
		// St would be in force.
		oakLater = "E1,M1,2020-01-01,2020-01-05,Ada Lovelace,1 Oak St,,Springfield,IL,62704"
	)
	tests := []struct {
		name   string
		before []string // applied first
		feed   []string
		held   []string
	}{
		{"the other version in the store", []string{oak, elm}, []string{oakLater}, []string{"M1/E1"}},
		{"the other version in the feed", []string{oak}, []string{elm, oakLater}, []string{"M1/E1"}},
		{"an undeliverable event moved after the move", []string{
			"E2,M1,2020-01-01,2020-01-02,Ada Lovelace,9 Elm St,,Springfield,IL,62704",
			"U1,M1,2020-01-01,2020-01-01T12:00:00Z,,,,,,,undeliverable"}, []string{"U1,M1,2020-01-01,2020-01-03,,,,,,,undeliverable"}, []string{"M1/U1"}},
		{"no other version of that time", []string{oak}, []string{oakLater}, nil},
		{"another of that time, at the same address", []string{oak, "E2,M1,2020-01-01,2020-01-03,Ada Lovelace,1 Oak Street,,Springfield,IL,62704"},
			[]string{oakLater}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			kindFeed(t, s, tt.before...)
			rep := kindFeed(t, s, tt.feed...)
			if rep.Conflicts != 1 {
				t.Fatalf("report: %+v", rep)
			}
			hs := standing(t, s)
			if d := cmp.Diff(tt.held, holdNames(hs)); d != "" {
				t.Fatalf("holds (-want +got):\n%s", d)
			}
			if len(hs) > 0 && (hs[0].Field != "recorded" || hs[0].Reason != pgsync.ErrConflict.Error()) {
				t.Errorf("hold: %+v", hs[0])
			}
			if len(tt.held) > 0 && (released(t, s, "M1", elmSt) || released(t, s, "M1", "1 OAK ST, SPRINGFIELD IL 62704")) {
				t.Errorf("a piece of a held member released")
			}
		})
	}
}

// TestConflictForAnotherMemberHoldsBoth: upstream re-sends an event the
// store applied for M1 under M2. The store keeps what it applied, and
// holds both members: M2, whose move it may be, and M1, whose move there
// is disputed (field member_id, from the version's effective time).
func TestConflictForAnotherMemberHoldsBoth(t *testing.T) {
	s := MustOpen(t)
	holdsFeed(t, s,
		"E1,M1,2020-01-01,2020-01-02,Ada Lovelace,1 Oak St,,Springfield,IL,62704",
		"E2,M2,2020-01-01,2020-01-02,Alan Turing,5 Pine St,,Springfield,IL,62704",
		"E5,M1,2023-01-01,2023-01-02,,9 Elm St,,Springfield,IL,62704")
	rep := holdsFeed(t, s, "E5,M2,2023-01-01,2023-01-02,,9 Elm St,,Springfield,IL,62704")
	hs := standing(t, s)
	if d := cmp.Diff([]string{"M1/E5", "M2/E5"}, holdNames(hs)); d != "" || rep.Held != 2 || rep.Conflicts != 1 {
		t.Fatalf("holds (-want +got):\n%s\nreport %+v", d, rep)
	}
	if hs[0].Field != "member_id" || !hs[0].Effective.Equal(day("2023-01-01")) || hs[1].Field != "event_id" {
		t.Errorf("holds: %+v", hs)
	}
	if released(t, s, "M1", elmSt) {
		t.Error("M1's piece to 9 Elm St released, though the move there is disputed")
	}
	// The content the store applied, sent again, ends M1's hold.
	rep = holdsFeed(t, s, "E5,M1,2023-01-01,2023-01-02,,9 Elm St,,Springfield,IL,62704")
	if d := cmp.Diff([]string{"M2/E5"}, holdNames(standing(t, s))); d != "" || rep.HoldsEnded != 1 {
		t.Errorf("holds after E5 for M1 again (-want +got):\n%s\nreport %+v", d, rep)
	}
}

// TestTieHoldsMember: two versions of one member with the same effective
// and recorded times (a move and its same-day correction, in dates alone)
// and other addresses are ordered by event id, as text: which is in force
// says nothing of the member. Apply holds the member by each, whether the
// other is in the same feed or in the store already; a later move
// supersedes the holds, and no event ends them. Versions that tie at the
// same address hold no one.
func TestTieHoldsMember(t *testing.T) {
	const (
		e9  = "E9,M1,2019-01-01,2019-01-02,Ada Lovelace,1 Oak St,,Springfield,IL,62704"
		e10 = "E10,M1,2019-01-01,2019-01-02,Ada Lovelace,9 Elm St,,Springfield,IL,62704"
		oak = "1 OAK ST, SPRINGFIELD IL 62704"
	)
	tests := []struct {
		name  string
		feeds [][]string
		held  []string
	}{
		{"in one feed", [][]string{{e9, e10}}, []string{"M1/E10", "M1/E9"}},
		{"with the store", [][]string{{e9}, {e10}}, []string{"M1/E10", "M1/E9"}},
		{"with the store, the other way", [][]string{{e10}, {e9}}, []string{"M1/E10", "M1/E9"}},
		{"a move and an undeliverable event", [][]string{{e9}, {"U1,M1,2019-01-01,2019-01-02,,,,,,,undeliverable"}}, []string{"M1/E9", "M1/U1"}},
		{"at the same address", [][]string{{e9}, {"E10,M1,2019-01-01,2019-01-02,Ada Lovelace,1 Oak Street,,Springfield,IL,62704"}}, nil},
		{"recorded apart", [][]string{{e9}, {"E10,M1,2019-01-01,2019-01-03,Ada Lovelace,9 Elm St,,Springfield,IL,62704"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			held := 0
			for _, f := range tt.feeds {
				held += kindFeed(t, s, f...).Held
			}
			hs := standing(t, s)
			if d := cmp.Diff(tt.held, holdNames(hs)); d != "" || held != len(tt.held) {
				t.Fatalf("holds (-want +got):\n%s\n%d counted", d, held)
			}
			if len(hs) == 0 {
				return
			}
			for _, h := range hs {
				if h.Field != "recorded" || !h.Effective.Equal(day("2019-01-01")) {
					t.Errorf("hold: %+v", h)
				}
			}
			if released(t, s, "M1", oak) || released(t, s, "M1", elmSt) {
				t.Error("a piece to either address released")
			}
			// The same events again end nothing.
			for _, f := range tt.feeds {
				kindFeed(t, s, f...)
			}
			if d := cmp.Diff(tt.held, holdNames(standing(t, s))); d != "" {
				t.Errorf("holds after the feeds again (-want +got):\n%s", d)
			}
			// A later move supersedes them.
			holdsFeed(t, s, "E20,M1,2020-06-01,2020-06-02,Ada Lovelace,55 Park Ave,Apt 4B,New York,NY,10016")
			if !released(t, s, "M1", parkAve) {
				t.Error("a piece to the later move's address not released")
			}
		})
	}
}
