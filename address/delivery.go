package address

import "bytes"

// The delivery line: street, PO Box, rural route, highway contract, military
// box or general delivery, with a secondary unit and private mailbox.

// lineKind is what one line (or comma-separated part) of delivery input is.
type lineKind uint8

const (
	lineOther   lineKind = iota // no primary number: a building or firm name
	lineCareOf                  // C/O, ATTN: set aside (Pub 28 section 214)
	lineUnit                    // only a secondary unit or PMB: "APT 4B"
	lineStreet                  // starts with a primary number
	linePOBox                   // PO BOX 123 (section 28)
	lineRoute                   // RR 2 BOX 152, HC 68 BOX 23A, PSC 1650 BOX 10
	lineGeneral                 // GENERAL DELIVERY (section 26)
)

func (p *parser) kind(ts []token) lineKind {
	switch {
	case len(ts) == 0:
		return lineOther
	case len(ts) == 1 && p.bareLetter(ts[0]):
		return lineUnit // a bare range: 123 MAIN ST, A
	case ts[0].w == noWord && !ts[0].digit && !p.is(ts[0], "GENERAL") && !p.floorFirst(ts, 0):
		return lineOther // no table word, no number: a name (not SECOND FLOOR)
	case ts[0].digit && !ts[0].letter:
		// A number, which starts no phrase, unit, PMB or directional: a
		// bare range if it is all there is, else a street (by the rules
		// below, which this shortens).
		if len(ts) == 1 && !p.isFraction(ts[0]) {
			return lineUnit
		}
		return lineStreet
	case p.phraseLen(careOfPhrases, ts) > 0:
		return lineCareOf
	case len(ts) == 2 && p.is(ts[0], "GENERAL") && p.is(ts[1], "DELIVERY"):
		return lineGeneral
	case p.isPOBox(ts):
		return linePOBox
	case p.isRoute(ts):
		return lineRoute
	case p.unitLineLen(ts) == len(ts):
		return lineUnit
	case ts[0].digit:
		return lineStreet
	}
	if m := p.leadingUnit(ts); m > 0 {
		return lineStreet // # 42 233 S WACKER DR
	}
	return lineOther
}

// continuationLen returns how many words at the start of ts continue the
// delivery line of the part before: a post-directional, a unit or two, a
// PMB ("..., NE SUITE 2000 ATLANTA", "..., BLDG 3 STE 200 ATLANTA").
func (p *parser) continuationLen(ts []token) int {
	_, n := p.dirStart(ts)
	if n > 0 && n == len(ts) {
		return n
	}
	if p.unitStarts(ts, n) {
		n = p.secondUnitEnd(ts, n+p.unitLen(ts, n))
	} else if n > 0 && !p.quadrant(ts[:n]) && !(n < len(ts) && ts[n].w.is&isPMB != 0) {
		return 0 // a directional starts the city: N LAS VEGAS, WEST PALM BEACH
	}
	return n + p.pmbLen(ts, n)
}

// unitStarts reports whether a unit at ts[i] continues a delivery line:
// one with its range (SUITE 2000), or one that needs none and ends ts
// (REAR). A designator that needs no range and has words after it starts a
// name instead: UPPER DARBY.
func (p *parser) unitStarts(ts []token, i int) bool {
	m := p.unitLen(ts, i)
	return m >= 2 || m == 1 && i+1 == len(ts)
}

// quadrant reports whether ts is a diagonal directional written short, as
// a city's quadrant is (NW ATLANTA, S W ATLANTA), not as a city's name
// begins (NORTHWEST, N).
func (p *parser) quadrant(ts []token) bool {
	switch len(ts) {
	case 1:
		return len(ts[0].w.dir) == 2 && ts[0].b-ts[0].a == 2
	case 2:
		return ts[0].b-ts[0].a == 1 && ts[1].b-ts[1].a == 1
	}
	return false
}

// leadingUnit returns the length of a unit with its range that starts a
// street line: "# 42 233 S WACKER DR", or a floor written number first,
// "4TH FLOOR 300 E RANDOLPH ST". 0: none.
func (p *parser) leadingUnit(ts []token) int {
	if len(ts) == 0 || ts[0].w.unit == "" && !p.floorFirst(ts, 0) {
		return 0
	}
	if m := p.unitAt(ts, 0); m >= 2 && m < len(ts) && ts[m].digit {
		return m
	}
	return 0
}

// deliveryEnd returns how many of ts, a part that holds a delivery line and
// then the city, belong to the delivery line.
func (p *parser) deliveryEnd(ts []token) int {
	switch p.kind(ts) {
	case lineCareOf:
		return len(ts)
	case lineGeneral:
		return 2
	case lineUnit:
		return p.unitLineLen(ts)
	case linePOBox:
		_, n := p.poBoxLen(ts)
		return n + p.pmbLen(ts, n)
	case lineRoute:
		return p.routeEnd(ts)
	case lineStreet:
		return p.streetEnd(ts)
	}
	// A line that starts with no number ends where a street would: find
	// out by the same rules, from the first word.
	return 0
}

