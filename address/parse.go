package address

import (
	"bytes"
	"sync"
)

// Parse parses a US postal address written on one line, its parts separated
// by commas: "123 North Main Street Apt 4B, Springfield, IL 62704". The last
// part holds the state and ZIP code, with or without the city before them;
// the parts before it are the delivery line and, if any, a secondary unit or
// care-of line. Without commas, the delivery line is taken to end after its
// street suffix, post-directional and secondary unit.
//
// Parse returns the address in Pub 28 standard form, or a [*ParseError] naming
// the field and the reason. An address needs a delivery line, a city, and a
// state or ZIP code or both.
func Parse(line string) (Address, error) {
	return parse(line, true)
}

// parseLenient is Parse without the need for a last line: the corpora of
// other projects are often bare delivery lines.
func parseLenient(line string) (Address, error) {
	return parse(line, false)
}

func parse(line string, complete bool) (Address, error) {
	p := getParser()
	defer putParser(p)
	return p.parse(line, complete)
}

func (p *parser) parse(line string, complete bool) (Address, error) {
	if err := p.normalize(line, FieldLine, maxLineLen); err != nil {
		return Address{}, err
	}
	if len(p.toks) == 0 {
		return Address{}, perr(FieldLine, 0, ErrEmpty)
	}
	lines, err := p.splitLastLine(p.toks)
	if err != nil {
		return Address{}, err
	}
	if err := p.delivery(lines); err != nil {
		return Address{}, err
	}
	if !p.fitsLine() {
		return Address{}, perr(FieldLine, 0, ErrTooLong)
	}
	var a Address
	if err := p.finish(&a, complete); err != nil {
		return Address{}, err
	}
	return a, nil
}

// ParseFields parses an address held as the fields mailers keep: two
// delivery lines, city, state and ZIP code. Either line may hold the street,
// PO Box or route; the other may hold a secondary unit ("APT 4B", above or
// below the delivery line, as Pub 28 allows), a care-of or attention line
// (set aside), or a building name (set aside; but a line that may tell two
// dwellings at the address apart, REAR HOUSE, WING C, CARRIAGE HOUSE, is an
// error: see the package documentation). A PO Box on the
// second line and a street on the first is a dual address; the line nearer
// the last line is the delivery address (Pub 28 section 215).
//
// ParseFields returns the address in Pub 28 standard form, or a
// [*ParseError] naming the field and the reason.
func ParseFields(line1, line2, city, state, zip string) (Address, error) {
	p := getParser()
	defer putParser(p)
	return p.parseFields(line1, line2, city, state, zip)
}

func (p *parser) parseFields(line1, line2, city, state, zip string) (a Address, err error) {
	// The tokens of each input follow those of the one before: cityAt is
	// where the city's start, stateAt the state's, zipAt the ZIP code's.
	if err := p.normalize(line1, FieldLine1, maxFieldLen); err != nil {
		return Address{}, err
	}
	line2At, commas := len(p.toks), p.seg > 0
	if err := p.normalize(line2, FieldLine2, maxFieldLen); err != nil {
		return Address{}, err
	}
	cityAt, commas := len(p.toks), commas || p.seg > 0
	if err := p.normalize(city, FieldCity, maxFieldLen); err != nil {
		return Address{}, err
	}
	stateAt := len(p.toks)
	if err := p.normalize(state, FieldState, maxFieldLen); err != nil {
		return Address{}, err
	}
	zipAt := len(p.toks)
	if err := p.normalize(zip, FieldZIP, maxFieldLen); err != nil {
		return Address{}, err
	}
	if len(p.toks) == 0 {
		return Address{}, perr(FieldLine1, 0, ErrEmpty)
	}
	if err := p.zip(p.toks[zipAt:]); err != nil {
		return Address{}, err
	}
	if stateT := p.toks[stateAt:zipAt]; len(stateT) > 0 {
		if err := p.state(stateT); err != nil {
			return Address{}, err
		}
	}
	if err := p.city(p.toks[cityAt:stateAt], true); err != nil {
		return Address{}, err
	}
	// Without commas, a line is what an input holds.
	var lines [][]token
	if commas {
		lines = p.splitLines(p.toks[:cityAt])
	} else {
		lines = p.lines[:0]
		if line2At > 0 {
			lines = append(lines, p.toks[:line2At])
		}
		if cityAt > line2At {
			lines = append(lines, p.toks[line2At:cityAt])
		}
		p.lines = lines
	}
	if err := p.delivery(lines); err != nil {
		return Address{}, err
	}
	if !p.fitsLine() {
		// The longest input is the likeliest cause.
		f, n := FieldLine1, len(line1)
		if len(line2) > n {
			f, n = FieldLine2, len(line2)
		}
		if len(city) > n {
			f = FieldCity
		}
		return Address{}, perr(f, 0, ErrTooLong)
	}
	if err := p.finish(&a, true); err != nil {
		return Address{}, err
	}
	return a, nil
}

