package address

import (
	"strings"
	"unicode/utf8"

	"github.com/xrash/smetrics"
)

// MatchKind is how two addresses relate: [Equivalent], [Similar] or
// [Different]. It prints and parses as "equivalent", "similar",
// "different". The zero MatchKind is no result. Do not reorder this list.
type MatchKind uint8

const (
	// Equivalent addresses are the same delivery point: their keys are
	// equal. See the package documentation for the rule.
	Equivalent MatchKind = iota + 1
	// Similar addresses differ only in the street or city name, by what is
	// likely a typo. They are not the same delivery point as far as
	// printgate can prove, and a PHI piece is never released on Similar.
	Similar
	// Different addresses are different delivery points.
	Different
)

var matchKindNames = [...]string{"", "equivalent", "similar", "different"}

func (k MatchKind) String() string {
	if int(k) < len(matchKindNames) && k != 0 {
		return matchKindNames[k]
	}
	return "unknown"
}

// MarshalText implements [encoding.TextMarshaler].
func (k MatchKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (k *MatchKind) UnmarshalText(text []byte) error {
	for i, n := range matchKindNames {
		if i > 0 && n == string(text) {
			*k = MatchKind(i)
			return nil
		}
	}
	return errUnknownName("match kind", text)
}

// A Match is the result of [Compare].
type Match struct {
	Kind MatchKind
	// Score is 1 for Equivalent addresses and less for others: the share
	// of the fields present on either side that agree, the street and city
	// names counted by their Jaro-Winkler similarity. It explains and
	// ranks; it never decides.
	Score float64
	// Differs lists the fields that are not equivalent, in the order of
	// the Address struct; nil when Kind is Equivalent. The ZIP+4 is never
	// listed. Secondary units are paired by what they are, not by which
	// was written first, and a unit that only one side has is listed as
	// the second: BLDG 3 APT 4 against APT 4 differs in unit2 and
	// unit2_number.
	Differs []Field
}

// SimilarThreshold is the Jaro-Winkler similarity (prefix scale 0.1, up to 4
// characters, boost above 0.7) at or above which a street or city name that
// differs is taken for a typo, when the two names' lengths are also within
// [SimilarMaxLenDiff] of each other.
const (
	SimilarThreshold  = 0.90
	SimilarMaxLenDiff = 2
)

// Compare reports whether a and b are the same delivery point. See the
// package documentation for the rule. Compare is symmetric, and
// Compare(a, b).Kind == Equivalent exactly when a.Key() == b.Key().
func Compare(a, b Address) Match {
	if a == b {
		return Match{Kind: Equivalent, Score: 1}
	}
	if a.Unit2 != "" || a.Unit2Num != "" || b.Unit2 != "" || b.Unit2Num != "" {
		a, b = alignUnits(a, b)
	}
	var diff uint32
	var n int
	var score float64
	var streetJW, cityJW float64 // the similarity of names that differ
	av, bv := a.compared(), b.compared()
	for i, f := range comparedFields {
		x, y := av[i], bv[i]
		if x == "" && y == "" {
			continue
		}
		n++
		if keyEqual(f, x, y) {
			score++
			continue
		}
		diff |= 1 << f
		if (f == FieldStreet || f == FieldCity) && x != "" && y != "" {
			jw := jaroWinkler(x, y)
			score += jw
			if f == FieldStreet {
				streetJW = jw
			} else {
				cityJW = jw
			}
		}
	}
	if diff == 0 {
		return Match{Kind: Equivalent, Score: 1}
	}
	m := Match{Kind: Different, Score: score / float64(n)}
	const names = 1<<FieldStreet | 1<<FieldCity
	if diff&^names == 0 && typo(a.Street, b.Street, streetJW) && typo(a.City, b.City, cityJW) {
		m.Kind = Similar
	}
	m.Differs = make([]Field, 0, 4)
	for _, f := range comparedFields {
		if diff&(1<<f) != 0 {
			m.Differs = append(m.Differs, f)
		}
	}
	return m
}

// comparedFields are the fields Compare and Key look at, in the order of
// the Address struct: all but the ZIP+4.
var comparedFields = [...]Field{FieldNumber, FieldPreDir, FieldStreet, FieldSuffix, FieldPostDir,
	FieldUnit, FieldUnitNum, FieldUnit2, FieldUnit2Num, FieldPMB, FieldRoute, FieldRouteNum, FieldBox,
	FieldCity, FieldState, FieldZIP}

// compared returns the fields of a that Compare looks at, in the order of
// comparedFields.
func (a *Address) compared() [len(comparedFields)]string {
	return [...]string{a.Number, a.PreDir, a.Street, a.Suffix, a.PostDir, a.Unit, a.UnitNum, a.Unit2,
		a.Unit2Num, a.PMB, a.Route, a.RouteNum, a.Box, a.City, a.State, a.ZIP}
}

// A secondary unit as keys compare it: its designator's class and its range.
type unitPair struct{ class, num string }

func (u unitPair) empty() bool { return u.class == "" && u.num == "" }

func (u unitPair) less(v unitPair) bool {
	return u.class < v.class || u.class == v.class && u.num < v.num
}

// units returns a's secondary units as pairs, the first and the second.
func (a *Address) units() (unitPair, unitPair) {
	return unitPair{unitClass(a.Unit), a.UnitNum}, unitPair{unitClass(a.Unit2), a.Unit2Num}
}

// keyUnits returns a's secondary units in the order its key lists them: a
// unit that is set before one that is not, and two that are set in order
// of class and range. So the two units are a set: BLDG 3 APT 4 is the
// delivery point APT 4 BLDG 3 is.
func (a *Address) keyUnits() (unitPair, unitPair) {
	u, v := a.units()
	if u.empty() || !v.empty() && v.less(u) {
		return v, u
	}
	return u, v
}

// alignUnits returns a and b with one side's two secondary units swapped
// when that pairs more of them with the other side's, so that Compare finds
// two addresses whose units are the same set equivalent, as Key does, and
// lists as differing only what is not in both. Which side is swapped
// depends on the two addresses, not on their order, so that Compare stays
// symmetric: the side with two units when the other has one (a unit that
// only one side has is listed as the second), else the side whose units
// sort after the other's.
func alignUnits(a, b Address) (Address, Address) {
	a1, a2 := a.units()
	b1, b2 := b.units()
	same := func(u, v unitPair) int {
		if u == v {
			return 1
		}
		return 0
	}
	if same(a1, b2)+same(a2, b1) <= same(a1, b1)+same(a2, b2) {
		return a, b
	}
	twoA, twoB := !a1.empty() && !a2.empty(), !b1.empty() && !b2.empty()
	swapA := twoA && !twoB
	if twoA == twoB {
		swapA = b1.less(a1) || a1 == b1 && b2.less(a2)
	}
	if swapA {
		a.Unit, a.UnitNum, a.Unit2, a.Unit2Num = a.Unit2, a.Unit2Num, a.Unit, a.UnitNum
	} else {
		b.Unit, b.UnitNum, b.Unit2, b.Unit2Num = b.Unit2, b.Unit2Num, b.Unit, b.UnitNum
	}
	return a, b
}

// typo reports whether two names are equal, or differ by what is likely a
// typo; jw is their Jaro-Winkler similarity when they differ and neither is
// empty.
func typo(x, y string, jw float64) bool {
	if keyEqual(FieldStreet, x, y) {
		return true
	}
	if x == "" || y == "" {
		return false
	}
	d := len(x) - len(y)
	return -SimilarMaxLenDiff <= d && d <= SimilarMaxLenDiff && jw >= SimilarThreshold
}

// jaroWinkler is the one place a foreign similarity enters.
func jaroWinkler(x, y string) float64 { return smetrics.JaroWinkler(x, y, 0.7, 4) }

// keyEqual reports whether values x and y of field f are equivalent.
func keyEqual(f Field, x, y string) bool {
	if x == y {
		return true
	}
	switch f {
	case FieldUnit, FieldUnit2:
		return unitClass(x) == unitClass(y)
	case FieldStreet, FieldCity:
		for i := 0; ; i++ {
			var wx, wy string
			wx, x, _ = strings.Cut(x, " ")
			wy, y, _ = strings.Cut(y, " ")
			if wx == "" || wy == "" {
				return wx == wy && x == y
			}
			wx, wy = foldLatin(wx), foldLatin(wy)
			if f == FieldStreet && i == 0 {
				wx, wy = leadWord(wx, x), leadWord(wy, y)
			}
			if !sameLetters(keyWord(wx), keyWord(wy)) {
				return false
			}
		}
	}
	return false
}

// unitClass is the key of a secondary unit designator. APT, UNIT, STE and
// the pound sign all name "the unit numbered ..." of a building; other
// designators (BLDG, FL, LOT, ...) name something else.
func unitClass(u string) string {
	switch u {
	case "APT", "UNIT", "STE", "#":
		return "#"
	}
	return u
}

// keyWord is the key of one word of a street or city name.
func keyWord(w string) string {
	if len(w) == 0 || len(w) >= 32 || keyWordFilter[w[0]]&(1<<len(w)) == 0 {
		return w // no word of keyWords has its first byte and length
	}
	if k, ok := keyWords[w]; ok {
		return k
	}
	return w
}

// leadWord is the key of w, the first word of a street name, rest the
// words after it: the standard abbreviation of a suffix in leadSuffixes
// when a word follows (AVENUE C is AVE C), w itself otherwise. A suffix
// that is all there is of the name (1000 AVENUE E) the parser has spelled
// out already.
func leadWord(w, rest string) string {
	if w[0] != 'A' && w[0] != 'B' || strings.Trim(rest, " ") == "" {
		return w
	}
	if k, ok := leadWords[w]; ok {
		return k
	}
	return w
}

// sameLetters reports whether x and y are equal but for apostrophes.
func sameLetters(x, y string) bool {
	i, j := 0, 0
	for {
		for i < len(x) && isApostrophe(x, i) {
			i += apostropheLen(x, i)
		}
		for j < len(y) && isApostrophe(y, j) {
			j += apostropheLen(y, j)
		}
		if i == len(x) || j == len(y) {
			return i == len(x) && j == len(y)
		}
		if x[i] != y[j] {
			return false
		}
		i, j = i+1, j+1
	}
}

func isApostrophe(s string, i int) bool {
	return s[i] == '\'' || strings.HasPrefix(s[i:], "\u2019") || strings.HasPrefix(s[i:], "\u2018")
}

func apostropheLen(s string, i int) int {
	if s[i] == '\'' {
		return 1
	}
	return 3
}

// Key returns a canonical string for a: two addresses have equal keys
// exactly when they are equivalent ([Compare] reports [Equivalent]). The
// ZIP+4 takes no part; street and city names are keyed without accents
// (PEÑUELAS as PENUELAS). The zero Address has the key "". A key is for
// indexing and joining; it is address text, so treat it as PHI.
func (a Address) Key() string {
	if a.IsZero() {
		return ""
	}
	// A key is no longer than the fields and separators (a key word is
	// never longer than its word: FIRST, 1ST); most fit the array, so
	// that the string is the one allocation.
	var buf [128]byte
	b := buf[:0]
	b = append(append(b, a.Number...), '|')
	b = append(append(b, a.PreDir...), '|')
	b = append(appendKeyName(b, a.Street, true), '|')
	b = append(append(b, a.Suffix...), '|')
	b = append(append(b, a.PostDir...), '|')
	u, u2 := a.keyUnits()
	b = append(append(b, u.class...), '|')
	b = append(append(b, u.num...), '|')
	b = append(append(b, a.PMB...), '|')
	b = append(append(b, a.Route...), '|')
	b = append(append(b, a.RouteNum...), '|')
	b = append(append(b, a.Box...), '|')
	b = append(appendKeyName(b, a.City, false), '|')
	b = append(append(b, a.State...), '|')
	b = append(b, a.ZIP...)
	if !u2.empty() {
		// Only an address with two units has these: the key of one with
		// one unit is what it was before the second was added.
		b = append(append(b, '|'), u2.class...)
		b = append(append(b, '|'), u2.num...)
	}
	return string(b)
}

// appendKeyName appends the key of a street or city name: each word's key,
// its accents dropped and without apostrophes, a space before each but the
// first part. Of a street name (street), the first word is read as
// leadWord reads it.
func appendKeyName(b []byte, v string, street bool) []byte {
	for i := 0; v != ""; i++ {
		w, rest, _ := strings.Cut(v, " ")
		v = rest
		if w == "" {
			continue
		}
		if i > 0 {
			b = append(b, ' ')
		}
		w = foldLatin(w)
		if street && i == 0 {
			w = leadWord(w, rest)
		}
		k := keyWord(w)
		if strings.IndexByte(k, '\'') < 0 && strings.IndexByte(k, 0xe2) < 0 {
			b = append(b, k...) // no apostrophe, the common case
			continue
		}
		for k != "" {
			if isApostrophe(k, 0) {
				k = k[apostropheLen(k, 0):]
				continue
			}
			b = append(b, k[0])
			k = k[1:]
		}
	}
	return b
}

// foldLatin returns the word w with each letter of Latin-1 and Latin
// Extended-A written as a system that prints only ASCII writes it, as the
// USPS ZIP+4 file has it: PEÑUELAS is PENUELAS, CATAÑO is CATANO. An ASCII
// word is returned as it is.
func foldLatin(w string) string {
	if isASCII(w) {
		return w
	}
	b := make([]byte, 0, len(w))
	for _, r := range w {
		var folded bool
		if b, folded = appendLatinFold(b, r); !folded {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}