// delivery parses the delivery lines, in order from the top.
func (p *parser) delivery(lines [][]token) error {
	var del, other []token
	var delKind lineKind
	var badOther error
	var dwelling []token // a line set aside that names a second dwelling
	var units [2][]token
	nu := 0
	// A route with no box and a line that is the word BOX and its number
	// right before or after it: that is the route's box (RR 2, BOX 18 is
	// RR 2 BOX 18), not a PO Box, which would lose the route.
	routeAt, boxAt, err := p.routeBoxLines(lines)
	if err != nil {
		return err
	}
	var delBox []token // the box of del, a route, on a line of its own
	for i, l := range lines {
		if i == boxAt {
			continue // read with its route
		}
		switch k := p.kind(l); k {
		case lineCareOf:
			p.dropped = true
		case lineUnit:
			if nu == len(units) {
				return perr(l[0].src, int(l[0].off), ErrAmbiguous)
			}
			units[nu] = l
			nu++
		case lineOther:
			// A line that is not a delivery line: a building or firm
			// name, set aside, unless it could tell two dwellings at
			// the address apart (nameErr, dwellingLen).
			if other == nil {
				other = l
			}
			p.aside = append(p.aside, l...)
			if badOther == nil {
				badOther = p.nameErr(l)
			}
			if dwelling == nil && p.dwellingLen(l) > 0 {
				dwelling = l
			}
		default:
			if del != nil {
				// A dual address: the line nearer the last line is the
				// delivery address (Pub 28 section 215). Two streets are
				// not a dual address but a conflict.
				if delKind == lineStreet && k == lineStreet {
					return perr(l[0].src, int(l[0].off), ErrAmbiguous)
				}
				p.dropped = true
			}
			del, delKind, delBox = l, k, nil
			if k == lineRoute {
				// A route without its box is no delivery point (Pub 28
				// sections 241, 251), not even as the farther line of a
				// dual address: RR 1, PO BOX 406 may be route 1's box
				// 406 written as a PO Box.
				if i == routeAt {
					delBox = lines[boxAt]
				} else if !p.routeBoxed(l) {
					_, n, _ := p.routeStart(l)
					if n < len(l) && p.boxInStreet(l[n:], true) {
						return perr(l[n].src, int(l[n].off), ErrAmbiguous) // RR 1 PO BOX 406
					}
					return perr(l[0].src, int(l[0].off), ErrInvalidBox)
				}
			}
		}
	}
	if del == nil {
		if other != nil {
			return perr(other[0].src, int(other[0].off), ErrNoNumber)
		}
		if nu > 0 {
			if len(units[0]) == 1 {
				return perr(units[0][0].src, int(units[0][0].off), ErrNoStreet) // a number alone
			}
			return perr(units[0][0].src, int(units[0][0].off), ErrNoNumber)
		}
		src := FieldLine1
		if len(lines) > 0 {
			src = lines[0][0].src
		}
		return perr(src, 0, ErrEmpty)
	}
	if badOther != nil {
		return badOther
	}
	switch delKind {
	case lineGeneral:
		p.set(FieldStreet, "GENERAL DELIVERY")
	case linePOBox:
		err = p.poBox(del)
	case lineRoute:
		err = p.route(del, delBox)
	default:
		err = p.street(del)
	}
	if err != nil {
		return err
	}
	for _, u := range units[:nu] {
		// A secondary unit belongs to a street address; a box takes only
		// a PMB (Pub 28 section 285).
		if delKind != lineStreet && p.pmbLen(u, 0) != len(u) {
			return perr(u[0].src, int(u[0].off), ErrInvalidUnit)
		}
		if err := p.unitLine(u); err != nil {
			return err
		}
	}
	// A street address with no unit, or a route's box, and a line that
	// names a second dwelling (123 MAIN ST, CARRIAGE HOUSE; RR 2 BOX 18,
	// COTTAGE) is not the main house's address, and no unit tells which:
	// an error, not set aside. With a
	// unit, such a line names a building (CARRIAGE HOUSE APTS, APT 5).
	if dwelling != nil && (delKind == lineStreet && !p.has(FieldUnit) || delKind == lineRoute) {
		return perr(dwelling[0].src, int(dwelling[0].off), ErrInvalidUnit)
	}
	// A street name that ends in a designator, with a unit after it, reads
	// as one unit when printed (MAIN APT, # 4 is MAIN APT # 4): malformed.
	if p.has(FieldUnit) && delKind == lineStreet {
		st := p.out[p.span[FieldStreet][0]:p.span[FieldStreet][1]]
		last := st[bytes.LastIndexByte(st, ' ')+1:] // N APT, # 4 too: street APT
		if !p.has(FieldSuffix) && !p.has(FieldPostDir) && (len(last) < len(st) || p.has(FieldPreDir)) && wordOf(last).ranged {
			return perr(del[0].src, int(del[0].off), ErrInvalidUnit)
		}
	}
	return nil
}

// routeBoxLines finds a route with no box (RR 2) whose box is on the line
// right after or before it (BOX 18): the indexes of the two lines in
// lines, or -1 and -1. Only the word BOX marks such a line; PO BOX, POB
// and the like name a PO Box. A line of the word BOX next to a route that
// has a box (RR 2 BOX 5, BOX 6), or on both sides of one with none, is
// ErrAmbiguous: a second box of the route, or which is its box, cannot be
// told.
func (p *parser) routeBoxLines(lines [][]token) (routeAt, boxAt int, err error) {
	routeAt, boxAt = -1, -1
	for i, l := range lines {
		if !p.isRoute(l) {
			continue
		}
		bare := !p.routeBoxed(l)
		if bare {
			// Only the route and its number: RR 2 BOX would be invalid.
			if _, n, _ := p.routeStart(l); n < len(l) {
				continue
			}
		}
		for _, j := range [2]int{i + 1, i - 1} {
			if j < 0 || j >= len(lines) || !p.routeBoxLine(lines[j]) {
				continue
			}
			if !bare || boxAt >= 0 || routeAt >= 0 {
				b := lines[j]
				return -1, -1, perr(b[0].src, int(b[0].off), ErrAmbiguous)
			}
			routeAt, boxAt = i, j
		}
	}
	return routeAt, boxAt, nil
}

// routeBoxed reports whether l, a route line, holds its box.
func (p *parser) routeBoxed(l []token) bool {
	_, n, _ := p.routeStart(l)
	return p.boxAfter(l, n) > 0
}

// routeBoxLine reports whether l is a line that starts with the word BOX
// and its number, which next to a route with no box is the route's.
func (p *parser) routeBoxLine(l []token) bool {
	return len(l) > 0 && l[0].w.is&isBox != 0 && p.boxAfter(l, 0) > 0 && p.kind(l) == linePOBox
}

// bareLetter reports whether t, a line's only word, is a secondary range
// written alone (123 MAIN ST, A): a single letter that is no directional
// (123 MAIN ST, N is the post-directional) nor designator.
func (p *parser) bareLetter(t token) bool {
	return t.alpha && t.b-t.a == 1 && t.w.dir == "" && t.w.unit == ""
}

// nameErr returns why l, a line that is no delivery line, cannot be set
// aside as a building or firm name, or nil. It could tell two dwellings at
// the address apart when it
//   - carries a number or a letter we cannot place (LEVEL 3; WING C,
//     C WING, TOWER N): ErrUnrecognized;
//   - starts like a unit but is none (SUITE; REAR HOUSE, the second house on
//     the lot) or with a word that says which side or part of the house
//     (BACK, LEFT, RIGHT, UP, HALF): ErrInvalidUnit;
//   - has a designator of a dwelling's unit after its first word, with no
//     range (EAST APT, GARAGE APT, GROUND FLOOR, THE REAR HOUSE), or ends
//     in HALF after it (EAST HALF; not HALF WAY HOUSE): ErrInvalidUnit.
func (p *parser) nameErr(l []token) error {
	at := func(err error) error { return perr(l[0].src, int(l[0].off), err) }
	for _, t := range l {
		if t.digit {
			return at(ErrUnrecognized)
		}
	}
	if l[0].w.unit != "" || houseParts[string(p.text(l[0]))] {
		return at(ErrInvalidUnit)
	}
	for _, t := range l {
		if t.alpha && t.b-t.a == 1 {
			return at(ErrUnrecognized)
		}
	}
	for i, t := range l[1:] {
		if dwellingUnits[t.w.unit] || p.is(t, "HALF") && i == len(l)-2 {
			return at(ErrInvalidUnit) // EAST APT; EAST HALF, a half of a house
		}
	}
	return nil
}

// dwellingLen returns the length of the first phrase in l that names a
// second dwelling on a lot (secondDwellings), or of l when it is a part
// of a house let as a dwelling alone (partDwellings: ATTIC, THE ATTIC);
// else 0.
func (p *parser) dwellingLen(l []token) int {
	for i := range l {
		for _, ph := range secondDwellings {
			if p.phraseIs(l[i:min(len(l), i+len(ph))], ph) {
				return len(ph)
			}
		}
	}
	whole := l
	if len(whole) > 1 && p.is(whole[0], "THE") {
		whole = whole[1:]
	}
	for _, ph := range partDwellings {
		if len(whole) == len(ph) && p.phraseIs(whole, ph) {
			return len(l)
		}
	}
	return 0
}

// phraseIs reports whether the words of ts are ph's.
func (p *parser) phraseIs(ts []token, ph []string) bool {
	if len(ts) != len(ph) {
		return false
	}
	for j, w := range ph {
		if !p.is(ts[j], w) {
			return false
		}
	}
	return true
}