// fitsLine reports whether the standard form of the address parsed, its
// String(), is sure to be within what Parse reads (maxLineLen bytes,
// maxTokens words), so that every address returned parses back from it:
// the fields with a space, or a comma and a space, after each; a hyphen
// before the ZIP+4; and the words the form adds (PO BOX, BOX, PMB).
// ParseFields reads more than Parse in all, and the form may add words
// (the # before a bare range), so this is checked on what is returned.
func (p *parser) fitsLine() bool {
	const addedBytes, addedWords = 32, 3
	n, fields := 0, 0
	for _, sp := range p.span {
		if sp[1] > sp[0] {
			n += int(sp[1] - sp[0])
			fields++
		}
	}
	if n+addedBytes > maxLineLen {
		return false
	}
	// A field of n bytes holds at most (n+1)/2 words: only a long
	// address needs its words counted.
	if (n+fields)/2+addedWords <= maxTokens {
		return true
	}
	words := addedWords
	for _, sp := range p.span {
		if sp[1] > sp[0] {
			words += 1 + bytes.Count(p.out[sp[0]:sp[1]], space)
		}
	}
	return words <= maxTokens
}

var space = []byte{' '}

// A parser holds one parse's scratch space; parsers are pooled, so a parse
// allocates only the string that backs the returned Address.
type parser struct {
	buf   []byte
	toks  []token
	lines [][]token
	out   []byte
	span  [numFields][2]int32 // where each field of the result is in out

	src  Field // normalize: the input being read
	seg  int16
	open bool
	// normalize: what the open word holds
	wDigit, wLetter, wOther bool

	cur Field  // the field being written to out
	hw  []byte // highway: the standard form being built

	aside []token // the words of the lines set aside as a building's name

	// dropped: words of the input were left out of the address, as Pub 28
	// has it: a care-of line, the farther line of a dual address, a
	// route's street after its box. Tests read it: other words may not be.
	dropped bool
}

var parserPool = sync.Pool{New: func() any {
	return &parser{
		buf:   make([]byte, 0, 512),
		toks:  make([]token, 0, 32),
		lines: make([][]token, 0, 4),
		out:   make([]byte, 0, 128),
	}
}}

func getParser() *parser { return parserPool.Get().(*parser) }

func putParser(p *parser) {
	if cap(p.buf) > 4*maxLineLen || cap(p.toks) > 4*maxTokens {
		return
	}
	p.buf, p.toks, p.lines, p.out, p.aside = p.buf[:0], p.toks[:0], p.lines[:0], p.out[:0], p.aside[:0]
	p.span = [numFields][2]int32{}
	p.dropped = false
	parserPool.Put(p)
}

// text returns the text of t, for table lookups; m[string(p.text(t))] does
// not allocate.
func (p *parser) text(t token) []byte { return p.buf[t.a:t.b] }

func (p *parser) is(t token, w string) bool { return string(p.buf[t.a:t.b]) == w }

// run returns the text of the consecutive tokens ts, single-spaced.
func (p *parser) run(ts []token) []byte { return p.buf[ts[0].a:ts[len(ts)-1].b] }

// begin starts writing field f of the result.
func (p *parser) begin(f Field) {
	p.cur = f
	p.span[f][0] = int32(len(p.out))
	p.span[f][1] = int32(len(p.out))
}

// put appends a word to the field being written.
func (p *parser) put(w []byte) {
	if int32(len(p.out)) > p.span[p.cur][0] {
		p.out = append(p.out, ' ')
	}
	p.out = append(p.out, w...)
	p.span[p.cur][1] = int32(len(p.out))
}

func (p *parser) puts(w string) {
	if int32(len(p.out)) > p.span[p.cur][0] {
		p.out = append(p.out, ' ')
	}
	p.out = append(p.out, w...)
	p.span[p.cur][1] = int32(len(p.out))
}

