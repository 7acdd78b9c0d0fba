package address

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SameName reports whether printed, the recipient name on a piece, names the
// person whose name on file is onFile. It tolerates what printing does to a
// name: case, punctuation and spacing, a name's parts joined or split
// (MARYANN and MARY ANN, DELACRUZ and DE LA CRUZ); "LAST, FIRST" order; honorifics (MR,
// MRS, MS, DR), credentials (MD, ESQ) and generational suffixes (JR, SR,
// II, III, IV, V, however written: JUNIOR, 3RD), after a comma too (JOHN
// SMITH, JR is not "LAST, FIRST") or joined by a hyphen at the end (JOHN
// SMITH-SR is JOHN SMITH SR, not a surname SMITH-SR); a middle name
// left out or shortened to its initial; a given name shortened to its
// initial; and a Latin letter's accent, or a ligature, dropped or spelled
// out, as a system that prints only ASCII writes it (JOSÉ GARCÍA is JOSE
// GARCIA, STRAUß is STRAUSS). A different surname, given name or middle
// name (of the first two: MARIA ANA LOPEZ GARCIA is not MARIA ANA PEREZ
// GARCIA) is another person, and so is a different generational suffix:
// JOHN SMITH JR is not JOHN SMITH SR, his father, who may share his
// address (a suffix on one side only is tolerated, as systems drop them).
// V, a letter, is a suffix only at the end of the name (JOHN SMITH V is
// not JOHN SMITH IV), or at the end of the surname before a comma (SMITH
// V, JOHN); in the middle it is an initial (JOHN V SMITH is not JOHN W
// SMITH). Last after a comma (SMITH, JOHN V) it may be either, and the
// name must agree read both ways: it is not JOHN W SMITH, nor JOHN SMITH
// IV.
//
// A name line may say who receives the piece for the person it names: a
// care-of person after the name (JANE DOE C/O MARY SMITH names JANE DOE;
// C / O and CARE OF too), a parent or guardian (TO THE PARENT OR GUARDIAN
// OF JANE DOE, as plans address a minor's mail), or an estate (ESTATE OF
// JOHN SMITH). A name that joins two people names no one person: false,
// as a piece with one member's PHI is addressed to that member alone. A
// name joins two people with AND or OR between words (JOHN AND MARY
// SMITH), or with &, +, /, \, ; or a parenthesis anywhere but in C/O and
// a title's PARENT/GUARDIAN (JOHN & MARY SMITH, MR/MRS JOHN SMITH, JOHN
// SMITH; MARY SMITH, JOHN SMITH W/ MARY SMITH, JOHN SMITH (MARY SMITH);
// so a nickname in parentheses is held too), at the end too (JOHN SMITH/,
// where a second name may have been cut off). So do two different
// generational suffixes (JOHN SMITH JR SR) and the surname among the
// middle names with a word after it (JOHN SMITH MARY SMITH; a surname
// doubled, MARIA GARCIA GARCIA, is one person's). Words after a care-of
// are not read, so JANE DOE C/O JOHN/MARY SMITH names JANE DOE. Nothing
// else marks a second person: ATTN is read as a word of the name, which
// then is no member's.
//
// Honorifics are left out, but for what they say of who is named: a man's
// (MR) and a woman's (MRS, MS, MISS) in one name join two people (MR MRS
// JOHN SMITH: false), and a man's on one side with a woman's on the other
// name two (MRS JOHN SMITH is not MR JOHN SMITH). A woman's honorific
// before a given name that is on file without one is read as hers, as
// the gender of a given name is not known: MRS JOHN SMITH, the
// traditional way to name John Smith's wife, is taken for JOHN SMITH as
// MRS JANE SMITH is for JANE SMITH.
//
// Either name empty: false, as nothing proves the recipient.
func SameName(printed, onFile string) bool {
	same, titled := sameName(printed, onFile, true)
	if !titled {
		return same
	}
	// A word of a title, or of two names joined, is in one of them: read
	// the part that names the person, and compare that.
	printed, ok1 := addressee(printed)
	onFile, ok2 := addressee(onFile)
	if !ok1 || !ok2 {
		return false
	}
	same, _ = sameName(printed, onFile, false)
	return same
}