// Secondary units.

// idOK reports whether t can be a secondary range or box number: it holds a
// digit, or is a single letter.
func (p *parser) idOK(t token) bool {
	return t.digit || t.alpha && t.b-t.a == 1
}

// unitLen returns how many words from ts[i] form a secondary unit: a C2
// designator with its range ("APT 4B", "APT # 4B"), a designator that needs
// no range ("REAR"), or the pound sign and a range ("# 4B"). 0: none.
//
// A floor written number first (2ND FLOOR, SECOND FL) is a unit of two
// words too, which putUnit writes as Pub 28 does: FL 2.
func (p *parser) unitLen(ts []token, i int) int {
	if i >= len(ts) || ts[i].w.unit == "" && (i+1 == len(ts) || ts[i+1].w.is&isFloor == 0) {
		return 0
	}
	return p.unitAt(ts, i)
}

// floorFirst reports whether ts[i] and ts[i+1] are a floor written number
// first: an ordinal, then the designator FL (FLOOR, FLR).
func (p *parser) floorFirst(ts []token, i int) bool {
	return i+1 < len(ts) && ts[i+1].w.is&isFloor != 0 && p.ordinal(ts[i]) != nil
}

// ordinal returns the number the ordinal t stands for ("2ND", "SECOND":
// "2"), or nil. A number's suffix must be its own: 2ND, 11TH, 21ST, not
// 2TH; a number with a leading zero is none.
func (p *parser) ordinal(t token) []byte {
	w := p.text(t)
	if !t.digit {
		if t.alpha {
			return spelledOrdinals[string(w)]
		}
		return nil
	}
	n := len(w) - 2
	if n < 1 || w[0] == '0' {
		return nil
	}
	for _, c := range w[:n] {
		if c < '0' || c > '9' {
			return nil
		}
	}
	last, tens := w[n-1], byte('0')
	if n >= 2 {
		tens = w[n-2]
	}
	suffix := "TH"
	switch {
	case tens == '1':
	case last == '1':
		suffix = "ST"
	case last == '2':
		suffix = "ND"
	case last == '3':
		suffix = "RD"
	}
	if string(w[n:]) != suffix {
		return nil
	}
	return w[:n]
}

// spelledOrdinals are the floors read spelled out: SECOND FLOOR is FL 2.
var spelledOrdinals = map[string][]byte{
	"FIRST": []byte("1"), "SECOND": []byte("2"), "THIRD": []byte("3"), "FOURTH": []byte("4"),
	"FIFTH": []byte("5"), "SIXTH": []byte("6"), "SEVENTH": []byte("7"), "EIGHTH": []byte("8"),
	"NINTH": []byte("9"), "TENTH": []byte("10"),
}

//go:noinline
func (p *parser) unitAt(ts []token, i int) int {
	abbr, ranged, _ := p.unit(ts[i])
	if abbr == "" {
		// No designator, before FL: a floor written number first?
		if p.floorFirst(ts, i) {
			return 2
		}
		return 0
	}
	rest := ts[i+1:]
	if abbr != "#" && len(rest) >= 2 && rest[0].w.is&(isPound|isNo) != 0 {
		if p.idOK(rest[1]) {
			return 3
		}
		return 0
	}
	// After the pound sign itself, a range may be a short word (# AB) that
	// is no designator (# STE is none at the end of a line, nor at its
	// start); after NO, which stands for it, only a number or a letter (NO
	// ST is a street).
	if len(rest) >= 1 && (p.idOK(rest[0]) || abbr == "#" && ts[i].w.is&isNo == 0 && rest[0].alpha && rest[0].b-rest[0].a <= 4 && rest[0].w.is&isNo == 0 && rest[0].w.unit == "") {
		return 2
	}
	if !ranged {
		return 1
	}
	return 0
}

func (p *parser) unit(t token) (string, bool, bool) {
	return t.w.unit, t.w.ranged, t.w.unit != ""
}

// pmbLen returns how many words from ts[i] form a private mailbox: "PMB 234".
func (p *parser) pmbLen(ts []token, i int) int {
	if i+1 < len(ts) && ts[i].w.is&isPMB != 0 {
		if ts[i+1].digit || ts[i+1].alpha {
			return 2
		}
		if ts[i+1].w.is&isPound != 0 && i+2 < len(ts) && (ts[i+2].digit || ts[i+2].alpha) {
			return 3
		}
	}
	return 0
}

// unitLineLen returns the length of a line that is only a secondary unit
// or two ("BLDG 3 APT 4"), a PMB, or both; or a bare range ("4B"). Any
// other line gives less than its length.
func (p *parser) unitLineLen(ts []token) int {
	if len(ts) == 1 && (ts[0].digit && !p.isFraction(ts[0]) || p.bareLetter(ts[0])) {
		return 1
	}
	_, n := p.dirStart(ts) // a post-directional of its own: "1800 M ST, NW"
	if m := p.unitLen(ts, n); m > 0 {
		n += m
		n += p.unitLen(ts, n) // a second: BLDG 3 APT 4
	}
	return n + p.pmbLen(ts, n)
}

// unitEndingAt returns where a unit that ends right before ts[i] starts,
// and its length (0: none), looking no further back than ts[start+1].
func (p *parser) unitEndingAt(ts []token, start, i int) (int, int) {
	for j := i - 1; j > start && j >= i-3; j-- {
		if m := p.unitLen(ts[:i], j); m > 0 && j+m == i {
			if j-1 > start && p.unitLen(ts[:i], j-1) == m+1 {
				return j - 1, m + 1 // APT # 4B
			}
			if ts[j].w.is&isNo != 0 && p.inHighway(ts, start, j) {
				return 0, 0 // COUNTY ROAD NO 20: the highway's number
			}
			return j, m
		}
	}
	return 0, 0
}

// putUnit writes the unit of n words at ts[0].
func (p *parser) putUnit(ts []token, n int) error {
	abbr, _, _ := p.unit(ts[0])
	if abbr == "" { // a floor written number first: 2ND FLOOR is FL 2
		unit, num, err := p.unitFields(ts[1], "FL")
		if err != nil {
			return err
		}
		p.set(unit, "FL")
		p.begin(num)
		p.put(p.ordinal(ts[0]))
		return nil
	}
	unit, num, err := p.unitFields(ts[0], abbr)
	if err != nil {
		return err
	}
	p.set(unit, abbr)
	if n > 1 {
		p.setTok(num, ts[n-1])
	}
	return nil
}

// unitFields returns the fields the next secondary unit goes in, whose
// designator is abbr: Unit and UnitNum, or Unit2 and Unit2Num once the first
// is written (BLDG 3 APT 4). An error at t: a third unit; a second of the
// first's class (STE 11 # 234: Pub 28 section 285 makes the second a PMB;
// APT 4 UNIT 5); a pound sign after a unit with no range, which would
// print as that unit's range (PH # 4 reads as PH 4).
func (p *parser) unitFields(t token, abbr string) (Field, Field, error) {
	if !p.has(FieldUnit) {
		return FieldUnit, FieldUnitNum, nil
	}
	if p.has(FieldUnit2) || unitClass(string(p.field(FieldUnit))) == unitClass(abbr) ||
		abbr == "#" && !p.has(FieldUnitNum) {
		return 0, 0, perr(t.src, int(t.off), ErrInvalidUnit)
	}
	return FieldUnit2, FieldUnit2Num, nil
}

