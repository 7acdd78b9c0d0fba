package address_test

import (
	"testing"

	"github.com/printgate/printgate/address"
)

// TestBuilding: a line set aside as a building's or firm's name is kept in
// Building, as normalized words; a care-of line is no building's.
func TestBuilding(t *testing.T) {
	tests := []struct {
		name   string
		fields [5]string // ParseFields; Parse of fields[0] when the rest are empty
		want   string
	}{
		{"a hall above the street", [5]string{"Smith Hall", "123 College Ave Rm 5", "Springfield", "IL", "62704"}, "SMITH HALL"},
		{"a complex below it", [5]string{"123 Main St Apt 5", "Sunset Towers", "Springfield", "IL", "62704"}, "SUNSET TOWERS"},
		{"one line", [5]string{"The Smith Hall, 123 College Ave Rm 5, Springfield, IL 62704"}, "THE SMITH HALL"},
		{"as the parser normalizes words", [5]string{"St. Mary's  Tower", "123 Main St Apt 5", "Springfield", "IL", "62704"}, "ST MARY'S TOWER"},
		{"no building", [5]string{"123 Main St Apt 5", "", "Springfield", "IL", "62704"}, ""},
		{"a care-of line is none", [5]string{"C/O Smith Hall", "123 Main St Apt 5", "Springfield", "IL", "62704"}, ""},
		{"a unit line is none", [5]string{"123 Main St", "Apt 5", "Springfield", "IL", "62704"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fields
			var a address.Address
			var err error
			if f[1] == "" && f[2] == "" {
				a, err = address.Parse(f[0])
			} else {
				a, err = address.ParseFields(f[0], f[1], f[2], f[3], f[4])
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Building != tt.want {
				t.Errorf("Building = %q, want %q", a.Building, tt.want)
			}
			// No rendering holds it, and no key: the delivery point is the
			// same with it or without.
			b := a
			b.Building = ""
			if a.String() != b.String() || a.Key() != b.Key() || address.Compare(a, b).Kind != address.Equivalent {
				t.Errorf("the building changes String, Key or Compare: %q %q", a.String(), a.Key())
			}
		})
	}
}

func TestBuildingsAgree(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
		why  string
	}{
		{"SMITH HALL", "SMITH HALL", true, "the same"},
		{"SMITH HALL", "", true, "one side only: a system that leaves it out"},
		{"", "", true, "none"},
		{"SMITH HALL", "JONES HALL", false, "two halls"},
		{"NORTH TOWER", "SOUTH TOWER", false, "two towers"},
		{"NORTH TOWER", "N TOWER", true, "a directional abbreviated"},
		{"OAK BUILDING", "PINE BLDG", false, "two buildings"},
		{"SUNSET TOWERS APARTMENTS", "THE SUNSET TOWERS", true, "words that name no building in particular"},
		{"SUNSET TOWERS", "SUNSET", true, "one name within the other"},
		{"LAKE VIEW TERRACE", "LAKE VIEW TER", true, "a street suffix abbreviated"},
		{"THE APARTMENTS", "SMITH HALL", true, "nothing to tell apart on one side"},
		{"SMITH HALL EAST", "SMITH HALL WEST", false, "two wings"},
		{"ST MARY'S TOWER", "SAINT MARYS TOWER", true, "an apostrophe, SAINT"},
		{"URB VILLA NUEVA", "URB VILLA NUEVA", true, "Pub 28 29: the same urbanization"},
		{"URB VILLA NUEVA", "", false, "Pub 28 29: an urbanization on one side only: street names repeat between urbanizations"},
		{"URB VILLA NUEVA", "URB NUEVA VILLA", false, "an urbanization's words reordered"},
		{"URB ESTANCIAS DEL RIO", "URB ESTANCIAS", false, "one urbanization's words within another's"},
		{"URB SAN ANTONIO", "URB SAN ANTONIO II", false, "a second section"},
		{"URB VILLA NUEVA", "VILLA NUEVA", false, "URB on one side: a building named so is not the urbanization"},
		{"URBANIZACIÓN VILLA NUEVA", "URB VILLA NUEVA", true, "URBANIZACION is URB, accents aside"},
		{"URB O'NEILL", "URB ONEILL", true, "an apostrophe"},
		{"SMITH HALL URB VILLA NUEVA", "URB VILLA NUEVA", true, "a building beside the urbanization, on one side only"},
		{"SMITH HALL URB VILLA NUEVA", "JONES HALL URB VILLA NUEVA", false, "two buildings in one urbanization"},
	}
	for _, tt := range tests {
		for _, p := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
			if got := address.BuildingsAgree(p[0], p[1]); got != tt.want {
				t.Errorf("BuildingsAgree(%q, %q) = %v, want %v (%s)", p[0], p[1], got, tt.want, tt.why)
			}
		}
	}
}