// set writes field f as the one word w.
func (p *parser) set(f Field, w string) {
	p.begin(f)
	p.puts(w)
}

func (p *parser) setTok(f Field, t token) {
	p.begin(f)
	p.put(p.text(t))
}

func (p *parser) has(f Field) bool { return p.span[f][1] > p.span[f][0] }

// finish checks the whole and fills in *a, the zero Address, its fields cut
// from one string.
func (p *parser) finish(a *Address, complete bool) error {
	// APO, FPO, DPO; AA, AE, AP.
	city, state := p.field(FieldCity), p.field(FieldState)
	military := len(city) == 3 && (city[0] == 'A' || city[0] == 'F' || city[0] == 'D') && city[1] == 'P' && city[2] == 'O'
	militaryState := len(state) == 2 && state[0] == 'A' && (state[1] == 'A' || state[1] == 'E' || state[1] == 'P')
	if p.has(FieldState) && military != militaryState {
		return perr(FieldState, 0, ErrMilitaryState)
	}
	if complete && !(p.has(FieldCity) && (p.has(FieldZIP) || p.has(FieldState))) {
		f := FieldCity
		if p.has(FieldCity) {
			f = FieldState
		}
		return perr(f, 0, ErrIncomplete)
	}
	// The building, which no rendering holds, after fitsLine.
	if len(p.aside) > 0 {
		p.begin(FieldBuilding)
		for _, t := range p.aside {
			p.put(p.text(t))
		}
	}
	// Only the fields set are cut; a field never set is left empty.
	s := string(p.out)
	if sp := p.span[FieldNumber]; sp[1] > sp[0] {
		a.Number = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldPreDir]; sp[1] > sp[0] {
		a.PreDir = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldStreet]; sp[1] > sp[0] {
		a.Street = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldSuffix]; sp[1] > sp[0] {
		a.Suffix = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldPostDir]; sp[1] > sp[0] {
		a.PostDir = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldUnit]; sp[1] > sp[0] {
		a.Unit = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldUnitNum]; sp[1] > sp[0] {
		a.UnitNum = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldUnit2]; sp[1] > sp[0] {
		a.Unit2 = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldUnit2Num]; sp[1] > sp[0] {
		a.Unit2Num = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldPMB]; sp[1] > sp[0] {
		a.PMB = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldRoute]; sp[1] > sp[0] {
		a.Route = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldRouteNum]; sp[1] > sp[0] {
		a.RouteNum = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldBox]; sp[1] > sp[0] {
		a.Box = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldCity]; sp[1] > sp[0] {
		a.City = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldState]; sp[1] > sp[0] {
		a.State = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldZIP]; sp[1] > sp[0] {
		a.ZIP = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldZIP4]; sp[1] > sp[0] {
		a.ZIP4 = s[sp[0]:sp[1]]
	}
	if sp := p.span[FieldBuilding]; sp[1] > sp[0] {
		a.Building = s[sp[0]:sp[1]]
	}
	return nil
}

// field returns the text of field f of the result.
func (p *parser) field(f Field) []byte { return p.out[p.span[f][0]:p.span[f][1]] }

// splitLines cuts delivery tokens into lines: one per input and
// comma-separated part.
func (p *parser) splitLines(ts []token) [][]token {
	lines := p.lines[:0]
	for i := 0; i < len(ts); {
		j := i + 1
		for j < len(ts) && ts[j].src == ts[i].src && ts[j].seg == ts[i].seg {
			j++
		}
		lines = append(lines, ts[i:j])
		i = j
	}
	p.lines = lines
	return lines
}

// The last line.

// zip reads a ZIP code: 5 digits, ZIP+4 as 5-4, 9 digits, or 5 and 4 as two
// words. A 4-digit ZIP code, whose leading zero a spreadsheet dropped, is
// padded back to 5.
func (p *parser) zip(ts []token) error {
	switch len(ts) {
	case 0:
		return nil
	case 1:
		if p.zipWord(p.text(ts[0]), true) {
			return nil
		}
	case 2:
		z, z4 := p.text(ts[0]), p.text(ts[1])
		if len(z4) == 4 && allDigits(z4) && p.zipWord(z, true) && !p.has(FieldZIP4) {
			p.begin(FieldZIP4)
			p.put(z4)
			return nil
		}
	}
	return perr(ts[0].src, int(ts[0].off), ErrInvalidZIP)
}