func (p *parser) putPMB(ts []token, n int) error {
	if p.has(FieldPMB) {
		return perr(ts[0].src, int(ts[0].off), ErrInvalidUnit)
	}
	p.setTok(FieldPMB, ts[n-1])
	return nil
}

// unitLine writes a line that holds only a unit or two, a PMB, or a bare
// range.
func (p *parser) unitLine(ts []token) error {
	if len(ts) == 1 && (ts[0].digit || p.bareLetter(ts[0])) {
		unit, num, err := p.unitFields(ts[0], "#")
		if err != nil {
			return err
		}
		p.set(unit, "#")
		p.setTok(num, ts[0])
		return nil
	}
	dir, d := p.dirStart(ts)
	if d > 0 {
		// Only after a suffix, where a directional can only be the
		// post-directional (1800 M ST, NW).
		if p.has(FieldPostDir) || p.has(FieldUnit) || !p.has(FieldSuffix) {
			return perr(ts[0].src, int(ts[0].off), ErrUnrecognized)
		}
		p.set(FieldPostDir, dir)
	}
	n := p.unitLen(ts, d)
	if n > 0 {
		if err := p.putUnit(ts[d:], n); err != nil {
			return err
		}
		if m := p.unitLen(ts, d+n); m > 0 {
			if err := p.putUnit(ts[d+n:], m); err != nil {
				return err
			}
			n += m
		}
	}
	if m := p.pmbLen(ts, d+n); m > 0 {
		return p.putPMB(ts[d+n:], m)
	}
	return nil
}

// Streets.

func (p *parser) isFraction(t token) bool {
	return t.digit && !t.letter && p.fraction(&t) // digits, a slash and digits
}

//go:noinline
func (p *parser) fraction(t *token) bool {
	w := p.buf[t.a:t.b]
	i := bytes.IndexByte(w, '/')
	return i > 0 && allDigits(w[:i]) && allDigits(w[i+1:])
}

// numberLen returns how many words the primary number takes: 2 with a
// fraction ("123 1/2") or a letter ("4922 B SOUTH CORNELL AVE", but not
// "123 B ST", "123 N MAIN ST", or "123 B MAIN" with nothing of the street
// after it, not even when a unit or PMB follows, as it may on a line of
// its own), else 1.
func (p *parser) numberLen(ts []token) int {
	if len(ts) > 1 && p.isFraction(ts[1]) {
		return 2
	}
	if len(ts) > 3 && ts[3].w.unit == "" && ts[3].w.is&isPMB == 0 && allDigits(p.text(ts[0])) && ts[1].alpha && ts[1].b-ts[1].a == 1 && ts[1].w.dir == "" &&
		ts[2].alpha && ts[2].b-ts[2].a >= 2 && ts[2].w.suffix == "" && ts[2].w.unit == "" && ts[2].w.is&isPMB == 0 &&
		len(ts[1].w.phrases[highwayPhrases]) == 0 && !nameParticle[string(p.text(ts[2]))] {
		return 2
	}
	if len(ts) > 2 && ts[2].w.unit == "" && p.gridNumber(ts[0]) && p.gridNumber(ts[1]) {
		return 2 // W148 N9748 TREE TOPS DR (Pub 28 D3)
	}
	return 1
}

// nameParticle holds words that follow an initial in a street name, so
// that 1180 P DE LEON BLVD keeps P in the name.
var nameParticle = map[string]bool{"AND": true, "DE": true, "DEL": true, "DA": true, "DI": true,
	"DU": true, "EL": true, "LA": true, "LE": true, "VAN": true, "VON": true}

// gridNumber reports whether t is a grid-style number: a directional letter
// and digits (N9748, W148).
func (p *parser) gridNumber(t token) bool {
	w := p.text(t)
	return len(w) >= 2 && (w[0] == 'N' || w[0] == 'S' || w[0] == 'E' || w[0] == 'W') && allDigits(w[1:])
}

// putNumber writes the primary number of n words: "123 1/2", "4922B",
// "W148 N9748".
func (p *parser) putNumber(ts []token, n int) {
	p.begin(FieldNumber)
	p.put(p.text(ts[0]))
	if n == 2 {
		if p.isFraction(ts[1]) || p.gridNumber(ts[1]) {
			p.put(p.text(ts[1]))
		} else {
			p.out = append(p.out, p.text(ts[1])...)
			p.span[FieldNumber][1] = int32(len(p.out))
		}
	}
}

// street parses a street delivery line:
//
//	number [predir] name [suffix] [postdir] [unit] [PMB]
func (p *parser) street(ts []token) error {
	if m := p.leadingUnit(ts); m > 0 {
		if p.isRoute(ts[m:]) {
			// # 4 RR 2 BOX 152: a route has no secondary unit (Pub 28
			// section 24), and RR2 would be read back as the route, not
			// a primary number.
			return perr(ts[0].src, int(ts[0].off), ErrInvalidUnit)
		}
		if err := p.putUnit(ts, m); err != nil {
			return err
		}
		ts = ts[m:]
	}
	if !ts[0].digit {
		return perr(ts[0].src, int(ts[0].off), ErrNoNumber)
	}
	start := p.numberLen(ts)
	n := len(ts)
	// A box after the street on one line is a dual address with no line
	// nearer the last line to choose by (Pub 28 section 215): 123 MAIN
	// ST PO BOX 5, 123 MAIN ST BOX 5.
	for i := start; i < n; i++ {
		if ts[i].w.phrases[poBoxPhrases] != nil && p.boxInStreet(ts[i:], i > start) {
			return perr(ts[i].src, int(ts[i].off), ErrAmbiguous)
		}
	}
	// PMB, then the unit, from the end.
	for i := n - 2; i > start; i-- {
		if m := p.pmbLen(ts, i); m > 0 && i+m == n {
			if err := p.putPMB(ts[i:], m); err != nil {
				return err
			}
			n = i
			break
		}
	}
	for i := n - 1; i > start; i-- {
		if ts[i].w.is&isNo != 0 && p.inHighway(ts, start, i) {
			break // US HIGHWAY NO 202: the highway's number, no unit
		}
		if m := p.unitLen(ts[:n], i); m > 0 && i+m == n {
			if i-1 > start && p.unitLen(ts[:n], i-1) == m+1 {
				i, m = i-1, m+1 // APT # 4B
			}
			// A unit right before it is the first of two (BLDG 3 APT
			// 4), written first; putUnit refuses it if it is of the
			// same class (STE 11 # 234, where Pub 28 section 285 makes
			// the second a PMB). A third is an error. A designator with
			// no range after a street name without a suffix is a word
			// of the name: OCEAN FRONT APT 410.
			if j, mj := p.unitEndingAt(ts, start, i); mj > 1 || mj == 1 && (ts[j-1].w.suffix != "" || ts[j-1].w.dir != "" && j-1 > start+1) {
				if k, mk := p.unitEndingAt(ts, start, j); mk > 0 {
					return perr(ts[k].src, int(ts[k].off), ErrInvalidUnit)
				}
				if err := p.putUnit(ts[j:], mj); err != nil {
					return err
				}
				n = j
			} else {
				n = i
			}
			if err := p.putUnit(ts[i:], m); err != nil {
				return err
			}
			break
		}
		if i == n-1 {
			// A designator that needs a range, at the end without one, is
			// no word of the street after a suffix or two words of it
			// (MAIN ST APT, N MAIN APT), nor after a highway written as
			// one word (RT5 APT, printed ROUTE 5 APT).
			if _, ranged, ok := p.unit(ts[i]); ok && ranged && i > start && !p.floorFirst(ts[:n], i-1) {
				if ts[i-1].w.suffix != "" || i-1 > start || p.gluedHighway(ts[i-1]) {
					return perr(ts[i].src, int(ts[i].off), ErrInvalidUnit)
				}
			}
		}
	}
	p.putNumber(ts, start)
	s := ts[start:n]
	if len(s) == 0 {
		return perr(ts[0].src, int(ts[0].off), ErrNoStreet)
	}
	if err := p.checkStreet(s); err != nil {
		return err
	}
	checked := len(s)
	// A bare range after the suffix or post-directional ("123 MAIN ST 4B",
	// "280 SUMMIT CT B", "720 10TH AVE SW A"), or a number after a street
	// name of words ("203 N WABASH 608"); but a letter after AVENUE or
	// BOULEVARD right after a pre-directional is the street's name (S
	// AVENUE H).
	if last := s[len(s)-1]; !p.has(FieldUnit) && len(s) >= 3 && last.alpha && last.b-last.a == 1 &&
		last.w.dir == "" && p.strongEnd(s[:len(s)-1]) && !p.isHighway(s) &&
		!(len(s) == 3 && s[0].w.dir != "" && (s[1].w.suffix == "AVE" || s[1].w.suffix == "BLVD")) {
		p.set(FieldUnit, "#")
		p.setTok(FieldUnitNum, last)
		s = s[:len(s)-1]
	}
	if !p.has(FieldUnit) && len(s) >= 2 && s[len(s)-1].digit && !p.isHighway(s) && !p.isFraction(s[len(s)-1]) {
		prev := s[len(s)-2]
		if prev.w.suffix != "" && len(s) >= 3 && !p.highwayWord(prev) || prev.w.dir != "" && len(s) >= 3 ||
			prev.alpha && prev.w.suffix == "" && prev.w.dir == "" && allDigits(p.text(s[len(s)-1])) {
			p.set(FieldUnit, "#")
			p.setTok(FieldUnitNum, s[len(s)-1])
			s = s[:len(s)-1]
		}
	}
	if len(s) < checked {
		if err := p.checkStreet(s); err != nil {
			return err
		}
	}
	return p.streetName(s)
}

