package sync

import (
	"errors"
	"strings"

	"github.com/printgate/printgate/address"
)

// How a version's address is stored, next to its key. Most standardized
// addresses are their key but for the ZIP+4 (which the key leaves out) and
// the unit designator (which the key reduces to a class: APT, STE, UNIT
// and # are all #): such an address is stored as
//
//	0x00 ZIP4 [0x00 unit]
//
// and read back from the key, a few bytes instead of the forty or so of
// its fields. Any other address is stored whole (one with two secondary
// units among them: its key has two more fields, which fromKey refuses,
// and lists the units in an order of its own), as
// address.Address.AppendBinary writes it, which never starts with 0x00:
// the parser takes no control character into an address.
// An undeliverable version stores nothing.

// keyFields is the number of fields of a key (address.Address.Key): the
// fields of an address but the ZIP+4, '|' between each two.
const keyFields = int(address.FieldZIP) - int(address.FieldNumber) + 1

// appendStoredAddr appends to dst the stored form of a, whose key is key.
func appendStoredAddr(dst []byte, a address.Address, key string) []byte {
	if a.IsZero() {
		return dst
	}
	var k address.Address
	if fromKey(&k, key) {
		unit := ""
		if k.Unit != a.Unit {
			k.Unit, unit = a.Unit, a.Unit
		}
		k.ZIP4 = a.ZIP4
		if k == a && !strings.Contains(a.ZIP4, "\x00") {
			dst = append(append(dst, 0), a.ZIP4...)
			if unit != "" {
				dst = append(append(dst, 0), unit...)
			}
			return dst
		}
	}
	dst, _ = a.AppendBinary(dst)
	return dst
}

// loadStoredAddr sets a to the address stored as stored, whose key is key.
// Its fields are slices of stored and key.
func loadStoredAddr(a *address.Address, stored, key string) error {
	if stored == "" {
		*a = address.Address{}
		return nil
	}
	if stored[0] != 0 {
		return a.UnmarshalBinaryString(stored)
	}
	if !fromKey(a, key) {
		return errStoredAddr
	}
	zip4, unit, hasUnit := strings.Cut(stored[1:], "\x00")
	a.ZIP4 = zip4
	if hasUnit {
		a.Unit = unit
	}
	return nil
}

var errStoredAddr = errors.New("stored address does not fit its key")

// fromKey sets a to the fields of key, and reports whether key has the
// shape of one: keyFields fields.
func fromKey(a *address.Address, key string) bool {
	// One pass over the key's few dozen bytes: faster than a search per
	// field (fourteen calls, most of them for a byte or two).
	var f [keyFields]string
	n, start := 0, 0
	for i := 0; i < len(key); i++ {
		if key[i] == '|' {
			if n == keyFields-1 {
				return false
			}
			f[n], n, start = key[start:i], n+1, i+1
		}
	}
	if n != keyFields-1 {
		return false
	}
	f[n] = key[start:]
	*a = address.Address{
		Number: f[0], PreDir: f[1], Street: f[2], Suffix: f[3], PostDir: f[4],
		Unit: f[5], UnitNum: f[6], PMB: f[7], Route: f[8], RouteNum: f[9], Box: f[10],
		City: f[11], State: f[12], ZIP: f[13],
	}
	return true
}
