package address

import (
	"encoding/binary"
	"math/bits"
	"slices"
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

// wordInfo is what the tables say of one word. Every token carries one, found
// once when the token is read, so that the parser's questions about a word
// (is it a suffix? a directional?) are field reads, not lookups.
type wordInfo struct {
	suffix       string // C1 standard abbreviation of this suffix form: "AVE"
	expand       string // the C1 primary name this form spells out to: "AVENUE"
	abbrev       bool   // the word abbreviates expand, so a street name spells it out (abbreviates)
	expandUnit   bool   // expand is a C2 designator: KY spells out to KEY
	expandRanged bool   // and that designator needs a secondary range
	std          bool   // the word is a C1 standard abbreviation
	primary      bool   // the word is a C1 primary name
	dir          string // Appendix B directional: "N"
	dirName      string // an abbreviated directional spelled out: N -> "NORTH"
	unit         string // C2 designator abbreviation, or "#"
	ranged       bool   // the designator needs a secondary range
	state        bool   // a state code, or the first word of a state name
	code         string // the state code of a code or a one-word name: IL
	boxWord      bool   // a PO Box phrase of one word: POB, DRAWER, BOX
	is           uint8  // which of the words the parser names it is: isPound, ...
	// dirAfterSuffix is the directional this word is right after a
	// street suffix and before no number: NO is N, SO is S.
	dirAfterSuffix *wordInfo

	// The phrases of each table that start with this word.
	phrases [numPhraseTables][]phrase
}

// The words the parser asks for by name, as bits of wordInfo.is: a token is
// the word exactly when its info has the bit, since each table word has one
// info and a word the tables do not hold has noWord.
const (
	isPound      = 1 << iota // #
	isPMB                    // PMB
	isBox                    // BOX
	isNo                     // NO
	isHighwayEnd             // the last word of a highway designator: RD, HWY
	isFloor                  // a form of the designator FL: FLOOR, FLR, FL
)

type phraseTable uint8

const (
	poBoxPhrases phraseTable = iota
	routePhrases
	highwayPhrases
	careOfPhrases
	numPhraseTables
)

// highwayEndsElse holds the last words of highway designators that are no
// table word, so have no isHighwayEnd.
var highwayEndsElse []string

// phraseLists holds each table's phrases, longest first.
var phraseLists [numPhraseTables][]phrase

// noWord is the wordInfo of a word the tables do not hold.
var noWord = &wordInfo{}

// words holds every word the tables know.
var words = map[string]*wordInfo{}

func info(w string) *wordInfo {
	i, ok := words[w]
	if !ok {
		i = &wordInfo{}
		words[w] = i
	}
	return i
}

// A phrase is a table entry of one or more words and what it stands for.
type phrase struct {
	words []string
	std   string
}

var (
	suffixes    = map[string]suffixInfo{} // every C1 form, primary name and standard
	primaryOf   = map[string]string{}     // standard abbreviation -> primary name
	primaries   = map[string]bool{}       // the primary names: AVENUE, PARK, PARKS
	units       = map[string]unitInfo{}   // C2 description, abbreviation and variants
	dirs        = map[string]string{}     // NORTH, N -> N
	stateNames  = map[string]string{}     // "NEW YORK" -> NY
	stateCodes  = map[string]bool{}       // NY
	stateCodeOf = map[string]string{}     // NY -> NY
	keyWords    = map[string]string{}     // SAINT -> ST, FIRST -> 1ST
	leadWords   = map[string]string{}     // AVENUE -> AVE, first in a street name

	maxStateWords int

	// keyWordFilter[c] has bit n set when a word of keyWords starts with
	// byte c and is n bytes long.
	keyWordFilter [256]uint32
)

func init() {
	for _, r := range suffixTable {
		primary, common, std := r[0], r[1], r[2]
		suffixes[common] = suffixInfo{std, primary}
		suffixes[primary] = suffixInfo{std, primary}
		primaries[primary] = true
		if _, ok := primaryOf[std]; !ok {
			primaryOf[std] = primary
		}
	}
	// A standard abbreviation stands for itself, so that standardizing is
	// idempotent: C1 lists MDW as a common form of MEADOWS (MDWS), but MDW
	// is the standard for MEADOW.
	for _, r := range suffixTable {
		suffixes[r[2]] = suffixInfo{r[2], primaryOf[r[2]]}
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
		// Appendix B writes some names with commas (ARMED FORCES EUROPE,
		// THE MIDDLE EAST, AND CANADA); input is matched without them.
		name := strings.ReplaceAll(s[0], ",", "")
		stateNames[name] = s[1]
		stateCodes[s[1]] = true
		stateCodeOf[s[1]] = s[1]
		maxStateWords = max(maxStateWords, strings.Count(name, " ")+1)
	}
	for _, w := range keyWordTable {
		keyWords[w[0]] = w[1]
		keyWordFilter[w[0][0]] |= 1 << len(w[0])
	}
	for w, s := range suffixes {
		if slices.Contains(leadSuffixes[:], s.std) {
			leadWords[w] = s.std
		}
	}
	for _, w := range leadWordsElse {
		leadWords[w[0]] = w[1]
	}

	// The words' infos.
	for w, s := range suffixes {
		i := info(w)
		i.suffix, i.std, i.primary = s.std, w == s.std, primaries[w]
		if w == s.std {
			i.expand = primaryOf[s.std]
		} else {
			i.expand = s.primary
		}
	}
	for w, s := range suffixes {
		i := info(w)
		i.abbrev = abbreviates(w, i.expand, s.std)
	}
	for w, d := range dirs {
		i := info(w)
		i.dir = d
		if w == d {
			for _, r := range directionalTable {
				if r[1] == d {
					i.dirName = r[0]
				}
			}
		}
	}
	for w, u := range units {
		info(w).unit, info(w).ranged = u.abbr, u.ranged
	}
	for _, i := range words {
		if u, ok := units[i.expand]; ok && i.expand != "" {
			i.expandUnit, i.expandRanged = true, u.ranged
		}
	}
	info("#").unit, info("#").ranged = "#", true
	info("NO").unit, info("NO").ranged = "#", true // NO 5: number 5
	info("PMB")                                    // a word the parser asks about
	for name, code := range stateNames {
		info(strings.Fields(name)[0]).state = true
		info(code).state = true
		info(code).code = code
		if !strings.Contains(name, " ") {
			info(name).code = code
		}
	}
	phraseLists = [numPhraseTables][]phrase{
		poBoxPhrases:   phrases(poBoxTable[:], nil),
		routePhrases:   pairPhrases(routeTable[:]),
		highwayPhrases: pairPhrases(highwayTable[:]),
		careOfPhrases:  phrases(careOfTable[:], nil),
	}
	for t, ps := range phraseLists {
		for _, ph := range ps {
			i := info(ph.words[0])
			i.phrases[t] = append(i.phrases[t], ph)
			if phraseTable(t) == poBoxPhrases && len(ph.words) == 1 {
				i.boxWord = true
			}
		}
	}
	for w, bit := range map[string]uint8{"#": isPound, "PMB": isPMB, "BOX": isBox, "NO": isNo} {
		words[w].is |= bit // all four are table words
	}
	for _, d := range shortDirsAfterSuffix {
		info(d[0]).dirAfterSuffix = words[d[1]]
	}
	for _, i := range words {
		if i.unit == "FL" {
			i.is |= isFloor
		}
	}
	for _, ph := range phraseLists[highwayPhrases] {
		if w := ph.words[len(ph.words)-1]; words[w] != nil {
			words[w].is |= isHighwayEnd
		} else if !slices.Contains(highwayEndsElse, w) {
			highwayEndsElse = append(highwayEndsElse, w) // MARKET
		}
	}
}

// abbreviates reports whether w, a C1 form of the suffix whose primary
// name is primary and standard abbreviation std, is an abbreviation of
// primary, which a street name spells out (DEER TRL CT is DEER TRAIL CT),
// rather than a word of its own that C1 only maps to the same suffix. It
// is not:
//   - primary itself, or a plural: primary or another of its forms and S
//     or ES (PIKES, RANCHES, TRLS), which names another street than the
//     singular (DEER TRAILS CT is not DEER TRAIL CT);
//   - a beginning of primary that is longer than std (EXPRESS of
//     EXPRESSWAY): an abbreviation by truncation is no longer than the
//     standard one, a longer beginning is a word of its own;
//   - a beginning of primary that ends in a vowel other than E (VIA of
//     VIADUCT): a truncation ends in a consonant (CRES, TER, AV) or a
//     silent E (AVE), a word may end in any letter.
//
// Misspellings and contractions that are no beginning (TRL, CRSNT,
// CENTRE) are abbreviations. The rule errs on the side of keeping a word
// as written: a word not spelled out keys apart from its primary name,
// which is a held piece, not a false equivalence.
func abbreviates(w, primary, std string) bool {
	if w == primary || primary == "" {
		return false
	}
	for _, plural := range [...]string{"S", "ES"} {
		if base, ok := strings.CutSuffix(w, plural); ok && base != "" && suffixes[base].primary == primary {
			return false
		}
	}
	if strings.HasPrefix(primary, w) {
		switch w[len(w)-1] {
		case 'A', 'I', 'O', 'U':
			return false
		}
		return len(w) <= len(std)
	}
	return true
}

// strongSuffix holds the suffixes that are almost never a street's name
// (ST, AVE, RD): after a lone directional they are the suffix (N ST), where
// a weaker one (LAKE, PARK) is the name (W LAKE).
var strongSuffix = map[string]bool{
	"ALY": true, "AVE": true, "BLVD": true, "BYP": true, "CIR": true, "CT": true, "CV": true,
	"DR": true, "EXPY": true, "FWY": true, "HWY": true, "LN": true, "LOOP": true, "PKWY": true,
	"PL": true, "PLZ": true, "RD": true, "SQ": true, "ST": true, "TER": true, "TPKE": true,
	"TRL": true, "WAY": true, "XING": true,
}

// wordOf returns the info of word w, noWord if the tables do not hold it.
// It is the parser's hottest lookup, once per word read, so it is an
// open-addressed table of its own rather than a map: a word whose first byte
// and length no table word has is answered by a filter, and the rest by one
// or two probes, which compare the word as two machine words and its length.
func wordOf(w []byte) *wordInfo {
	n := len(w)
	if uint(n-1) >= 8 || cap(w) < 8 {
		return wordOfLong(w)
	}
	// Most words: at most 8 bytes, read in one load (before any other of
	// w, so that the compiler makes it one). This path calls nothing, so
	// it keeps everything in registers.
	k0 := binary.LittleEndian.Uint64(w[:8])
	if wordFilter[byte(k0)]&(1<<n) == 0 {
		return noWord
	}
	k0 &= ^uint64(0) >> ((64 - 8*n) & 63)
	for h := wordHash(k0, 0, n); ; h = (h + 1) & (len(wordSlots) - 1) {
		s := &wordSlots[h]
		if s.info == nil {
			return noWord
		}
		if s.k0 == k0 && s.k1 == 0 && int(s.n) == n {
			return s.info
		}
	}
}

// wordOfLong is wordOf for the empty word, words longer than 8 bytes, and
// words at the very end of their buffer.
func wordOfLong(w []byte) *wordInfo {
	n := len(w)
	if n == 0 || n >= 64 || wordFilter[w[0]]&(1<<n) == 0 {
		return noWord
	}
	k0, k1 := wordKey(w)
	for h := wordHash(k0, k1, n); ; h = (h + 1) & (len(wordSlots) - 1) {
		s := &wordSlots[h]
		if s.info == nil {
			return noWord
		}
		if s.k0 == k0 && s.k1 == k1 && int(s.n) == n && (n <= 16 || s.word == string(w)) {
			return s.info
		}
	}
}

// wordKey returns the first 16 bytes of w as two little-endian machine
// words, padded with zeros.
func wordKey(w []byte) (k0, k1 uint64) {
	switch n := len(w); {
	case n >= 16:
		return binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
	case n >= 8:
		return binary.LittleEndian.Uint64(w), load(w[8:])
	}
	return load(w), 0
}

// load returns the bytes of w, fewer than 8, as a little-endian machine word
// padded with zeros. A word cut from a longer buffer is read in one load and
// masked.
func load(w []byte) uint64 {
	n := len(w)
	if cap(w) >= 8 {
		return binary.LittleEndian.Uint64(w[:8]) & (1<<(8*n&63) - 1)
	}
	var k uint64
	for i := n - 1; i >= 0; i-- {
		k = k<<8 | uint64(w[i])
	}
	return k
}

// wordHash returns the slot where the probe for a word with key k0, k1 and
// length n starts.
func wordHash(k0, k1 uint64, n int) int {
	h := (k0 ^ bits.RotateLeft64(k1, 29) ^ uint64(n)) * 0x9e3779b97f4a7c15
	return int(h >> (wordShift & 63))
}

// wordFilter[c] has bit n set when some table word starts with byte c and
// is n bytes long.
var wordFilter [256]uint64

// wordSlots is the table behind wordOf; its size, 1<<(64-wordShift), is a
// power of two at least four times the number of words, so probes are short.
var (
	wordSlots []wordSlot
	wordShift uint
)

type wordSlot struct {
	k0, k1 uint64 // wordKey of the word
	n      uint8  // its length
	word   string
	info   *wordInfo
}

func init() {
	wordShift = 64
	for 1<<(64-wordShift) < 4*len(words) {
		wordShift--
	}
	n := 1 << (64 - wordShift)
	wordSlots = make([]wordSlot, n)
	for w, i := range words {
		if len(w) == 0 || len(w) >= 64 {
			continue // wordOf never looks such a word up
		}
		wordFilter[w[0]] |= 1 << len(w)
		k0, k1 := wordKey([]byte(w))
		h := wordHash(k0, k1, len(w))
		for wordSlots[h].info != nil {
			h = (h + 1) & (n - 1)
		}
		wordSlots[h] = wordSlot{k0, k1, uint8(len(w)), w, i}
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
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	c, ok := stateNames[s]
	return c, ok
}

// stateOf is stdState for the text of tokens, which holds no comma.
func stateOf(s []byte) (string, bool) {
	if len(s) == 2 {
		if c, ok := stateCodeOf[string(s)]; ok {
			return c, true
		}
	}
	c, ok := stateNames[string(s)]
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