// strongEnd reports whether s, a street name of two words or more, ends
// in a strong suffix, or in one and an abbreviated post-directional (MAIN
// ST, 10TH AVE SW): what a bare letter after it is the unit of.
func (p *parser) strongEnd(s []token) bool {
	n := len(s)
	if strongSuffix[s[n-1].w.suffix] {
		return true
	}
	return n >= 3 && s[n-1].w.dir != "" && s[n-1].b-s[n-1].a <= 2 && strongSuffix[s[n-2].w.suffix]
}

// checkStreet reports what is left for the street name that is no street:
// a unit alone (123 APT 4), a unit inside it (MAIN APT 4 ST), a stray pound
// sign or PMB.
func (p *parser) checkStreet(s []token) error {
	// A designator, or a word spelled out as one when printed (KY: KEY),
	// with nothing but a directional after it is no street.
	ranged := s[0].w.ranged || s[0].w.expandRanged
	if s[0].w.unit != "" && p.unitLen(s, 0) == len(s) || ranged && (len(s) == 1 || p.onlyDir(s[1:])) {
		return perr(s[0].src, int(s[0].off), ErrNoStreet) // 123 APT 4, 123 APT NORTH, 123 STE S E, 123 KY
	}
	for j := range s {
		if t := &s[j]; t.w.is&(isPound|isPMB) != 0 || j > 0 && t.w.ranged && p.unitLen(s, j) >= 2 && !(t.w.is&isNo != 0 && p.inHighway(s, 0, j)) {
			return perr(t.src, int(t.off), ErrInvalidUnit)
		}
	}
	// A designator and a spelled-out directional of one letter at the end
	// (MAIN ST APT NORTH, also before a bare range: MAIN ST APT NORTH 4;
	// PH NORTH, of a designator that may go without a range) is no unit and
	// no post-directional: the standard form, APT N or PH N, would read as
	// unit N.
	if n := len(s); n >= 2 {
		if d, last := &s[n-2], &s[n-1]; d.w.unit != "" && len(last.w.dir) == 1 && last.b-last.a > 1 {
			return perr(d.src, int(d.off), ErrInvalidUnit)
		}
	}
	return nil
}

// onlyDir reports whether ts is one directional: N, NORTH, S E, SOUTH EAST.
func (p *parser) onlyDir(ts []token) bool {
	_, n := p.dirStart(ts)
	return n > 0 && n == len(ts)
}

// streetEnd returns where a street delivery line ends in a part that goes
// on with the city: after the suffix (the last of a run of suffix words,
// preferring an abbreviation: LAKE SHORE DR, PARK AVE PARK CITY), its
// post-directional, unit and PMB. With no suffix, the street name is taken
// to be one word.
func (p *parser) streetEnd(ts []token) int {
	lead := p.leadingUnit(ts)
	return lead + p.streetEndAfter(ts[lead:])
}

func (p *parser) streetEndAfter(ts []token) int {
	i := p.numberLen(ts)
	if i >= len(ts) {
		return len(ts)
	}
	// A unit with its range, or a PMB, ends the delivery line.
	for k := i + 1; k < len(ts); k++ {
		if m := p.unitLen(ts, k); m >= 2 || m == 1 && ts[k-1].w.suffix != "" {
			e := p.secondUnitEnd(ts, k+m)
			return e + p.pmbLen(ts, e)
		}
		if m := p.pmbLen(ts, k); m > 0 {
			return k + m
		}
	}
	first := i + 1 // where the suffix may be: after one name word
	if _, n := p.highway(ts[i:]); n > 0 {
		first = i + n // after the highway's name: HWY 66 FRONTAGE RD
	} else if _, n := p.dirStart(ts[i:]); n > 0 && i+n < len(ts) {
		first = i + n + 1
	}
	for k := first; k < len(ts); k++ {
		w := ts[k].w
		// An abbreviated directional after the name ends the street
		// (BRAYBROOK SE | CEDAR RAPIDS), unless a suffix follows it
		// (BALLAST PT W BLVD).
		if w.dir != "" && ts[k].b-ts[k].a <= 2 && !(k+1 < len(ts) && ts[k+1].w.suffix != "") &&
			!(ts[k].b-ts[k].a == 1 && p.strongWithin(ts[k+1:], 2)) {
			return p.afterStreet(ts, k) // but JOSEPH E LOWRY BLVD: an initial
		}
		if w.suffix == "" || k == i+1 && ts[i].w.dir != "" && !strongSuffix[w.suffix] {
			continue // E VIA DE VENTURA, but N ST
		}
		// A run of suffix words, perhaps with a directional inside
		// (MAIN AVENUE DR, BALLAST PT W BLVD): the last is the suffix,
		// unless it is a weak one after an abbreviation (PARK AVE |
		// PARK CITY).
		e, pick := k+1, -1
		for e < len(ts) {
			if ts[e].w.suffix != "" {
				e++
			} else if ts[e].w.dir != "" && e+1 < len(ts) && strongSuffix[ts[e+1].w.suffix] && ts[e].b-ts[e].a <= 2 {
				e += 2
			} else {
				break
			}
		}
		for q := k; q < e; q++ {
			if ts[q].w.suffix != "" && !ts[q].w.primary {
				pick = q + 1
			}
		}
		// A weak suffix with a strong one a word or two on is part of the
		// name: FOGGY BOTTOM FARM RD.
		if !strongSuffix[ts[e-1].w.suffix] {
			for q := e; q < len(ts) && q <= e+1 && ts[q].w.dir == "" && ts[q].w.unit == ""; q++ {
				if strongSuffix[ts[q].w.suffix] {
					k, e, pick = q, q+1, -1
					break
				}
			}
		}
		if pick > 0 && !strongSuffix[ts[e-1].w.suffix] {
			e = pick
		}
		return p.afterStreet(ts, e)
	}
	// No suffix: one name word, or the highway.
	return p.afterStreet(ts, min(first, len(ts)))
}