// zipWord writes w as the ZIP (and ZIP+4) if it is one, and reports whether
// it was. pad allows a 4-digit ZIP.
func (p *parser) zipWord(w []byte, pad bool) bool {
	var z5, z4 []byte
	switch {
	case len(w) == 5 && allDigits(w):
		z5 = w
	case len(w) == 9 && allDigits(w):
		z5, z4 = w[:5], w[5:]
	case len(w) == 10 && w[5] == '-' && allDigits(w[:5]) && allDigits(w[6:]):
		z5, z4 = w[:5], w[6:]
	case pad && len(w) == 4 && allDigits(w):
		z5 = w
	case pad && len(w) == 9 && w[4] == '-' && allDigits(w[:4]) && allDigits(w[5:]):
		z5, z4 = w[:4], w[5:]
	default:
		return false
	}
	if string(z5) == "00000" || string(z5) == "0000" {
		return false
	}
	p.begin(FieldZIP)
	if len(z5) == 4 {
		p.out = append(p.out, '0')
	}
	p.out = append(p.out, z5...)
	p.span[FieldZIP][1] = int32(len(p.out))
	if z4 != nil {
		p.begin(FieldZIP4)
		p.put(z4)
	}
	return true
}

// countryLen returns how many words at the end of ts name the country: US,
// USA, UNITED STATES (OF AMERICA). They are dropped: printgate reads US
// addresses only.
func (p *parser) countryLen(ts []token) int {
	n := len(ts)
	switch {
	case n >= 5 && p.is(ts[n-4], "UNITED") && p.is(ts[n-3], "STATES") && p.is(ts[n-2], "OF") && p.is(ts[n-1], "AMERICA"):
		return 4
	case n >= 3 && p.is(ts[n-2], "UNITED") && p.is(ts[n-1], "STATES"):
		return 2
	case n >= 2 && (p.is(ts[n-1], "USA") || p.is(ts[n-1], "US")) && (ts[n-2].digit || ts[n-2].seg != ts[n-1].seg):
		return 1
	}
	return 0
}

// boxWordBefore reports whether ts[i] follows a word that wants a number
// (BOX, #, PMB, a unit designator): then it is that number.
func (p *parser) boxWordBefore(ts []token, i int) bool {
	if i == 0 || ts[i-1].seg != ts[i].seg {
		return false
	}
	prev := ts[i-1]
	if prev.w.state {
		return false // FL is Florida before a ZIP code, not a floor
	}
	return prev.w.ranged || prev.w.boxWord || prev.w.is&(isBox|isPMB|isNo) != 0
}

// isZIPLike reports whether w is digits, with perhaps a hyphen: what a ZIP
// code is written with.
func isZIPLike(w []byte) bool {
	for _, c := range w {
		if !isDigit(c) && c != '-' {
			return false
		}
	}
	return len(w) > 0 && isDigit(w[0])
}

func allDigits(w []byte) bool {
	for _, c := range w {
		if !isDigit(c) {
			return false
		}
	}
	return len(w) > 0
}

// state reads a state as its code or its full name.
func (p *parser) state(ts []token) error {
	if len(ts) == 1 && ts[0].w.code != "" {
		p.set(FieldState, ts[0].w.code)
		return nil
	}
	if c, ok := stateOf(p.run(ts)); ok {
		p.set(FieldState, c)
		return nil
	}
	return perr(ts[0].src, int(ts[0].off), ErrUnknownState)
}

// stateAt returns the length of the longest state name or code that ends
// just before ts[end], and its code.
func (p *parser) stateAt(ts []token, end int) (string, int) {
	for n := min(maxStateWords, end); n >= 1; n-- {
		run := ts[end-n : end]
		if !run[0].w.state {
			continue
		}
		if run[0].seg != run[len(run)-1].seg {
			continue
		}
		if c, ok := stateOf(p.run(run)); ok {
			return c, n
		}
	}
	return "", 0
}

