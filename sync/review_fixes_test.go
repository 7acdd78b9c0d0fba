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