// strongWithin reports whether one of the first n words of ts is a strong
// suffix.
func (p *parser) strongWithin(ts []token, n int) bool {
	for i := 0; i < n && i < len(ts); i++ {
		if strongSuffix[ts[i].w.suffix] {
			return true
		}
	}
	return false
}

// afterStreet goes on from e past a post-directional, a unit and a PMB. A
// directional spelled out and followed by more words begins the city
// (MAIN ST | WEST PALM BEACH, 170TH ST | SOUTH HOLLAND).
func (p *parser) afterStreet(ts []token, e int) int {
	if d, n := p.dirStart(ts[e:]); d != "" {
		spelled := ts[e].b-ts[e].a > 2
		if !spelled || e+n == len(ts) || p.unitLen(ts, e+n) > 0 {
			e += n
		}
	}
	if m := p.unitLen(ts, e); m > 0 {
		e = p.secondUnitEnd(ts, e+m)
	} else if e < len(ts) && (ts[e].digit && !p.isFraction(ts[e]) || p.bareLetter(ts[e])) {
		e++ // a bare range; or a letter, which starts no city (S AVENUE H is a street)
	}
	return e + p.pmbLen(ts, e)
}

// secondUnitEnd returns where the delivery line ends when a unit ends at
// ts[e]: after a second unit with its range (BLDG 3 APT 4), else at e. A
// designator with no range after a unit starts the city (APT 4 FRONT
// ROYAL).
func (p *parser) secondUnitEnd(ts []token, e int) int {
	if m := p.unitLen(ts, e); m >= 2 {
		return e + m
	}
	return e
}

// dirStart returns the directional that starts ts and how many words it
// takes: one ("N", "NORTH"), or two spelled-out words ("SOUTH WEST").
func (p *parser) dirStart(ts []token) (string, int) {
	if len(ts) > 0 && ts[0].w.dir != "" { // else no two-word directional either
		return dirStartAt(ts)
	}
	return "", 0
}

//go:noinline
func dirStartAt(ts []token) (string, int) {
	if len(ts) >= 2 {
		if d := twoWordDir(&ts[0], &ts[1]); d != "" {
			return d, 2
		}
	}
	if len(ts) >= 1 {
		if d := ts[0].w.dir; d != "" {
			return d, 1
		}
	}
	return "", 0
}

func (p *parser) dirEnd(ts []token) (string, int) {
	if len(ts) > 0 && ts[len(ts)-1].w.dir != "" { // else no two-word directional either
		return dirEndAt(ts)
	}
	return "", 0
}

//go:noinline
func dirEndAt(ts []token) (string, int) {
	n := len(ts)
	if n >= 2 {
		if d := twoWordDir(&ts[n-2], &ts[n-1]); d != "" {
			return d, 2
		}
	}
	if n >= 1 {
		if d := ts[n-1].w.dir; d != "" {
			return d, 1
		}
	}
	return "", 0
}

func twoWordDir(a, b *token) string {
	if a.w.dir == "" || b.w.dir == "" {
		return ""
	}
	switch ns, ew := a.w.dir, b.w.dir; {
	case (ns == "N" || ns == "S") && (ew == "E" || ew == "W") && (a.b-a.a > 1) == (b.b-b.a > 1):
		return ns + ew // NORTH WEST, S W
	}
	return ""
}

// streetName writes the pre-directional, street name, suffix and
// post-directional of s, deciding by position (Pub 28 sections 233-234): a
// directional or suffix word that is all there is of the name is the name
// (NORTH AVE, N ST NW, AVENUE E); of two suffix words only the last is the
// suffix and the first is spelled out (MAIN AVENUE DR).
//
// A one-letter pre-directional and a name that starts with a directional
// letter (NORTH W, NORTH W ST, NORTH W MAIN ST) is ambiguous: in its
// standard form, N W, the two read as one directional or as a name.
func (p *parser) streetName(s []token) error {
	var pre, post, suf string
	// A highway, perhaps after a pre-directional (S COUNTY ROAD 20).
	head, hn := p.highway(s)
	if hn == 0 {
		if d, n := p.dirStart(s); n > 0 {
			if head, hn = p.highway(s[n:]); hn > 0 {
				pre, s = d, s[n:]
			}
		}
	}
	rest := s[hn:]
	hasHead := hn > 0
	lo, hi := 0, len(rest)
	if d, n := p.dirEnd(rest); n > 0 && (hi-n >= 1 || hasHead) {
		post, hi = d, hi-n
	}
	if hi >= 2 || hi == 1 && hasHead {
		if std := rest[hi-1].w.suffix; std != "" {
			suf, hi = std, hi-1
		}
	}
	// A lone directional and a word that is a suffix only sometimes is a
	// pre-directional and a name: W LAKE, S PARK (but N ST, NORTH AVE).
	if suf != "" && !hasHead && hi == 1 && rest[0].w.dir != "" && !strongSuffix[suf] && post == "" {
		suf, hi = "", hi+1
	}
	// A directional and a directional word is a pre-directional and a
	// name: W NORTH.
	if post != "" && !hasHead && suf == "" && hi == 1 && rest[0].w.dir != "" {
		post, hi = "", hi+1
	}
	if !hasHead {
		if d, n := p.dirStart(rest[:hi]); n > 0 && hi-n >= 1 {
			pre, lo = d, n
		}
	}
	if name := rest[lo:hi]; len(pre) == 1 && !hasHead && len(name) >= 1 && name[0].w.dir != "" && name[0].b-name[0].a == 1 {
		return perr(name[0].src, int(name[0].off), ErrAmbiguousStreet)
	}
	if pre != "" {
		p.set(FieldPreDir, pre)
	}
	p.begin(FieldStreet)
	if hasHead {
		p.put(head)
	}
	name := rest[lo:hi]
	for i := range name {
		t := &name[i]
		if i == len(name)-1 && t.w.abbrev {
			p.puts(t.w.expand)
			continue
		}
		p.put(p.buf[t.a:t.b])
	}
	if suf != "" {
		p.set(FieldSuffix, suf)
	}
	if post != "" {
		p.set(FieldPostDir, post)
	}
	return nil
}

