package sync_test

import (
	"context"
	"testing"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
	pgsync "github.com/printgate/printgate/sync"
)

// TestStoreIsAHistorySource runs the conformance check that addresstest
// offers every HistorySource on the store and on a snapshot of it, with
// histories built by hand
// from the events applied (in an order that is not the history's).
func TestStoreIsAHistorySource(t *testing.T) {
	s := MustOpen(t)
	evs := []pgsync.Event{
		move("E3", "M2", "2021-05-01", 3),
		move("E1", "M1", "2019-01-01", 1),
		move("E2", "M1", "2022-02-01", 2),
		{ID: "E4", MemberID: "M1", Effective: day("2023-01-01"), Recorded: day("2023-01-03"), Kind: address.Undeliverable},
		move("E5", "M3", "2018-07-01", 5),
	}
	evs[2].Name = "" // keeps M1's name
	mustApply(t, s, evs, pgsync.ApplyOptions{})
	version := func(ev pgsync.Event) address.Version {
		v := address.Version{EventID: ev.ID, Effective: ev.Effective, Recorded: ev.Recorded, Kind: ev.Kind, Name: ev.Name}
		if v.Kind == 0 {
			v.Kind = address.Moved
		}
		if v.Kind == address.Moved {
			a, err := address.ParseFields(ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP)
			if err != nil {
				t.Fatal(err)
			}
			v.Address = a
		}
		return v
	}
	// The store gives each version the name in force: an event with no
	// name keeps the one before.
	m1 := []address.Version{version(evs[1]), version(evs[2]), version(evs[3])}
	m1[1].Name, m1[2].Name = m1[0].Name, m1[0].Name
	want := []address.History{
		{MemberID: "M1", Versions: m1},
		{MemberID: "M2", Versions: []address.Version{version(evs[0])}},
		{MemberID: "M3", Versions: []address.Version{version(evs[4])}},
	}
	if err := addresstest.TestHistorySource(context.Background(), s, want, "M0-unknown"); err != nil {
		t.Error(err)
	}
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if err := addresstest.TestHistorySource(context.Background(), snap, want, "M0-unknown"); err != nil {
		t.Errorf("snapshot: %v", err)
	}
}