// sameName is SameName but for titles and joined names: it reads every
// word as part of a name. If stop, it returns at once with titled true
// when a name has a word or character addressee looks for (see
// nameWords), and same is then not the answer.
func sameName(printed, onFile string, stop bool) (same, titled bool) {
	if printed == onFile || isASCII(printed) && isASCII(onFile) && strings.EqualFold(printed, onFile) {
		// The same words: the same name, if it is one.
		n := nameParts(onFile)
		return n.surname != "" && n.given != "", stop && n.titled
	}
	a, b := nameParts(printed), nameParts(onFile)
	if stop && (a.titled || b.titled) {
		return false, true
	}
	if a.surname == "" || b.surname == "" || a.generation != "" && b.generation != "" && a.generation != b.generation {
		return false, false // JOHN SMITH JR is not JOHN SMITH SR
	}
	if a.honor|b.honor == markMr|markMrs {
		return false, false // MRS JOHN SMITH is not MR JOHN SMITH
	}
	if (a.surname == b.surname || strings.Contains("-"+b.surname+"-", "-"+a.surname+"-") ||
		strings.Contains("-"+a.surname+"-", "-"+b.surname+"-")) && // SMITH is SMITH-JONES's; JONES is not SMITH
		sameGiven(a.given, b.given) && a.middlesAgree(&b) {
		return true, false
	}
	// The same letters in the same order, split otherwise: MARYANN and
	// MARY ANN, DELACRUZ and DE LA CRUZ. Each needs a given name, as
	// above.
	return a.given != "" && b.given != "" && nameLetters(printed) == nameLetters(onFile), false
}

// addressee returns the part of the name line s that names the person
// the piece is for: before a care-of (C/O, however spaced: C / O; CARE
// OF), after a parent's, guardian's or estate's title (representatives).
// ok is false when the rest joins two names: with AND or OR between
// words, or with &, +, / or ; anywhere (W/, with, is one such), since a
// slash or semicolon at the end may be where a second name was cut off.
func addressee(s string) (name string, ok bool) {
	fields := strings.Fields(s)
	norm := make([]string, len(fields))
	for i, f := range fields {
		norm[i] = strings.ToUpper(strings.Trim(f, ".,:;"))
	}
	for i, w := range norm {
		if w == "C/O" || careOf(norm[i:], "C", "/", "O") || careOf(norm[i:], "C/", "O") ||
			careOf(norm[i:], "C", "/O") || careOf(norm[i:], "CARE", "OF") {
			fields, norm = fields[:i], norm[:i]
			// What the cut left at the end (JANE DOE; C/O ...) is no
			// part of the name, nor a join.
			for len(fields) > 0 {
				f := strings.TrimRight(fields[len(fields)-1], ",;:-/")
				if f != "" {
					fields[len(fields)-1] = f
					break
				}
				fields, norm = fields[:len(fields)-1], norm[:len(norm)-1]
			}
			break
		}
	}
	start := 0
	if len(norm) > 0 && norm[0] == "TO" {
		start++
	}
	if start < len(norm) && norm[start] == "THE" {
		start++
	}
	for _, t := range representatives {
		if len(norm)-start > len(t) && slices.Equal(norm[start:start+len(t)], t) {
			fields, norm = fields[start+len(t):], norm[start+len(t):]
			break
		}
	}
	var honor nameMarks
	for i, w := range norm {
		if (w == "AND" || w == "OR") && i > 0 && i < len(norm)-1 {
			return "", false
		}
		honor |= honorifics[w]
	}
	if honor == markMr|markMrs {
		return "", false // MR MRS JOHN SMITH, the join left out
	}
	for _, f := range fields {
		if strings.ContainsAny(f, "&+/;\\()") {
			return "", false
		}
	}
	// What a cut left at the end (JANE DOE, C/O ...) is no part of the
	// name: a trailing comma would read it as LAST, FIRST.
	return strings.TrimRight(strings.Join(fields, " "), ",;:- "), true
}

// careOf reports whether words begins with the words of a care-of.
func careOf(words []string, c ...string) bool {
	return len(words) >= len(c) && slices.Equal(words[:len(c)], c)
}

// representatives are the titles, in words, of those who receive a
// person's mail for them: a minor's parent or guardian, an estate.
var representatives = func() [][]string {
	var ts [][]string
	for _, t := range []string{
		"PARENT OR GUARDIAN OF", "PARENTS OR GUARDIANS OF", "PARENT OR LEGAL GUARDIAN OF",
		"PARENT/GUARDIAN OF", "PARENTS/GUARDIANS OF", "PARENT / GUARDIAN OF",
		"LEGAL GUARDIAN OF", "GUARDIAN OF", "PARENT OF", "PARENTS OF", "ESTATE OF",
	} {
		ts = append(ts, strings.Fields(t))
	}
	return ts
}()

