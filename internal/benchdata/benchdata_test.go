package benchdata

import (
	"testing"

	"github.com/printgate/printgate/address"
)

// TestAddresses checks what the package doc promises of a sample of
// members: every address parses, and a member's two versions differ.
func TestAddresses(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	fails := 0
	for i := range n {
		m := int(hash(uint64(i), 99) % Members)
		var keys [2]string
		for v := range 2 {
			l1, l2, city, st, zip := Addr(m, v)
			a, err := address.ParseFields(l1, l2, city, st, zip)
			if err != nil {
				if fails++; fails <= 20 {
					t.Errorf("member %d version %d: %q %q %q %q %q: %v", m, v, l1, l2, city, st, zip, err)
				}
				continue
			}
			keys[v] = a.Key()
		}
		if keys[0] != "" && keys[0] == keys[1] {
			t.Errorf("member %d: both versions are %s", m, keys[0])
		}
	}
	if fails > 0 {
		t.Errorf("%d of %d addresses do not parse", fails, 2*n)
	}
}

func TestMembers(t *testing.T) {
	if got := MemberID(12_345); got != "M00012345" {
		t.Errorf("MemberID(12345) = %q", got)
	}
	if MemberID(Members-1) >= "M99999999" || MemberID(9) >= MemberID(10) {
		t.Errorf("member ids do not sort as numbers")
	}
	moved := 0
	for m := range 100_000 {
		if Moved(m) {
			moved++
		}
	}
	if moved < 19_000 || moved > 21_000 {
		t.Errorf("%d of 100,000 members moved, want about 20%%", moved)
	}
	n, shuffled := 0, map[string]bool{}
	for ev, err := range Events(1000) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		shuffled[ev.ID] = true
	}
	for ev := range Shuffled(1000) {
		if !shuffled[ev.ID] {
			t.Errorf("Shuffled yields %s, which Events does not", ev.ID)
		}
		delete(shuffled, ev.ID)
	}
	if len(shuffled) > 0 {
		t.Errorf("Shuffled leaves out %d of %d events", len(shuffled), n)
	}
}