// Highways, Pub 28 Appendix F.

// isHighway reports whether s starts with a highway name, perhaps after a
// pre-directional.
func (p *parser) isHighway(s []token) bool {
	if _, n := p.highway(s); n > 0 {
		return true
	}
	_, d := p.dirStart(s)
	_, n := p.highway(s[d:])
	return d > 0 && n > 0
}

// highway reads a highway name at the start of s ("CNTY HWY 20", "I10",
// "KENTUCKY 440") and returns its standard form and how many words it took.
// The standard form is built in p.hw, valid until the next call.
func (p *parser) highway(s []token) ([]byte, int) {
	// A highway starts with a word that holds digits and no letters only,
	// a highway designator, or a state.
	if len(s) == 0 || !(s[0].digit && !s[0].alpha) && len(s[0].w.phrases[highwayPhrases]) == 0 && !s[0].w.state {
		return nil, 0
	}
	p.hw = p.hw[:0]
	// Written as one word: I10, IH280, US41, FM1960.
	if w := p.text(s[0]); s[0].digit && !s[0].alpha && isLetter(w[0]) { // each starts with a letter
		for _, g := range gluedHighways {
			if len(w) > len(g[0]) && string(w[:len(g[0])]) == g[0] {
				num := w[len(g[0]):]
				if num[0] == '-' {
					num = num[1:]
				}
				if len(num) > 0 && isDigit(num[0]) {
					p.hw = append(append(append(p.hw, g[1]...), ' '), num...)
					return p.hw, 1
				}
			}
		}
	}
	if std, n := p.phrase(highwayPhrases, s); n > 0 && n < len(s) {
		m := n
		// US HIGHWAY NO 202: NO is the number's sign, no part of the name.
		if m+1 < len(s) && s[m].w.is&isNo != 0 && s[m+1].digit {
			m++
		}
		if p.highwayID(s[m], std) {
			p.hw = append(append(append(p.hw, std...), ' '), p.text(s[m])...)
			return p.hw, m + 1
		}
	}
	// A state's highway: KENTUCKY 440, KY HWY 75, KY ST HWY 1.
	for k := min(maxStateWords, len(s)-1); k >= 1 && s[0].w.state; k-- {
		code, ok := stateOf(p.run(s[:k]))
		if !ok {
			continue
		}
		std, n := p.phrase(highwayPhrases, s[k:])
		if n == 0 {
			std = "HIGHWAY"
		}
		if k+n < len(s) && p.routeNumber(s[k+n]) && !(k == 1 && s[0].w.dir != "") {
			p.hw = append(append(p.hw, code...), ' ')
			p.hw = append(append(append(p.hw, std...), ' '), p.text(s[k+n])...)
			return p.hw, k + n + 1
		}
	}
	return nil, 0
}

// inHighway reports whether ts[i] is a word of a highway that starts the
// street ts[start:], perhaps after a pre-directional.
func (p *parser) inHighway(ts []token, start, i int) bool {
	s := ts[start:]
	_, n := p.highway(s)
	if n == 0 {
		if _, d := p.dirStart(s); d > 0 {
			if _, n = p.highway(s[d:]); n > 0 {
				n += d
			}
		}
	}
	return start+n > i
}

// routeNumber reports whether t is a route number: digits, perhaps with a
// letter (1080A), not an ordinal (30TH).
func (p *parser) routeNumber(t token) bool {
	w := p.text(t)
	i := 0
	for i < len(w) && isDigit(w[i]) {
		i++
	}
	return i > 0 && len(w)-i <= 1
}

// highwayWord reports whether t can end a highway designator (ROUTE, RD,
// HWY): a number after it is the route's, not a unit's.
func (p *parser) highwayWord(t token) bool {
	if t.w.is&isHighwayEnd != 0 {
		return true
	}
	for _, w := range highwayEndsElse {
		if p.is(t, w) {
			return true
		}
	}
	return false
}

// gluedHighway reports whether t is a highway written as one word (RT5,
// I10), which the standard form prints as two.
func (p *parser) gluedHighway(t token) bool {
	_, n := p.highway([]token{t})
	return n == 1
}

var gluedHighways = [...][2]string{
	{"IH", "INTERSTATE"}, {"I", "INTERSTATE"}, {"US", "US HIGHWAY"}, {"SR", "STATE ROAD"},
	{"CR", "COUNTY ROAD"}, {"FM", "FM"}, {"HWY", "HIGHWAY"}, {"RTE", "ROUTE"}, {"RT", "ROUTE"},
}

// highwayID reports whether t can follow a highway designator as its
// number: it holds a digit, or, after a designator of two words (COUNTY
// ROAD N, STATE ROUTE MM), is one or two letters that are no suffix.
func (p *parser) highwayID(t token, std string) bool {
	if t.digit {
		return true
	}
	if !t.alpha || t.b-t.a > 2 || !bytes.Contains([]byte(std), []byte(" ")) {
		return false
	}
	return t.w.suffix == ""
}

// PO Boxes, routes and military boxes.

func (p *parser) isPOBox(ts []token) bool {
	std, n := p.poBoxLen(ts)
	return n > 0 || onlyBox(std)
}

// onlyBox reports whether the PO Box phrase std is only ever a box's (PO
// BOX, POB, LOCKBOX), not a word that may also be a street's (BOX ELDER)
// or a name's: BOX, BIN, CALLER and DRAWER.
func onlyBox(std string) bool {
	switch std {
	case "", "BOX", "BIN", "CALLER", "DRAWER":
		return false
	}
	return true
}

// poBoxLen returns the PO Box phrase that starts ts and how many words the
// box takes with its number; n is 0 when no number follows. A single word
// that may start a street (BOX ELDER RD) needs a number with a digit.
func (p *parser) poBoxLen(ts []token) (string, int) {
	std, n := p.phrase(poBoxPhrases, ts)
	if n == 0 {
		return "", 0
	}
	i := n
	if i < len(ts) && ts[i].w.is&isPound != 0 {
		i++
	}
	if i < len(ts) && (p.idOK(ts[i]) || n > 1 && ts[i].alpha && ts[i].b-ts[i].a <= 3) {
		return std, i + 1
	}
	return std, 0
}

// boxInStreet reports whether ts, words of a street line after its
// primary number, starts with a box: words that are only ever a box's (PO
// BOX, POB, LOCKBOX), with a number or not, or BOX, BIN, DRAWER or CALLER
// right before a number that has a digit (BOX 5), or, after words of the
// street (named), before a letter that ends the line (MAIN ST BOX A).
// Not BOX ELDER, nor BOX A first, which may be words of a street's name,
// nor BOX # 5, which a street whose name ends in BOX prints with its unit.
func (p *parser) boxInStreet(ts []token, named bool) bool {
	std, n := p.phrase(poBoxPhrases, ts)
	if std == "" {
		return false
	}
	return onlyBox(std) || n < len(ts) && (ts[n].digit || named && n+1 == len(ts) && ts[n].alpha && ts[n].b-ts[n].a == 1)
}

