package sync

import (
	"testing"

	"github.com/printgate/printgate/address"
)

// TestStoredAddr: an address stored next to its key reads back the same,
// in a few bytes when the key holds its fields.
func TestStoredAddr(t *testing.T) {
	for _, tc := range []struct {
		line1, line2, city, state, zip string
		maxLen                         int // the most bytes the stored form may take
	}{
		{"8454 Kingston Path", "", "Providence", "RI", "02903-7174", 5},
		{"12 N Main St", "Apt 4B", "Springfield", "IL", "62701", 5},
		{"12 N Main St", "Ste 200", "Springfield", "IL", "62701-1234", 9},
		{"12 N Main St", "# 7", "Springfield", "IL", "62701", 1},
		{"PO Box 145", "", "Anchorage", "AK", "99501", 1},
		{"RR 2 Box 18", "", "Lexington", "KY", "40502", 1},
		{"500 First Ave", "Unit 3", "Saint Paul", "MN", "55101", 60}, // FIRST and SAINT have keys of their own
		{"1 O'Hare Way", "", "Chicago", "IL", "60666", 60},           // the key drops the apostrophe
		{"200 Main St", "PMB 12", "Boston", "MA", "02108", 1},
		{"7 Ocean Dr", "Bldg C", "Miami", "FL", "33139", 1},
		// Two units: the key lists them in its own order, so the address
		// is stored whole.
		{"7 Ocean Dr", "Bldg C Apt 4", "Miami", "FL", "33139", 60},
		{"7 Ocean Dr Apt 4", "Bldg C", "Miami", "FL", "33139-1234", 60},
	} {
		a, err := address.ParseFields(tc.line1, tc.line2, tc.city, tc.state, tc.zip)
		if err != nil {
			t.Fatalf("%q: %v", tc.line1, err)
		}
		key := a.Key()
		stored := appendStoredAddr(nil, a, key)
		if len(stored) > tc.maxLen {
			t.Errorf("%s: stored in %d bytes (%q), want at most %d", a, len(stored), stored, tc.maxLen)
		}
		var got address.Address
		if err := loadStoredAddr(&got, string(stored), key); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if got != a {
			t.Errorf("stored %q reads back as %#v, want %#v", stored, got, a)
		}
		// Stores written before the short form hold every address whole.
		whole, _ := a.MarshalBinary()
		if err := loadStoredAddr(&got, string(whole), key); err != nil || got != a {
			t.Errorf("%s stored whole reads back as %#v, %v", a, got, err)
		}
	}
	// An undeliverable version stores nothing and reads as no address.
	if b := appendStoredAddr(nil, address.Address{}, ""); len(b) != 0 {
		t.Errorf("the zero address stored as %q", b)
	}
	var a address.Address
	if err := loadStoredAddr(&a, "", ""); err != nil || !a.IsZero() {
		t.Errorf("empty stored address: %v, %v", a, err)
	}
	// A short form with a key that is not one is an error.
	if err := loadStoredAddr(&a, "\x001234", "not a key"); err == nil {
		t.Error("short form with a malformed key: no error")
	}
}

// FuzzStoredAddr: every address the parser makes reads back the same from
// its stored form.
func FuzzStoredAddr(f *testing.F) {
	f.Add("12 N Main St", "Apt 4B", "Springfield", "IL", "62701-1234")
	f.Add("500 First Ave", "Ste 3", "Saint Paul", "MN", "55101")
	f.Add("PO Box 145", "", "Anchorage", "AK", "99501")
	f.Add("7 Ocean Dr Bldg C", "Apt 4", "Miami", "FL", "33139")
	f.Fuzz(func(t *testing.T, line1, line2, city, state, zip string) {
		a, err := address.ParseFields(line1, line2, city, state, zip)
		if err != nil {
			return
		}
		key := a.Key()
		stored := appendStoredAddr(nil, a, key)
		var got address.Address
		if err := loadStoredAddr(&got, string(stored), key); err != nil {
			t.Fatalf("%#v stored as %q: %v", a, stored, err)
		}
		if got != a {
			t.Fatalf("%#v stored as %q reads back as %#v", a, stored, got)
		}
	})
}
