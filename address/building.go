package address

import (
	"slices"
	"strings"
)

// BuildingsAgree reports whether two buildings' names, as
// [Address.Building] holds them, may name the same building: one is
// empty (a system that leaves the name out), or every word of one is a
// word of the other. Words that name no building in particular are left
// out (THE, APARTMENTS, CONDOMINIUMS, BUILDING, ...), street suffixes and
// directionals are read as their Pub 28 abbreviations (TERRACE is TER,
// NORTH is N), an apostrophe is dropped and SAINT is ST. So SUNSET TOWERS
// APARTMENTS and THE SUNSET TOWERS agree, and SMITH HALL and JONES HALL,
// NORTH TOWER and SOUTH TOWER, OAK BUILDING and PINE BUILDING do not.
func BuildingsAgree(a, b string) bool {
	if a == "" || b == "" || a == b {
		return true
	}
	wa, wb := buildingWords(a), buildingWords(b)
	return within(wa, wb) || within(wb, wa)
}

// genericBuildingWords name no building in particular.
var genericBuildingWords = map[string]bool{
	"THE": true, "AT": true, "OF": true, "AND": true, "&": true,
	"APARTMENTS": true, "APTS": true, "CONDOMINIUMS": true, "CONDOMINIUM": true, "CONDOS": true, "CONDO": true,
	"BUILDING": true, "BLDG": true, "BUILDINGS": true, "BLDGS": true, "COMPLEX": true,
	"RESIDENCES": true, "RESIDENCE": true, "HOMES": true,
}

// buildingWords returns the words of a building's name that tell it
// from another, as BuildingsAgree compares them.
func buildingWords(s string) []string {
	var ws []string
	for _, w := range strings.Fields(s) {
		w = strings.ReplaceAll(w, "'", "") // ST MARY'S is ST MARYS
		if genericBuildingWords[w] {
			continue
		}
		if w == "SAINT" {
			w = "ST"
		}
		switch i := wordOf([]byte(w)); {
		case i.suffix != "":
			w = i.suffix
		case i.dir != "":
			w = i.dir
		}
		ws = append(ws, w)
	}
	return ws
}

// within reports whether every word of a is a word of b.
func within(a, b []string) bool {
	for _, w := range a {
		if !slices.Contains(b, w) {
			return false
		}
	}
	return true
}