// nameLetters returns the letters of the name s, given name first, without
// spaces or hyphens: SMITH, MARY ANN is MARYANNSMITH.
func nameLetters(s string) string {
	last, s := splitSurname(s)
	var buf [8]string
	words, _, _ := nameWords(buf[:0], s)
	if last != "" {
		words, _, _ = nameWords(words, last)
	}
	return strings.ReplaceAll(strings.Join(words, ""), "-", "")
}

// sameGiven reports whether two given names agree: equal, or one is the
// other's initial. Two initials must be equal; an empty one agrees with
// nothing, so a surname alone never proves the recipient.
func sameGiven(a, b string) bool {
	switch {
	case a == "" || b == "":
		return false
	case a == b:
		return true
	case len(a) == 1:
		return b[0] == a[0]
	case len(b) == 1:
		return a[0] == b[0]
	}
	return false
}

// A name is a person's name in parts. titled reports a word or
// character that may be a title's or join two names (see nameWords), or
// honorifics of a man and a woman both.
type name struct {
	given, surname string
	middles        [maxMiddles]string // the words between, in order; "" past the last
	generation     string             // JR, SR, II, III, IV or V; "" when none
	honor          nameMarks          // markMr, markMrs, both or neither
	titled         bool
}

// nameMarks are what nameWords reports of a name besides its words.
type nameMarks uint8

const (
	markTitled nameMarks = 1 << iota // a word or character of a title or a join
	markMr                           // MR, a man's honorific
	markMrs                          // MRS, MS or MISS, a woman's
	markTwo                          // two generational suffixes, or a surname twice: two people
)

// honorifics marks the honorifics that say a man or a woman. DR, PROF and
// MX say neither; MRS and MS may be one woman's, as she is addressed.
var honorifics = map[string]nameMarks{"MR": markMr, "MRS": markMrs, "MS": markMrs, "MISS": markMrs}

var nameAffixes = map[string]bool{
	"MR": true, "MRS": true, "MS": true, "MISS": true, "MX": true, "DR": true, "PROF": true,
	"JR": true, "SR": true, "II": true, "III": true, "IV": true,
	"2ND": true, "3RD": true, "4TH": true,
	"MD": true, "PHD": true, "ESQ": true, "RN": true, "DDS": true,
}

// generations are the generational suffixes that tell a father from his
// son (JR, SR) or a line's members apart (II, III, IV, V), as nameParts
// keeps them, each however it is written (2ND is II). V, a letter, is a
// suffix only at the end (see nameWords): elsewhere it is an initial.
var generations = map[string]string{
	"JR": "JR", "SR": "SR", "II": "II", "III": "III", "IV": "IV",
	"JUNIOR": "JR", "SENIOR": "SR", "2ND": "II", "3RD": "III", "4TH": "IV",
	"V": "V",
}

// spelledGenerations are the suffixes written out, which are given names
// too (JUNIOR SMITH): a suffix only after another word of the name.
var spelledGenerations = map[string]bool{"JUNIOR": true, "SENIOR": true}

// maxMiddles is how many middle names nameParts keeps; more are left out.
const maxMiddles = 2

// middlesAgree reports whether two names' middle names agree: each one
// both names have at a place agrees as given names do (equal, or one the
// other's initial). A middle name on one side only, or left out past the
// other's last, agrees: names are printed with middle names left out.
// MARIA ANA LOPEZ GARCIA is not MARIA ANA PEREZ GARCIA.
func (n *name) middlesAgree(o *name) bool {
	for i := range n.middles {
		if n.middles[i] == "" || o.middles[i] == "" {
			return true
		}
		if !sameGiven(n.middles[i], o.middles[i]) {
			return false
		}
	}
	return true
}