// city writes the city ts names, spelling out the abbreviations a city
// name may carry, Pub 28 section 223: a leading directional (W STOCKBRIDGE
// is WEST STOCKBRIDGE) and the standard suffix abbreviations (NEWBERRY SPGS
// is NEWBERRY SPRINGS). ST in a city is SAINT. own: ts is a field or
// comma-separated part of its own, where a directional alone is a city
// (WEST, TX).
func (p *parser) city(ts []token, own bool) error {
	if len(ts) == 0 {
		return nil
	}
	if !p.cityOK(ts) && !(own && p.directionalCity(ts)) {
		return perr(ts[0].src, int(ts[0].off), ErrInvalidCity)
	}
	p.begin(FieldCity)
	for i := range ts {
		t := &ts[i]
		w := p.buf[t.a:t.b]
		switch {
		case i == 0 && len(ts) > 1 && t.w.dirName != "":
			p.puts(t.w.dirName)
		case len(w) == 2 && w[0] == 'S' && w[1] == 'T':
			p.puts("SAINT")
		case t.w.std:
			p.puts(t.w.expand) // the word itself if it is the primary name (LOOP)
		default:
			p.put(w)
		}
	}
	return nil
}

// clearEnd reports whether a delivery line ends as a street seldom does
// but at its end: with a suffix, a post-directional after one, a unit's
// range or a PMB.
func (p *parser) clearEnd(ts []token) bool {
	n := len(ts)
	switch {
	case n == 0:
		return false
	case ts[n-1].w.suffix != "":
		return n >= 3 // not 10810 AVE | H: a suffix with no name before it

	case n >= 3 && ts[n-1].w.dir != "":
		return true // ... 1700 S
	case n >= 2 && (ts[n-2].w.unit != "" || ts[n-2].w.is&(isPMB|isBox) != 0):
		return true
	}
	return false
}

// cityOK reports whether ts can be a city name: words of letters, no digits
// (the City State file spells 29 PALMS as TWENTYNINE PALMS), that do not
// read as a delivery line (BOX A).
func (p *parser) cityOK(ts []token) bool {
	if len(ts) == 0 {
		return false
	}
	for i := range ts {
		if t := &ts[i]; t.digit || !t.letter || t.w.is&isPMB != 0 {
			return false // no city holds PMB, which would be read as one
		}
	}
	if last := ts[len(ts)-1]; last.w.ranged || last.w.is&(isBox|isPMB) != 0 {
		return false // APT, before a number: the number is the unit's
	}
	if last := ts[len(ts)-1]; len(ts) == 1 && last.b-last.a == 2 || last.w.code != "" && last.b-last.a == 2 {
		return false // a state code, or what is written as one, would be read as the state
	}
	// Nor may a unit start it, or follow its leading directional (which is
	// spelled out when printed, so may stay), where after a comma it would
	// be read back as the delivery line's (SOUTH RM A A as S RM A and a
	// city A); nor an abbreviation spelled out as a designator when printed
	// (KY A prints as KEY A, a unit). A designator that needs no range may
	// start a longer name: UPPER DARBY, FRONT ROYAL, LOWER LAKE.
	if p.unitAhead(ts, 0) {
		return false
	}
	if _, n := p.dirStart(ts); n > 0 && n < len(ts) && p.unitAhead(ts, n) {
		return false
	}
	return ts[0].letter && p.kind(ts) == lineOther && p.pmbLen(ts, 0) == 0
}

// unitAhead reports whether ts[i:] starts with what would read as a unit
// continuing a delivery line, as written or as printed (KY A as KEY A).
func (p *parser) unitAhead(ts []token, i int) bool {
	if i+1 < len(ts) && ts[i].w.std && ts[i].w.expandUnit && p.idOK(ts[i+1]) {
		return true
	}
	return p.unitStarts(ts, i)
}

// directionalCity reports whether ts is a city named by a directional
// spelled out and nothing else (WEST, TX; NORTH, SC; NORTH EAST, MD),
// which in a part of its own before the state or ZIP code, or in the city
// field, is the city, not a post-directional: an address has a city. After
// a delivery line in the same part, it is the line's (343 PARK AVE UNIT 2
// EAST is no address in EAST).
func (p *parser) directionalCity(ts []token) bool {
	_, n := p.dirStart(ts)
	if n == 0 || n != len(ts) {
		return false
	}
	for _, t := range ts {
		if t.b-t.a <= 2 {
			return false // N, NW: a directional written short
		}
	}
	return true
}

