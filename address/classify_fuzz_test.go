package address_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/printgate/printgate/address"
)

// classifyAddrs are the addresses FuzzClassify's histories are made of;
// the last is never a version's, so a piece printed to it is unknown.
var classifyAddrs = []address.Address{
	address.MustParse("100 OAK ST, SPRINGFIELD IL 62704"),
	address.MustParse("200 ELM AVE APT 4B, SPRINGFIELD IL 62704"),
	address.MustParse("200 ELM AVE APT 12C, SPRINGFIELD IL 62704"),
	address.MustParse("9 PINE RD, CHICAGO IL 60601"),
}

// versionLess is the order of a history: by Effective, then Recorded, then
// EventID.
func versionLess(a, b address.Version) bool {
	return cmp.Or(a.Effective.Compare(b.Effective), a.Recorded.Compare(b.Recorded), cmp.Compare(a.EventID, b.EventID)) < 0
}

// classifyOracle is Classify's rule as its documentation states it,
// written without the history's order: each "newest" and "next" is found
// by versionLess over all versions. It returns the status, the version
// judged against (-1 for none) and since when.
func classifyOracle(printed address.Address, vs []address.Version, asOf time.Time, recent time.Duration) (address.Status, int, time.Time) {
	key := printed.Key()
	cur := -1 // the address in force: the newest move at or before asOf
	for i, v := range vs {
		if v.Kind == address.Moved && !v.Effective.After(asOf) && (cur < 0 || versionLess(vs[cur], v)) {
			cur = i
		}
	}
	// next returns the first move after version i, or -1.
	next := func(i int) int {
		n := -1
		for j, v := range vs {
			if v.Kind == address.Moved && versionLess(vs[i], v) && (n < 0 || versionLess(v, vs[n])) {
				n = j
			}
		}
		return n
	}
	if cur >= 0 && vs[cur].Key == key {
		und := -1 // the newest undeliverable mark after the address in force, at or before asOf
		for i, v := range vs {
			if v.Kind == address.Undeliverable && !v.Effective.After(asOf) && versionLess(vs[cur], v) && (und < 0 || versionLess(vs[und], v)) {
				und = i
			}
		}
		n := next(cur)
		switch {
		case und >= 0:
			return address.UndeliverableAddress, cur, vs[und].Effective
		case n >= 0 && !vs[n].Effective.After(asOf.Add(recent)):
			return address.PendingChange, cur, vs[n].Effective
		case asOf.Sub(vs[cur].Effective) < recent:
			return address.RecentlyChanged, cur, vs[cur].Effective
		}
		return address.Current, cur, time.Time{}
	}
	stale := -1 // the newest former address with the printed key
	for i, v := range vs {
		if cur >= 0 && v.Kind == address.Moved && v.Key == key && versionLess(v, vs[cur]) && (stale < 0 || versionLess(vs[stale], v)) {
			stale = i
		}
	}
	if stale >= 0 {
		var since time.Time
		if n := next(stale); n >= 0 {
			since = vs[n].Effective
		}
		return address.Stale, stale, since
	}
	future := -1 // the first future address with the printed key
	for i, v := range vs {
		if v.Kind == address.Moved && v.Effective.After(asOf) && v.Key == key && (future < 0 || versionLess(v, vs[future])) {
			future = i
		}
	}
	if future >= 0 {
		return address.PendingChange, future, vs[future].Effective
	}
	return address.UnknownAddress, cur, time.Time{}
}

// FuzzClassify checks Classify against its documented rule on histories
// of up to eight versions, moves and undeliverable marks among three
// addresses, on few days, so that times tie: each byte pair is a version
// (its kind, address, effective day and recorded hour); the first bytes
// pick the printed address, the day judged and the recent window.
func FuzzClassify(f *testing.F) {
	f.Add([]byte{0, 5, 2, 0x00, 0x10, 0x21, 0x33, 0x80})
	f.Add([]byte{1, 3, 1, 0x01, 0x12, 0x12, 0x93, 0x04})
	f.Add([]byte{2, 9, 4, 0x07, 0x17, 0x27, 0x87, 0x97})
	day0 := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		printed := classifyAddrs[int(data[0])%len(classifyAddrs)]
		asOf := day0.AddDate(0, 0, int(data[1])%12)
		recent := time.Duration(1+int(data[2])%4) * 24 * time.Hour
		var vs []address.Version
		for i, b := range data[3:min(len(data), 3+8)] {
			v := address.Version{
				EventID:   fmt.Sprintf("E%d", i),
				Effective: day0.AddDate(0, 0, int(b&0x0f)%10),
				Recorded:  day0.Add(time.Duration(b>>6) * time.Hour),
				Kind:      address.Moved,
			}
			if b&0x30 == 0x30 {
				v.Kind = address.Undeliverable
			} else {
				v.Address = classifyAddrs[int(b>>4&0x03)%3]
				v.Key = v.Address.Key()
			}
			vs = append(vs, v)
		}
		// A source gives the versions in order.
		slices.SortFunc(vs, func(a, b address.Version) int {
			if versionLess(a, b) {
				return -1
			}
			if versionLess(b, a) {
				return 1
			}
			return 0
		})
		got := address.Classify(printed, address.History{MemberID: "M1", Versions: vs}, asOf, recent)
		status, version, since := classifyOracle(printed, vs, asOf, recent)
		if got.Status != status || got.Version != version || !got.Since.Equal(since) {
			t.Errorf("printed %q as of %s, recent %s:\n%s\nClassify: %s, version %d, since %s\nthe rule: %s, version %d, since %s",
				printed, asOf.Format("01-02"), recent, describe(vs), got.Status, got.Version, got.Since.Format("01-02"), status, version, since.Format("01-02"))
		}
		// What Classify releases is the address in force, with no mark and
		// no move near.
		if got.Status == address.Current && (version < 0 || vs[version].Key != printed.Key()) {
			t.Errorf("Current for an address not in force")
		}
	})
}

func describe(vs []address.Version) string {
	s := ""
	for i, v := range vs {
		s += fmt.Sprintf("  %d %s eff %s rec %s %s %q\n", i, v.EventID, v.Effective.Format("01-02"), v.Recorded.Format("15h"), v.Kind, v.Address)
	}
	return s
}
