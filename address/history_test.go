package address_test

import (
	"slices"
	"testing"
	"time"

	"github.com/printgate/printgate/address"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func version(id, effective string, kind address.VersionKind, addr string) address.Version {
	v := address.Version{EventID: id, Effective: day(effective), Recorded: day(effective), Kind: kind}
	if addr != "" {
		v.Address = address.MustParse(addr)
		v.Key = v.Address.Key()
	}
	return v
}

func TestClassify(t *testing.T) {
	const (
		oak   = "100 OAK ST APT 4B, SPRINGFIELD IL 62704"
		oak12 = "100 OAK ST APT 12C, SPRINGFIELD IL 62704"
		elm   = "200 ELM AVE, SPRINGFIELD IL 62704"
		pine  = "300 PINE RD, SPRINGFIELD IL 62704"
		// Two secondary units: a building of a complex and a unit in it.
		bldg3 = "400 CEDAR LN BLDG 3 APT 4, SPRINGFIELD IL 62704"
		bldg5 = "400 CEDAR LN BLDG 5 APT 4, SPRINGFIELD IL 62704"
		// Two halls of a college at one street address: one delivery
		// point, two buildings.
		jones = "JONES HALL, 123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704"
		smith = "SMITH HALL, 123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704"
	)
	moved := history("M1",
		version("e1", "2018-01-01", address.Moved, oak),
		version("e2", "2019-10-03", address.Moved, elm))
	returned := history("M2",
		version("e1", "2018-01-01", address.Moved, oak),
		version("e2", "2019-10-03", address.Undeliverable, ""))
	returnedThenMoved := history("M3",
		version("e1", "2018-01-01", address.Moved, oak),
		version("e2", "2019-10-03", address.Undeliverable, ""),
		version("e3", "2020-01-01", address.Moved, elm))
	sameBuilding := history("M4",
		version("e1", "2018-01-01", address.Moved, oak),
		version("e2", "2019-10-03", address.Moved, oak12))
	otherBuilding := history("M7",
		version("e1", "2018-01-01", address.Moved, bldg3),
		version("e2", "2019-10-03", address.Moved, bldg5))
	halls := history("M8",
		version("e1", "2018-01-01", address.Moved, jones),
		version("e2", "2019-10-03", address.Moved, smith))
	// A source may give a version's key alone, or its address alone.
	keyOnly, noKey := moved, moved
	keyOnly.Versions, noKey.Versions = slices.Clone(moved.Versions), slices.Clone(moved.Versions)
	for i := range keyOnly.Versions {
		keyOnly.Versions[i].Address = address.Address{}
		noKey.Versions[i].Key = ""
	}
	movedBack := history("M5",
		version("e1", "2018-01-01", address.Moved, oak),
		version("e2", "2019-01-01", address.Moved, elm),
		version("e3", "2019-06-01", address.Moved, oak))
	tests := []struct {
		name    string
		h       address.History
		printed string
		asOf    string
		want    address.Status
		version int
		since   string
		kind    address.MatchKind
	}{
		{"current", moved, elm, "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"formatting variant is current", moved, "200 Elm Avenue, Springfield, Illinois 62704-1234", "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"former address is stale since the move", moved, oak, "2020-06-01", address.Stale, 0, "2019-10-03", address.Different},
		{"new address within the window", moved, elm, "2019-10-20", address.RecentlyChanged, 1, "2019-10-03", address.Equivalent},
		{"window ends after 30 days", moved, elm, "2019-11-03", address.Current, 1, "", address.Equivalent},
		{"old address with a move pending", moved, oak, "2019-09-20", address.PendingChange, 0, "2019-10-03", address.Equivalent},
		{"the future address, not yet in force", moved, elm, "2019-09-20", address.PendingChange, 1, "2019-10-03", address.Different},
		{"never the member's", moved, pine, "2020-06-01", address.UnknownAddress, 1, "", address.Different},
		{"never the member's, with a move pending", moved, pine, "2019-09-20", address.UnknownAddress, 0, "", address.Different},
		{"in force 30 days to the day is current", moved, elm, "2019-11-02", address.Current, 1, "", address.Equivalent},
		{"in force 29 days is recent", moved, elm, "2019-11-01", address.RecentlyChanged, 1, "2019-10-03", address.Equivalent},
		{"keys alone: the one in force is current", keyOnly, "200 Elm Avenue, Springfield IL 62704", "2020-06-01", address.Current, 1, "", address.Different},
		{"keys alone: the former is stale", keyOnly, oak, "2020-06-01", address.Stale, 0, "2019-10-03", address.Different},
		{"keys alone: another is unknown", keyOnly, pine, "2020-06-01", address.UnknownAddress, 1, "", address.Different},
		{"addresses alone: the one in force is current", noKey, elm, "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"addresses alone: the former is stale", noKey, oak, "2020-06-01", address.Stale, 0, "2019-10-03", address.Different},
		{"addresses alone: the future is pending", noKey, elm, "2019-09-20", address.PendingChange, 1, "2019-10-03", address.Different},
		{"a typo of the current one is unknown, similar", moved, "200 ELM AVE, SPRINGFEILD IL 62704", "2020-06-01", address.UnknownAddress, 1, "", address.Similar},
		{"before any address", moved, oak, "2017-01-01", address.PendingChange, 0, "2018-01-01", noMatch},
		{"mail came back", returned, oak, "2020-06-01", address.UndeliverableAddress, 0, "2019-10-03", address.Equivalent},
		{"mail came back, then a move", returnedThenMoved, elm, "2020-06-01", address.Current, 2, "", address.Equivalent},
		{"returned address after the move is stale", returnedThenMoved, oak, "2020-06-01", address.Stale, 0, "2020-01-01", address.Different},
		{"a move within one building: old unit is stale", sameBuilding, oak, "2020-06-01", address.Stale, 0, "2019-10-03", address.Different},
		{"a move within one building: new unit is current", sameBuilding, oak12, "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"a move to the same unit of another building: the old building is stale", otherBuilding, bldg3, "2020-06-01", address.Stale, 0, "2019-10-03", address.Different},
		{"a move to the same unit of another building: the new one is current", otherBuilding, bldg5, "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"two units written in the other order are current", otherBuilding, "400 Cedar Lane, Apt 4, Building 5, Springfield IL 62704", "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"the unit without its building is unknown", otherBuilding, "400 CEDAR LN APT 4, SPRINGFIELD IL 62704", "2020-06-01", address.UnknownAddress, 1, "", address.Different},
		{"the hall in force is current", halls, smith, "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"the hall in force, written otherwise, is current", halls, "The Smith Hall, 123 College Avenue Room 5, Springfield IL 62704", "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"no hall printed agrees with the one in force", halls, "123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704", "2020-06-01", address.Current, 1, "", address.Equivalent},
		{"the former hall at the same number is stale", halls, jones, "2020-06-01", address.Stale, 0, "2019-10-03", address.Different},
		{"a hall never the member's is unknown, in the building", halls, "BROWN HALL, 123 COLLEGE AVE RM 5, SPRINGFIELD IL 62704", "2020-06-01", address.UnknownAddress, 1, "", address.Different},
		{"moved back: current wins over former", movedBack, oak, "2020-06-01", address.Current, 2, "", address.Equivalent},
		{"moved back: the between address is stale", movedBack, elm, "2020-06-01", address.Stale, 1, "2019-06-01", address.Different},
		{"no versions at all", address.History{MemberID: "M6"}, oak, "2020-06-01", address.UnknownAddress, -1, "", noMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := address.Classify(address.MustParse(tt.printed), tt.h, day(tt.asOf), 0)
			var since time.Time
			if tt.since != "" {
				since = day(tt.since)
			}
			if f.Status != tt.want || f.Version != tt.version || !f.Since.Equal(since) || f.Match.Kind != tt.kind {
				t.Errorf("Classify = {%s version %d since %v match %s}, want {%s version %d since %v match %s}",
					f.Status, f.Version, f.Since.Format(time.DateOnly), f.Match.Kind,
					tt.want, tt.version, since.Format(time.DateOnly), tt.kind)
			}
		})
	}
}

// noMatch is the zero MatchKind: Classify had no address in force to compare with.
const noMatch = address.MatchKind(0)

func history(id string, vs ...address.Version) address.History {
	return address.History{MemberID: id, Versions: vs}
}

func TestStatusText(t *testing.T) {
	for s := address.Current; s <= address.UnappliedChange; s++ {
		b, _ := s.MarshalText()
		var back address.Status
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%v: round trip gives %v, %v", s, back, err)
		}
	}
	if got := address.UndeliverableAddress.String(); got != "undeliverable" {
		t.Errorf("UndeliverableAddress prints %q", got)
	}
	for _, s := range []address.Status{0, address.UnappliedChange + 1} {
		if got := s.String(); got != "unknown" {
			t.Errorf("Status(%d) prints %q, want unknown", int(s), got)
		}
	}
	for _, text := range []string{"", "unknown"} {
		var s address.Status
		if err := s.UnmarshalText([]byte(text)); err == nil {
			t.Errorf("%q parses as %v, want an error", text, s)
		}
	}
	var s address.Status
	if err := s.UnmarshalText([]byte("bogus")); err == nil {
		t.Error("no error for an unknown status")
	}
}

// checkText checks a type that prints and parses as words: each value of
// names prints and marshals as its word and parses back; a word of
// "unknown" is a value that prints so and is not parsed; no word of bad
// parses.
func checkText[T ~uint8, PT interface {
	*T
	String() string
	MarshalText() ([]byte, error)
	UnmarshalText([]byte) error
}](t *testing.T, names map[T]string, bad []string) {
	t.Helper()
	for v, want := range names {
		if got := PT(&v).String(); got != want {
			t.Errorf("%T(%d) prints %q, want %q", v, v, got, want)
		}
		if got, err := PT(&v).MarshalText(); err != nil || string(got) != want {
			t.Errorf("%T(%d) marshals as %q, %v; want %q", v, v, got, err, want)
		}
		if want == "unknown" {
			continue
		}
		var back T
		if err := PT(&back).UnmarshalText([]byte(want)); err != nil || back != v {
			t.Errorf("%q parses as %d, %v; want %d", want, back, err, v)
		}
	}
	for _, text := range bad {
		var v T
		if err := PT(&v).UnmarshalText([]byte(text)); err == nil {
			t.Errorf("%q parses as %T(%d), want an error", text, v, v)
		}
	}
}

// TestVersionKindText: each kind prints as the word of change events and
// parses back, the empty word as Moved; the zero kind and one out of range
// print as "unknown", and no other word parses.
func TestVersionKindText(t *testing.T) {
	checkText(t, map[address.VersionKind]string{
		address.Moved:             "address",
		address.Undeliverable:     "undeliverable",
		0:                         "unknown",
		address.Undeliverable + 1: "unknown",
	}, []string{"unknown", "bogus", "Address", "moved"})
	var k address.VersionKind
	if err := k.UnmarshalText(nil); err != nil || k != address.Moved {
		t.Errorf("the empty kind parses as %v, %v; want address", k, err)
	}
}

// TestFieldText: the fields' names, as Match.Differs and ParseError name
// them in outputs, print and parse back; no other word parses.
func TestFieldText(t *testing.T) {
	checkText(t, map[address.Field]string{
		address.FieldNone: "none", address.FieldNumber: "number", address.FieldPreDir: "predir",
		address.FieldStreet: "street", address.FieldSuffix: "suffix", address.FieldPostDir: "postdir",
		address.FieldUnit: "unit", address.FieldUnitNum: "unit_number", address.FieldPMB: "pmb",
		address.FieldRoute: "route", address.FieldRouteNum: "route_number", address.FieldBox: "box",
		address.FieldCity: "city", address.FieldState: "state", address.FieldZIP: "zip",
		address.FieldZIP4: "zip4", address.FieldLine1: "line1", address.FieldLine2: "line2",
		address.FieldLine: "line", address.FieldUnit2: "unit2", address.FieldUnit2Num: "unit2_number",
		address.FieldBuilding: "building",
	}, []string{"", "unknown", "Street", "zip+4", "field(3)"})
}

// TestMatchKindText: each kind prints as its word and parses back; the
// zero kind and one out of range print as "unknown", and no other word
// parses.
func TestMatchKindText(t *testing.T) {
	checkText(t, map[address.MatchKind]string{
		address.Equivalent:    "equivalent",
		address.Similar:       "similar",
		address.Different:     "different",
		0:                     "unknown",
		address.Different + 1: "unknown",
	}, []string{"", "unknown", "Equivalent", "same"})
}

// TestDecisionText: each decision prints as its word and parses back; the
// zero decision and one out of range print as "unknown", and no word but
// the three parses (reports are read back by review tools).
func TestDecisionText(t *testing.T) {
	checkText(t, map[address.Decision]string{
		address.Release:    "release",
		address.Quarantine: "quarantine",
		address.Block:      "block",
		0:                  "unknown",
		address.Block + 1:  "unknown",
	}, []string{"", "unknown", "bogus", "Release", "release "})
}

// TestUnappliedAt: an unapplied event stands unless its time is known and
// before that of the address in force, another event's; so a move upstream
// sends under a new id, once in force, supersedes a bad row before it.
func TestUnappliedAt(t *testing.T) {
	const (
		oak = "100 OAK ST, SPRINGFIELD IL 62704"
		elm = "200 ELM AVE, SPRINGFIELD IL 62704"
	)
	held := func(id, effective string) address.UnappliedEvent {
		u := address.UnappliedEvent{EventID: id, Field: "zip"}
		if effective != "" {
			u.Effective = day(effective)
		}
		return u
	}
	// Oak from 2020; a move to Elm from 2023-12-12 (E3), then mail to Elm
	// came back (E4).
	vs := []address.Version{
		version("E1", "2020-01-01", address.Moved, oak),
		version("E3", "2023-12-12", address.Moved, elm),
		version("E4", "2024-03-01", address.Undeliverable, ""),
	}
	for _, c := range []struct {
		name      string
		versions  []address.Version
		unapplied []address.UnappliedEvent
		at        string
		want      []string // the event ids that stand
	}{
		{"none", vs, nil, "2024-01-01", nil},
		{"before the later move", vs, []address.UnappliedEvent{held("E2", "2023-12-10")}, "2024-01-01", nil},
		{"as of before the later move took effect", vs, []address.UnappliedEvent{held("E2", "2023-12-10")}, "2023-12-11", []string{"E2"}},
		{"as of the day the later move took effect", vs, []address.UnappliedEvent{held("E2", "2023-12-10")}, "2023-12-12", nil},
		{"on the day of the address in force", vs, []address.UnappliedEvent{held("E2", "2023-12-12")}, "2024-01-01", []string{"E2"}},
		{"after the address in force", vs, []address.UnappliedEvent{held("E2", "2023-12-20")}, "2024-01-01", []string{"E2"}},
		{"time unknown", vs, []address.UnappliedEvent{held("E2", "")}, "2024-01-01", []string{"E2"}},
		{"the address in force is its own event's", vs, []address.UnappliedEvent{held("E3", "2023-12-01")}, "2024-01-01", []string{"E3"}},
		{"an older version is its own event's", vs, []address.UnappliedEvent{held("E1", "2019-06-01")}, "2024-01-01", nil},
		{"an undeliverable mark is no move", vs, []address.UnappliedEvent{held("E2", "2024-02-01")}, "2024-04-01", []string{"E2"}},
		{"no address in force", vs, []address.UnappliedEvent{held("E2", "2019-06-01")}, "2019-12-31", []string{"E2"}},
		{"no versions", nil, []address.UnappliedEvent{held("E2", "2019-06-01")}, "2024-01-01", []string{"E2"}},
		{"the first version in force", vs[:1], []address.UnappliedEvent{held("E0", "2019-06-01")}, "2024-01-01", nil},
		{"some stand", vs, []address.UnappliedEvent{held("E2", "2023-12-10"), held("E5", ""), held("E6", "2021-01-01"), held("E7", "2023-12-13")}, "2024-01-01", []string{"E5", "E7"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := address.History{MemberID: "M1", Versions: c.versions, Unapplied: c.unapplied}
			var got []string
			for _, u := range h.UnappliedAt(day(c.at)) {
				got = append(got, u.EventID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("UnappliedAt(%s) = %v, want %v", c.at, got, c.want)
			}
			if len(h.Unapplied) != len(c.unapplied) {
				t.Errorf("h.Unapplied changed: %d events, want %d", len(h.Unapplied), len(c.unapplied))
			}
		})
	}
}

func TestUnappliedDetail(t *testing.T) {
	e := func(id, field string) address.UnappliedEvent {
		return address.UnappliedEvent{EventID: id, Field: field}
	}
	for _, c := range []struct {
		us   []address.UnappliedEvent
		want string
	}{
		{nil, ""},
		{[]address.UnappliedEvent{e("E7", "zip")}, "a change event for the member could not be applied: event E7, field zip"},
		{[]address.UnappliedEvent{e("E7", "")}, "a change event for the member could not be applied: event E7"},
		{[]address.UnappliedEvent{e("", "effective")}, "a change event for the member could not be applied: field effective"},
		{[]address.UnappliedEvent{e("", "")}, "a change event for the member could not be applied"},
		{[]address.UnappliedEvent{e("E7", "zip"), e("E9", "line1"), e("", "")}, "a change event for the member could not be applied: event E7, field zip (and 2 more)"},
	} {
		if got := address.UnappliedDetail(c.us); got != c.want {
			t.Errorf("UnappliedDetail(%v) = %q, want %q", c.us, got, c.want)
		}
	}
}