// nameParts splits a name into given name, middle names and surname,
// upper case, without punctuation, honorifics or suffixes. A comma means
// "LAST, FIRST MIDDLE". Hyphens join a surname's parts. A V last after
// the comma (SMITH, JOHN V) may be a middle initial or a suffix: it is
// both, so that the name agrees only with what it agrees with either way.
func nameParts(s string) name {
	last, s := splitSurname(s)
	var buf [8]string
	words, marks, gen := nameWords(buf[:0], s)
	var n name
	if last != "" {
		var lbuf [4]string
		lw, lm, lg := nameWords(lbuf[:0], last)
		marks |= lm
		if len(lw) == 0 {
			return name{titled: marks.titled()}
		}
		n.surname = strings.Join(lw, "-")
		if gen == "V" {
			words = append(words, "V") // from the end of s
		}
		if gen == "" {
			gen = lg
		}
		// The surname again after the given name: SMITH, JOHN MARY SMITH.
		if slices.Contains(words[min(1, len(words)):], n.surname) {
			marks |= markTwo
		}
	} else {
		if len(words) < 2 {
			return name{titled: marks.titled()}
		}
		n.surname, words = words[len(words)-1], words[:len(words)-1]
		// The surname among the middle names, with another word after
		// it, ends a first person's name: JOHN SMITH MARY SMITH. (Right
		// before the surname it is a surname doubled: MARIA GARCIA GARCIA.)
		if middles := words[min(1, len(words)):]; slices.Index(middles, n.surname) >= 0 && slices.Index(middles, n.surname) < len(middles)-1 {
			marks |= markTwo
		}
	}
	if marks&markTwo != 0 {
		return name{} // no one person: no surname, so no match
	}
	n.generation = gen
	if len(words) > 0 {
		n.given = words[0]
	}
	if len(words) > 1 {
		copy(n.middles[:], words[1:])
	}
	n.titled, n.honor = marks.titled(), marks&(markMr|markMrs)
	return n
}

// titled reports whether m marks a title's word or a join, or the
// honorifics of a man and a woman both, which addressee reads as a join.
func (m nameMarks) titled() bool {
	return m&markTitled != 0 || m&(markMr|markMrs) == markMr|markMrs
}

// splitSurname cuts a name written "LAST, FIRST MIDDLE" into the surname
// and the rest; a name with no comma, or whose words after the comma are
// all suffixes or honorifics (JOHN SMITH, JR; JOHN SMITH, MD), is all
// rest.
func splitSurname(s string) (last, rest string) {
	i := strings.IndexByte(s, ',')
	if i < 0 || onlyAffixes(s[i+1:]) {
		return "", s
	}
	last, s = s[:i], s[i+1:]
	// "SMITH, JR., JOHN": a suffix after the comma is not the first name.
	for {
		j := strings.IndexByte(s, ',')
		if j < 0 || !nameAffixes[affixOf(s[:j])] {
			break
		}
		s = s[j+1:]
	}
	return last, s
}

