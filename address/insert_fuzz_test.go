package address

import "testing"

// insertWords are the words FuzzInsertTellsApart inserts: a letter, a
// number, a number and a letter, as a unit, a box or a house may have.
var insertWords = [...]string{"Q", "7", "7B"}

// wordStarts returns where in s a word may be inserted: at its start, its
// end, and before each space or comma.
func wordStarts(s string) []int {
	at := []int{0}
	for i := 1; i < len(s); i++ {
		if s[i] == ' ' || s[i] == ',' {
			at = append(at, i)
		}
	}
	return append(at, len(s))
}

// insertWord inserts w into s at i, one of wordStarts(s).
func insertWord(s string, i int, w string) string {
	if i == 0 {
		return w + " " + s
	}
	return s[:i] + " " + w + s[i:]
}

// tellsApart parses the input as given and with a word inserted, by parse,
// and fails when both parse, neither left any words out as Pub 28 has it
// (parser.dropped), and they are the same delivery point: same key, ZIP+4
// and building. A word the parser drops without saying so is a word two
// addresses may differ by, and one of them a member's former address.
func tellsApart(t *testing.T, texts []string, k int, at uint16, w uint8, parse func(p *parser, texts []string) (Address, error)) {
	p := getParser()
	a, err := parse(p, texts)
	dropped := p.dropped
	putParser(p)
	if err != nil || dropped {
		return
	}
	starts := wordStarts(texts[k])
	i := starts[int(at)%len(starts)]
	word := insertWords[int(w)%len(insertWords)]
	m := append([]string(nil), texts...)
	m[k] = insertWord(texts[k], i, word)
	p = getParser()
	b, err := parse(p, m)
	dropped = p.dropped
	putParser(p)
	if err != nil || dropped {
		return
	}
	if a.Key() == b.Key() && a.ZIP4 == b.ZIP4 && a.Building == b.Building {
		t.Errorf("%q inserted at byte %d of %q leaves the key %q", word, i, texts[k], a.Key())
	}
}

// FuzzInsertTellsApart: a word inserted into a one-line address that
// parses changes what it parses to, or makes it an error, unless the
// parser says it left words out (TestInsertTellsApart does the same on
// the corpora's inputs, every position and word).
func FuzzInsertTellsApart(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint16(i), uint8(i))
	}
	f.Add("RR 4 BOX 164, Springfield, IL 62704", uint16(5), uint8(0))
	f.Add("RR 2 BOX 18 BRYAN DAIRY RD, Largo, FL 33777", uint16(5), uint8(0))
	f.Add("C/O JANE DOE, 123 MAIN ST, Springfield, IL 62704", uint16(1), uint8(1))
	f.Add("123 Main St, PO Box 5, Springfield, IL 62704", uint16(1), uint8(2))
	f.Add("RR 2, BOX 18, Springfield, IL 62704", uint16(2), uint8(1))
	f.Add("BOX 18, RR 2, Springfield, IL 62704", uint16(3), uint8(0))
	f.Add("HC 72 BOX 18 ELM LOT 3, Springfield, IL 62704", uint16(4), uint8(2))
	f.Add("CMR 405 BOX 1, APO AE 09096", uint16(4), uint8(0))
	f.Fuzz(func(t *testing.T, line string, at uint16, w uint8) {
		tellsApart(t, []string{line}, 0, at, w, func(p *parser, texts []string) (Address, error) {
			return p.parse(texts[0], true)
		})
	})
}

// FuzzInsertTellsApartFields is FuzzInsertTellsApart on ParseFields'
// inputs, any of the five.
func FuzzInsertTellsApartFields(f *testing.F) {
	f.Add("123 North Main Street", "Apt 4B", "Springfield", "IL", "62704", uint16(3), uint8(1), uint8(0))
	f.Add("Bldg 3", "400 Cedar Ln Apt 4", "Springfield", "IL", "62704", uint16(1), uint8(2), uint8(1))
	f.Add("RR 4 Box 164", "", "Springfield", "IL", "62704", uint16(4), uint8(0), uint8(0))
	f.Add("100 Main St", "", "Salt Lake City", "UT", "84103", uint16(1), uint8(0), uint8(2))
	f.Add("RR 2", "Box 18", "Springfield", "IL", "62704", uint16(1), uint8(1), uint8(1))
	f.Add("Box 18", "RR 2", "Springfield", "IL", "62704", uint16(1), uint8(0), uint8(0))
	f.Add("PO Box 18", "RR 2 Box 5", "Springfield", "IL", "62704", uint16(2), uint8(1), uint8(1))
	f.Add("PSC 1650", "Box 18", "APO", "AE", "09001", uint16(1), uint8(2), uint8(0))
	f.Fuzz(func(t *testing.T, line1, line2, city, state, zip string, at uint16, w, field uint8) {
		tellsApart(t, []string{line1, line2, city, state, zip}, int(field)%5, at, w, func(p *parser, texts []string) (Address, error) {
			return p.parseFields(texts[0], texts[1], texts[2], texts[3], texts[4])
		})
	})
}
