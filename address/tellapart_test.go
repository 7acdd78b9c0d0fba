package address_test

import (
	"strings"
	"testing"
)

// setAside are the inputs of standard.txt one of whose lines does not
// reach the key, with that line: a dual address, where the line nearer the
// last line is the delivery address (Pub 28 section 215).
var setAside = map[string]string{
	`ParseFields("RR 1", "PO Box 406", "Grayville", "IL", "62844")`:               "RR 1",
	`ParseFields("123 Main St", "PO Box 5", "Springfield", "IL", "62704")`:        "123 Main St",
	`ParseFields("PO Box 5", "123 Main St", "Springfield", "IL", "62704")`:        "PO Box 5",
	`ParseFields("123 Main St Apt 4B", "PO Box 5", "Springfield", "IL", "62704")`: "123 Main St Apt 4B",
	`Parse("123 Main St, PO Box 5, Springfield, IL 62704")`:                       "123 Main St",
}

// TestOneCharacterTellsApart: for every input of standard.txt that parses,
// changing one digit of its delivery lines (not the ZIP code), or a letter
// that stands alone as a word, to another changes the key or makes an
// error. Two delivery points a character apart are never equivalent; the
// inputs in setAside say which lines are set aside instead.
func TestOneCharacterTellsApart(t *testing.T) {
	for _, c := range readStandard(t) {
		if c.wantErr != "" {
			continue
		}
		a, err := c.call()
		if err != nil {
			continue // TestStandard reports it
		}
		key := a.Key()
		inputs := 1
		if c.fields {
			inputs = 2 // line1 and line2
		}
		for in := range inputs {
			s := c.input[in]
			end := len(s)
			if !c.fields {
				end = strings.LastIndexByte(s, ',') // the last line holds no delivery point
			}
			for i := 0; i < end; i++ {
				for _, r := range changes(s, i) {
					m := c
					m.input[in] = s[:i] + string(r) + s[i+1:]
					b, err := m.call()
					if err != nil || b.Key() != key {
						continue
					}
					aside, ok := setAside[c.String()]
					if at := strings.Index(s, aside); !ok || i < at || i >= at+len(aside) {
						t.Errorf("testdata/standard.txt:%d: %v and %v have one key: %q", c.line, c, m, key)
					}
					break
				}
			}
		}
	}
}

// changes returns what s[i] may be changed to: the next digit for a digit,
// every other letter for a letter that is a word of its own, nothing else.
func changes(s string, i int) []byte {
	c := s[i]
	switch {
	case c >= '0' && c <= '9':
		return []byte{'0' + (c-'0'+1)%10}
	case isLetter(c) && (i == 0 || !isWordByte(s[i-1])) && (i+1 == len(s) || !isWordByte(s[i+1])):
		var rs []byte
		for r := byte('A'); r <= 'Z'; r++ {
			if r != c&^0x20 {
				rs = append(rs, r)
			}
		}
		return rs
	}
	return nil
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isWordByte(c byte) bool { return isLetter(c) || '0' <= c && c <= '9' || c == '\'' }