// onlyAffixes reports whether s, the part of a name after a comma, has
// words and all are suffixes or honorifics as nameWords reads them (JR.,
// MD). JUNIOR is not: SMITH, JUNIOR is Junior Smith. It allocates nothing
// when they all are.
func onlyAffixes(s string) bool {
	words, _, _ := nameWords(nil, s)
	return len(words) == 0 && strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// affixOf returns the words of s joined, to look up in nameAffixes.
func affixOf(s string) string {
	words, _, _ := nameWords(nil, s)
	return strings.Join(words, "")
}

// nameWords appends to dst the words of s, upper case, with punctuation
// dropped (a hyphen joins, O'BRIEN is OBRIEN) and honorifics and suffixes
// left out (JUNIOR and SENIOR only after a word, of s or in dst). At the
// end of s, with no generational suffix after it, a last word V is a
// suffix, and so is a generational suffix joined by a hyphen to the last
// word (SMITH-SR is SMITH and SR); V elsewhere is a word, an initial. The
// words are slices of one new string. It reports too, in marks, whether s
// is titled (markTitled): has a word OF, OR or AND, or a character &, +,
// / or ;, which may be part of a title (PARENT OR GUARDIAN OF, C/O) or
// join two names (see addressee); and the honorifics it left out that say
// a man or a woman (markMr, markMrs); and the last generational suffix it
// left out (generations), or "".
func nameWords(dst []string, s string) ([]string, nameMarks, string) {
	var (
		text  [128]byte
		b     = text[:0]
		ends  [16][2]int32 // where each word kept starts and ends in b
		words = ends[:0]
		start = 0
		marks nameMarks
		gen   string
		genAt int // len(words) when gen was set
	)
	flush := func() {
		w := b[start:]
		if string(w) == "OF" || string(w) == "OR" || string(w) == "AND" {
			marks |= markTitled
		}
		if len(w) == 0 || nameAffixes[string(w)] || len(w) == 6 && spelledGenerations[string(w)] && len(words)+len(dst) > 0 {
			if g := generations[string(w)]; g != "" {
				if gen != "" && g != gen {
					marks |= markTwo // JOHN SMITH JR SR: the son and the father
				}
				gen, genAt = g, len(words)
			}
			marks |= honorifics[string(w)]
			b = b[:start]
			return
		}
		lo, hi := start, len(b)
		for lo < hi && b[lo] == '-' {
			lo++
		}
		for hi > lo && b[hi-1] == '-' {
			hi--
		}
		words = append(words, [2]int32{int32(lo), int32(hi)})
		start = len(b)
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && ('A' <= r && r <= 'Z' || '0' <= r && r <= '9'):
			b = append(b, byte(r))
		case r < utf8.RuneSelf && 'a' <= r && r <= 'z':
			b = append(b, byte(r-'a'+'A'))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			var folded bool
			if b, folded = appendLatinFold(b, r); !folded {
				b = utf8.AppendRune(b, unicode.ToUpper(r))
			}
		case r == '-':
			if len(b) > start {
				b = append(b, '-')
			}
		case r == '\'' || r == '\u2019' || r == '.':
			// O'BRIEN, J.R. -> OBRIEN, JR
		default:
			if r == '&' || r == '+' || r == '/' || r == ';' || r == '\\' || r == '(' || r == ')' {
				marks |= markTitled
			}
			flush()
		}
	}
	flush()
	// A suffix at the end: the last word V, or a suffix joined to it by a
	// hyphen, unless a generational suffix came after it (SMITH, JOHN V
	// JR: V is an initial).
	if n := len(words); n > 0 && (gen == "" || genAt < n) {
		lo, hi := words[n-1][0], words[n-1][1]
		w := string(b[lo:hi])
		i := strings.LastIndexByte(w, '-')
		switch g := generations[w[i+1:]]; {
		case g == "V" && i < 0:
			gen, words = g, words[:n-1]
		case g != "" && i >= 0:
			for i > 0 && w[i-1] == '-' {
				i--
			}
			gen, words[n-1][1] = g, lo+int32(i)
		}
	}
	all := string(b)
	for _, w := range words {
		dst = append(dst, all[w[0]:w[1]])
	}
	return dst, marks, gen
}

// latinFold holds the ASCII letters an upper-case letter of Latin-1 and
// Latin Extended-A is written with by a system that prints only ASCII: the
// letter without its accent (É is E, Ñ is N, Ł is L), a ligature spelled
// out (Æ is AE, Œ is OE, Þ is TH).
var latinFold = func() map[rune]string {
	m := map[rune]string{}
	for _, pair := range strings.Fields(`ÀA ÁA ÂA ÃA ÄA ÅA ÆAE ÇC ÈE ÉE ÊE ËE ÌI ÍI ÎI ÏI ÐD ÑN ÒO ÓO ÔO ÕO ÖO ØO
		ÙU ÚU ÛU ÜU ÝY ÞTH ĀA ĂA ĄA ĆC ĈC ĊC ČC ĎD ĐD ĒE ĔE ĖE ĘE ĚE ĜG ĞG ĠG ĢG ĤH ĦH ĨI ĪI ĬI ĮI İI
		ĲIJ ĴJ ĶK ĹL ĻL ĽL ĿL ŁL ŃN ŅN ŇN ŌO ŎO ŐO ŒOE ŔR ŖR ŘR ŚS ŜS ŞS ŠS ŢT ŤT ŦT ŨU ŪU ŬU ŮU
		ŰU ŲU ŴW ŶY ŸY ŹZ ŻZ ŽZ`) {
		r, n := utf8.DecodeRuneInString(pair)
		m[r] = pair[n:]
	}
	return m
}()

// appendLatinFold appends to b the ASCII letters of r, a letter of Latin-1
// or Latin Extended-A in either case, and reports whether it did: not for
// any other rune.
func appendLatinFold(b []byte, r rune) ([]byte, bool) {
	switch {
	case r < 0xC0 || r > 0x17F:
		return b, false
	case r == 'ß':
		return append(b, "SS"...), true // its upper case is itself
	}
	if f := latinFold[unicode.ToUpper(r)]; f != "" {
		return append(b, f...), true
	}
	return b, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
