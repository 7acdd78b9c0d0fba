package address

import (
	"slices"
	"testing"
)

// TestTwoUnitsAreASet: over every way of filling the two secondary units of
// two addresses from a few units, Compare is symmetric to the fields it
// lists, Equivalent exactly when the keys are equal, and that exactly when
// the two addresses hold the same units, in either order.
func TestTwoUnitsAreASet(t *testing.T) {
	units := [][2]string{{"", ""}, {"APT", "4"}, {"#", "4"}, {"APT", "3"}, {"BLDG", "3"}, {"BLDG", "4"}, {"REAR", ""}}
	base := Address{Number: "400", Street: "CEDAR", Suffix: "LN", City: "SPRINGFIELD", State: "IL", ZIP: "62704"}
	with := func(u, v [2]string) Address {
		a := base
		a.Unit, a.UnitNum, a.Unit2, a.Unit2Num = u[0], u[1], v[0], v[1]
		return a
	}
	class := func(u [2]string) [2]string { return [2]string{unitClass(u[0]), u[1]} }
	sameSet := func(u1, u2, v1, v2 [2]string) bool {
		u1, u2, v1, v2 = class(u1), class(u2), class(v1), class(v2)
		return u1 == v1 && u2 == v2 || u1 == v2 && u2 == v1
	}
	n := 0
	for _, u1 := range units {
		for _, u2 := range units {
			for _, v1 := range units {
				for _, v2 := range units {
					a, b := with(u1, u2), with(v1, v2)
					ab, ba := Compare(a, b), Compare(b, a)
					if ab.Kind != ba.Kind || !slices.Equal(ab.Differs, ba.Differs) {
						t.Errorf("%v / %v: not symmetric: %+v, %+v", a, b, ab, ba)
					}
					eq := ab.Kind == Equivalent
					if eq != (a.Key() == b.Key()) {
						t.Errorf("%v / %v: %s, keys %q %q", a, b, ab.Kind, a.Key(), b.Key())
					}
					if eq != sameSet(u1, u2, v1, v2) {
						t.Errorf("%v / %v: %s, same units %v", a, b, ab.Kind, !eq)
					}
					for _, f := range ab.Differs {
						if f != FieldUnit && f != FieldUnitNum && f != FieldUnit2 && f != FieldUnit2Num {
							t.Errorf("%v / %v: differs in %v", a, b, f)
						}
					}
					n++
				}
			}
		}
	}
	if n != 7*7*7*7 {
		t.Fatalf("%d pairs", n)
	}
}

// TestTwoUnitsOnALineOfTheirOwn: when the delivery line is too long, both
// units (and a PMB) go on the line above it, and read back from there.
func TestTwoUnitsOnALineOfTheirOwn(t *testing.T) {
	a, err := ParseFields("1200 Fellowship of the Evergreen Meadows Boulevard", "Bldg 12 Apt 304 PMB 5", "Springfield", "IL", "62704")
	if err != nil {
		t.Fatal(err)
	}
	lines := a.Lines()
	want := []string{"BLDG 12 APT 304 PMB 5", "1200 FELLOWSHIP OF THE EVERGREEN MEADOWS BLVD", "SPRINGFIELD IL 62704"}
	if !slices.Equal(lines, want) {
		t.Fatalf("Lines() = %q, want %q", lines, want)
	}
	b, err := ParseFields(lines[0], lines[1], a.City, a.State, a.ZIP)
	if err != nil || b != a {
		t.Errorf("the lines read back as %#v, %v; want %#v", b, err, a)
	}
}
