package address

import (
	"strings"
)

// The lookups over the Pub 28 tables in standard.go, built once.

type suffixInfo struct {
	std     string // standard abbreviation: "AVE"
	primary string // primary name: "AVENUE"
}

type unitInfo struct {
	abbr   string
	ranged bool
}

// A phrase is a table entry of one or more words and what it stands for.
type phrase struct {
	words []string
	std   string
}

var (
	suffixes   = map[string]suffixInfo{} // every C1 form, primary name and standard
	primaryOf  = map[string]string{}     // standard abbreviation -> primary name
	primaries  = map[string]bool{}       // the primary names: AVENUE, PARK, PARKS
	units      = map[string]unitInfo{}   // C2 description, abbreviation and variants
	dirs       = map[string]string{}     // NORTH, N -> N
	stateNames = map[string]string{}     // "NEW YORK" -> NY
	stateCodes = map[string]bool{}       // NY
	keyWords   = map[string]string{}     // SAINT -> ST, FIRST -> 1ST

	poBoxPhrases   = phrases(poBoxTable[:], nil)
	routePhrases   = pairPhrases(routeTable[:])
	highwayPhrases = pairPhrases(highwayTable[:])
	careOfPhrases  = phrases(careOfTable[:], nil)
	maxStateWords  int
)

func init() {
	for _, r := range suffixTable {
		primary, common, std := r[0], r[1], r[2]
		suffixes[common] = suffixInfo{std, primary}
		suffixes[primary] = suffixInfo{std, primary}
		suffixes[std] = suffixInfo{std, primary}
		primaries[primary] = true
		if _, ok := primaryOf[std]; !ok {
			primaryOf[std] = primary
		}
	}
	for _, u := range unitTable {
		units[u.name] = unitInfo{u.abbr, u.ranged}
		units[u.abbr] = unitInfo{u.abbr, u.ranged}
	}
	for _, v := range unitVariants {
		units[v[0]] = units[v[1]]
	}
	for _, d := range directionalTable {
		dirs[d[0]] = d[1]
		dirs[d[1]] = d[1]
	}
	for _, s := range stateTable {
		stateNames[s[0]] = s[1]
		stateCodes[s[1]] = true
		maxStateWords = max(maxStateWords, strings.Count(s[0], " ")+1)
	}
	for _, w := range keyWordTable {
		keyWords[w[0]] = w[1]
	}
}

func phrases(list []string, std []string) []phrase {
	ps := make([]phrase, len(list))
	for i, s := range list {
		ps[i] = phrase{words: strings.Fields(s), std: s}
		if std != nil {
			ps[i].std = std[i]
		}
	}
	// Longest first, so that "PO BOX" is tried before "PO".
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && len(ps[j].words) > len(ps[j-1].words); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	return ps
}

func pairPhrases(pairs [][2]string) []phrase {
	list, std := make([]string, len(pairs)), make([]string, len(pairs))
	for i, p := range pairs {
		list[i], std[i] = p[0], p[1]
	}
	return phrases(list, std)
}

// stdSuffix returns the C1 standard abbreviation for a street suffix in any of
// its forms: "AVENUE", "AVEN", "AVE" -> "AVE".
func stdSuffix(w string) (string, bool) {
	s, ok := suffixes[w]
	return s.std, ok
}

// stdDirectional returns the Appendix B abbreviation of a directional:
// "NORTH", "N" -> "N".
func stdDirectional(w string) (string, bool) {
	d, ok := dirs[w]
	return d, ok
}

// stdState returns the Appendix B code for a state, possession or military
// state, given as a code or a full name ("NEW YORK").
func stdState(s string) (string, bool) {
	if len(s) == 2 && stateCodes[s] {
		return s, true
	}
	c, ok := stateNames[s]
	return c, ok
}

// stdUnit returns the C2 approved abbreviation of a secondary unit designator
// and whether it requires a secondary range.
func stdUnit(w string) (abbr string, ranged bool, ok bool) {
	if w == "#" {
		return "#", true, true
	}
	u, ok := units[w]
	return u.abbr, u.ranged, ok
}