// splitLastLine finds the ZIP code, state and city at the end of a one-line
// address and returns the delivery lines before them.
func (p *parser) splitLastLine(ts []token) ([][]token, error) {
	end := len(ts) - p.countryLen(ts)
	if end > 0 {
		last := ts[end-1]
		// A number after a state is meant for a ZIP code: a 4-digit one
		// lost its leading zero, and any other is invalid.
		// (Only where commas set the last line apart: "100 KY 1207" is a
		// highway.)
		afterState := false
		if _, n := p.stateAt(ts, end-1); n > 0 && ts[end-2].seg == last.seg && last.seg > 0 {
			afterState = true
		}
		if p.boxWordBefore(ts, end-1) {
			// PO BOX 11890, RM 10022: the number is the box's, not a ZIP.
		} else if p.zipWord(p.text(last), afterState) {
			end--
		} else if afterState && isZIPLike(p.text(last)) {
			return nil, perr(FieldLine, int(last.off), ErrInvalidZIP)
		} else if end >= 2 && len(p.text(last)) == 4 && allDigits(p.text(last)) && ts[end-2].seg == last.seg &&
			len(p.text(ts[end-2])) == 5 && allDigits(p.text(ts[end-2])) {
			p.zipWord(p.text(ts[end-2]), false)
			p.begin(FieldZIP4)
			p.put(p.text(last))
			end -= 2
		}
	}
	if end == 0 {
		return nil, perr(FieldLine, 0, ErrNoStreet)
	}
	// The state: with the ZIP code, or in a part of its own. Without a ZIP
	// code, a word that may be the delivery line's suffix ("123 MAIN CT") is
	// the state only after a comma.
	if c, n := p.stateAt(ts, end); n > 0 && end-n > 0 {
		run := ts[end-n : end]
		suffix := n == 1 && run[0].w.suffix != ""
		ownPart := run[0].seg != ts[end-n-1].seg
		// After a city in a part of its own ("..., HARTFORD CT"), a
		// suffix-like state is the state.
		part := end - n
		for part > 0 && ts[part-1].seg == run[0].seg {
			part--
		}
		cityPart := part > 0 && !ts[part].digit && p.unitLen(ts[:end-n], part) == 0
		if cityPart {
			suffix = false
		}
		switch {
		case p.boxWordBefore(ts, end-n):
			// BOX SC: the box's number, not South Carolina.
		case !ownPart && p.floorFirst(ts[:end], end-n-1):
			// 6TH FL: the floor, not Florida.
		case !p.has(FieldZIP) && !ownPart && !cityPart && (run[n-1].b-run[0].a > 2 || run[0].w.dir != ""):
			// A state's name with neither ZIP code nor comma is a
			// street's (321 S WASHINGTON), and NE a directional; but
			// not after a city in a part of its own (..., OMAHA NE).
		case p.has(FieldZIP) || ownPart || !suffix:
			p.set(FieldState, c)
			end -= n
		}
	}
	if t := ts[end-1]; p.has(FieldZIP) && !p.has(FieldState) && t.alpha && t.b-t.a == 2 &&
		(end == 1 || ts[end-2].seg != t.seg) && t.seg == ts[end].seg {
		return nil, perr(FieldLine, int(t.off), ErrUnknownState) // ", ZZ 62704"
	}
	head := ts[:end]
	if len(head) == 0 {
		return nil, perr(FieldLine, 0, ErrNoStreet)
	}
	// The city is the last part before the state when that part is no
	// delivery line ("..., SPRINGFIELD, IL"); otherwise it is what follows
	// the delivery line in its part ("123 MAIN ST SPRINGFIELD").
	k := len(head)
	for k > 0 && head[k-1].seg == head[len(head)-1].seg {
		k--
	}
	part := head[k:]
	lastLine := p.has(FieldState) || p.has(FieldZIP)
	switch {
	case k > 0 && lastLine && p.directionalCity(part):
		// "..., WEST, TX 76691": the city, not a post-directional, as
		// nothing else would be.
		p.city(part, true)
		head = head[:k]
	case p.kind(part) != lineOther:
		// Without a state or ZIP code, only a clear end of the street
		// (a suffix, a unit) sets a city apart: 1020 W BRYN MAWR is a
		// street.
		if e := p.deliveryEnd(part); p.cityOK(part[e:]) && (lastLine || p.clearEnd(part[:e])) {
			p.city(part[e:], false)
			head = head[:k+e]
		}
	case k > 0 || lastLine:
		// "..., SUITE 530 ATLANTA, GA": a unit or post-directional
		// that goes with the delivery line, then the city.
		c := p.continuationLen(part)
		if err := p.city(part[c:], false); err != nil {
			return nil, err
		}
		head = head[:k+c]
	}
	if len(head) == 0 {
		return nil, perr(FieldLine, 0, ErrNoStreet)
	}
	return p.splitLines(head), nil
}
