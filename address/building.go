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
//
// A Puerto Rico urbanization (URB, URBANIZACION) is no building's name but
// a part of the address: street names and numbers repeat from one
// urbanization to another in one ZIP code (Pub 28 section 29). When either
// name holds one, the two agree only when both hold the same words from
// URB on, in the same order, accents and apostrophes aside: URB VILLA
// NUEVA does not agree with URB NUEVA VILLA, URB ESTANCIAS, URB ESTANCIAS
// DEL RIO or no urbanization.
func BuildingsAgree(a, b string) bool {
	if a == b {
		return true
	}
	ua, ub := urbanization(a), urbanization(b)
	if ua != nil || ub != nil {
		return ua != nil && ub != nil && slices.Equal(ua, ub) && namesAgree(a[:urbAt(a)], b[:urbAt(b)])
	}
	return namesAgree(a, b)
}

// namesAgree is BuildingsAgree for names that hold no urbanization.
func namesAgree(a, b string) bool {
	if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" || a == b {
		return true
	}
	wa, wb := buildingWords(a), buildingWords(b)
	return within(wa, wb) || within(wb, wa)
}

var noApostrophes = strings.NewReplacer("'", "", "\u2019", "", "\u2018", "")

// urbWords are the words that start an urbanization's name.
var urbWords = map[string]bool{"URB": true, "URBANIZACION": true, "URBANIZATION": true}

// urbAt returns where in s, a building's name, the first word that starts
// an urbanization is, or len(s).
func urbAt(s string) int {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s) - i
		}
		if urbWords[foldLatin(s[i:i+j])] {
			return i
		}
		i += j + 1
	}
	return len(s)
}

// urbanization returns the words of s, a building's name, from its first
// word that starts an urbanization on, as URB and each word without
// accents and apostrophes; nil if s holds none.
func urbanization(s string) []string {
	at := urbAt(s)
	if at == len(s) {
		return nil
	}
	ws := strings.Fields(s[at:])
	ws[0] = "URB"
	for i, w := range ws[1:] {
		ws[i+1] = noApostrophes.Replace(foldLatin(w))
	}
	return ws
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
