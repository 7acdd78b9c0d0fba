package sync_test

import (
	"context"
	"testing"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// TestTwoUnitsInTheStore: a member who moves from one building of a
// complex to the same unit number in another is stored with both units of
// each address, reads them back as parsed, and a piece printed to the old
// building is stale while one printed to the new, its units in the other
// order, is current.
func TestTwoUnitsInTheStore(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	first := pgsync.Event{ID: "e1", MemberID: "M1", Name: "Jane Roe", Effective: day("2020-01-01"), Recorded: day("2020-01-02"),
		Line1: "400 Cedar Ln", Line2: "Bldg 3 Apt 4", City: "Springfield", State: "IL", ZIP: "62704"}
	second := pgsync.Event{ID: "e2", MemberID: "M1", Effective: day("2022-01-01"), Recorded: day("2022-01-02"),
		Line1: "Building 5", Line2: "400 Cedar Lane Apartment 4", City: "Springfield", State: "IL", ZIP: "62704-1234"}
	rep := mustApply(t, s, []pgsync.Event{first, second}, pgsync.ApplyOptions{})
	if rep.Applied != 2 || rep.Bad != 0 {
		t.Fatalf("apply: %+v", rep)
	}
	h, err := s.History(ctx, "M1")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Versions) != 2 {
		t.Fatalf("%d versions, want 2", len(h.Versions))
	}
	for i, ev := range []pgsync.Event{first, second} {
		want, err := address.ParseFields(ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP)
		if err != nil {
			t.Fatal(err)
		}
		v := h.Versions[i]
		if v.Address != want || v.Key != want.Key() || v.Address.Unit2 == "" {
			t.Errorf("version %d: address %#v key %q, want %#v key %q", i, v.Address, v.Key, want, want.Key())
		}
	}
	asOf := day("2023-01-01")
	for _, tc := range []struct {
		printed string
		want    address.Status
	}{
		{"400 CEDAR LN BLDG 3 APT 4, SPRINGFIELD IL 62704", address.Stale},
		{"400 Cedar Ln Bldg 5 Apt 4, Springfield IL 62704", address.Current},
		{"400 Cedar Ln Apt 4 Bldg 5, Springfield IL 62704", address.Current},
		{"400 Cedar Ln Apt 4, Springfield IL 62704", address.UnknownAddress},
	} {
		if f := address.Classify(address.MustParse(tc.printed), h, asOf, 0); f.Status != tc.want {
			t.Errorf("%s: %s, want %s", tc.printed, f.Status, tc.want)
		}
	}
}
