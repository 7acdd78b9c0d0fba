package address

import "testing"

// TestCheckerSameName: the checker's remembered SameName answers as
// SameName does, whatever the names before it, the first call included.
func TestCheckerSameName(t *testing.T) {
	var c checker
	for _, names := range [][2]string{
		{"", ""},
		{"", ""},
		{"ADA LOVELACE", "Ada Lovelace"},
		{"ADA LOVELACE", "Ada Lovelace"},
		{"ADA LOVELACE", "Grace Hopper"},
		{"A. LOVELACE", "Ada Lovelace"},
		{"ADA LOVELACE", "Ada Lovelace"},
		{"", "Ada Lovelace"},
	} {
		if got, want := c.sameName(names[0], names[1]), SameName(names[0], names[1]); got != want {
			t.Errorf("sameName(%q, %q) = %v, SameName %v", names[0], names[1], got, want)
		}
	}
}