func (p *parser) poBox(ts []token) error {
	_, n := p.poBoxLen(ts)
	if n == 0 {
		return perr(ts[0].src, int(ts[0].off), ErrInvalidBox)
	}
	p.setTok(FieldBox, ts[n-1])
	if m := p.pmbLen(ts, n); m > 0 {
		if err := p.putPMB(ts[n:], m); err != nil {
			return err
		}
		n += m
	}
	if n < len(ts) {
		return perr(ts[n].src, int(ts[n].off), ErrInvalidBox)
	}
	return nil
}

// routeStart returns the standard route designator that starts ts, how many
// words it takes, and the route number, which a glued form (RR03, HC068)
// carries in its first word.
func (p *parser) routeStart(ts []token) (std string, n int, num []byte) {
	if std, n := p.phrase(routePhrases, ts); n > 0 && n < len(ts) {
		if std != "UNIT" && ts[n].w.is&isPound != 0 && n+1 < len(ts) {
			n++ // RR # 1
		}
		if !ts[n].digit {
			return "", 0, nil
		}
		if std == "UNIT" && !(n+1 < len(ts) && ts[n+1].w.is&isBox != 0) {
			return "", 0, nil // UNIT 5 is a secondary unit
		}
		return std, n + 1, p.text(ts[n])
	}
	if w := p.text(ts[0]); len(w) > 2 && allDigits(w[2:]) {
		switch {
		case w[0] == 'R' && w[1] == 'R':
			return "RR", 1, w[2:]
		case w[0] == 'H' && w[1] == 'C':
			return "HC", 1, w[2:]
		}
	}
	return "", 0, nil
}

func (p *parser) isRoute(ts []token) bool {
	_, n, _ := p.routeStart(ts)
	return n > 0
}

// boxAfter returns how many words from ts[i] form the route's box: "BOX 152",
// "BOX # 45", "# 87A".
func (p *parser) boxAfter(ts []token, i int) int {
	j := i
	if j < len(ts) && ts[j].w.is&isBox != 0 {
		j++
	}
	if j < len(ts) && ts[j].w.is&isPound != 0 {
		j++
	}
	if j > i && j < len(ts) && (ts[j].digit || ts[j].alpha && ts[j].b-ts[j].a <= 3) {
		return j + 1 - i
	}
	return 0
}

func (p *parser) routeEnd(ts []token) int {
	_, n, _ := p.routeStart(ts)
	n += p.boxAfter(ts, n)
	return n + p.pmbLen(ts, n)
}

// route parses RR 2 BOX 152 (Pub 28 section 24), HC 68 BOX 23A (25) and the
// military PSC 1650 BOX 10 (238); box, when not nil, is a line of its own
// that holds the box of ts, a route and its number alone (RR 2, BOX 18).
// The route number of RR and HC loses its leading zeros (RR03 is RR 3).
//
// A route without its box is an error: it is no delivery point. Street
// words after the box of a rural route or highway contract are dropped
// (sections 245, 254), but not what may tell two boxes apart: a word with
// a digit (RR 2 BOX 15 2, which may be box 15-2; RR 2 BOX 18 ELM LOT 3), a
// letter alone (RR 2 BOX 15 A, box 15A), a unit designator or # (RR 2 BOX
// 18 X APT 5), a PMB or a PO Box (285): read without them, they would be
// one address with every other box so written. A military box (PSC, CMR,
// UNIT, ...) has no street: nothing may follow it but a PMB.
func (p *parser) route(ts, box []token) error {
	std, n, num := p.routeStart(ts)
	p.set(FieldRoute, std)
	if std == "RR" || std == "HC" {
		for len(num) > 1 && num[0] == '0' && isDigit(num[1]) {
			num = num[1:]
		}
	}
	p.begin(FieldRouteNum)
	p.put(num)
	if box != nil {
		// The route's box is on the next line, or the one before: read
		// it as what follows the route.
		ts, n = box, 0
	}
	m := p.boxAfter(ts, n)
	if m == 0 {
		at := ts[len(ts)-1]
		if n < len(ts) {
			at = ts[n]
			if p.boxInStreet(ts[n:], true) {
				return perr(at.src, int(at.off), ErrAmbiguous) // RR 1 PO BOX 406: a route and a PO Box
			}
		}
		return perr(at.src, int(at.off), ErrInvalidBox)
	}
	p.setTok(FieldBox, ts[n+m-1])
	n += m
	if m := p.pmbLen(ts, n); m > 0 {
		if err := p.putPMB(ts[n:], m); err != nil {
			return err
		}
		n += m
	}
	if n == len(ts) {
		return nil
	}
	if std != "RR" && std != "HC" {
		return perr(ts[n].src, int(ts[n].off), ErrInvalidBox) // a military box has no street
	}
	// What follows the box is the street the box stands on, which Pub 28
	// drops (sections 245, 254); but not what may tell two boxes apart,
	// which is an error: a unit, a second dwelling on the lot, or a
	// number or lone letter that is not the street's (BOX 18 A, BOX 18 X
	// 5). A street's own are kept: a highway's number (HWY 61, COUNTY
	// ROAD 20, I 95), a directional before the name (W MAIN ST), a letter
	// or number before a suffix (A ST, 2ND ST).
	if m := p.dwellingLen(ts[n:]); m > 0 {
		return perr(ts[n].src, int(ts[n].off), ErrInvalidUnit) // BOX 18 COTTAGE: a second dwelling's
	}
	for i := n; i < len(ts); i++ {
		t := &ts[i]
		switch {
		case p.boxInStreet(ts[i:], true):
			return perr(t.src, int(t.off), ErrAmbiguous) // a route and a PO Box
		case p.pmbLen(ts, i) > 0:
			return perr(t.src, int(t.off), ErrInvalidBox) // a PMB is not a street's, to drop
		case t.w.unit != "":
			return perr(t.src, int(t.off), ErrInvalidUnit)
		case t.digit || t.alpha && t.b-t.a == 1:
			more := i+1 < len(ts)
			switch {
			case i > n && p.highwayWord(ts[i-1]) && t.digit: // HWY 61
			case more && p.highwayWord(*t) && ts[i+1].digit: // I 95
			case more && t.w.dir != "" && !ts[i+1].digit: // W MAIN ST
			case more && ts[i+1].w.suffix != "": // A ST, 2ND ST
			default:
				return perr(t.src, int(t.off), ErrInvalidBox)
			}
		}
	}
	p.dropped = true
	return nil
}

// Phrases.

// phrase returns the standard form of the longest phrase of ps that starts
// ts, and how many words it takes.
func (p *parser) phrase(table phraseTable, ts []token) (string, int) {
	if len(ts) > 0 && ts[0].w.phrases[table] != nil {
		return p.phraseAt(table, ts)
	}
	return "", 0
}

//go:noinline
func (p *parser) phraseAt(table phraseTable, ts []token) (string, int) {
next:
	for _, ph := range ts[0].w.phrases[table] {
		if len(ph.words) > len(ts) {
			continue
		}
		// The first word is ts[0]'s: its info lists the phrase.
		for i := 1; i < len(ph.words); i++ {
			if !p.is(ts[i], ph.words[i]) || ts[i].seg != ts[0].seg {
				continue next
			}
		}
		return ph.std, len(ph.words)
	}
	return "", 0
}

func (p *parser) phraseLen(table phraseTable, ts []token) int {
	_, n := p.phrase(table, ts)
	return n
}
