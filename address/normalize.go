package address

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Limits on input, so that a hostile or broken row costs bounded work.
const (
	maxFieldLen = 256 // bytes in one input of ParseFields
	maxLineLen  = 512 // bytes in the line given to Parse
	maxTokens   = 96  // words in one parse
)

// A token is one word of normalized input: upper case, periods dropped, the
// hyphen and slash kept only inside numbers. Its text is p.buf[a:b].
type token struct {
	a, b   int32 // span in parser.buf
	off    int32 // byte offset of the word in its input
	src    Field // the input it came from: FieldLine1, FieldCity, ...
	seg    int16 // comma-separated part of that input
	digit  bool  // holds a digit
	alpha  bool  // letters only
	letter bool  // holds a letter
	w      *wordInfo
}

// normalize appends the words of in, read as input src, to p.toks.
//
// Letters are upper-cased. Space, tab, and punctuation that no address keeps
// end a word; a comma or semicolon also ends a part (token.seg).
// A period is dropped ("P.O." reads as "PO", "ST." as "ST") except between
// digits ("39.2"). A hyphen is kept next to a digit ("112-10", "19-1A") and
// otherwise separates words ("MID-ISLAND"). A slash is kept between digits
// ("1/2") and in C/O. The pound sign is a word of its own. An apostrophe
// inside a word is kept ("O'BRIEN"). A control character other than tab is
// an error, but for line breaks in the line given to Parse, which separate
// parts as commas do.
func (p *parser) normalize(in string, src Field, limit int) error {
	if len(in) > limit {
		return perr(src, 0, ErrTooLong)
	}
	p.start(src)
	first := len(p.toks)
	seen := false // a character other than white space
	for i := 0; i < len(in); {
		c := in[i]
		k := alnumClass[c]
		if k == 0 {
			switch c {
			case ' ':
				if p.open {
					p.endWord()
				}
				i++
			case ',':
				p.endWord()
				p.seg++
				seen = true
				i++
			default:
				var saw bool
				var err error
				if i, saw, err = p.other(in, i); err != nil {
					return err
				}
				seen = seen || saw
			}
			continue
		}
		// A run of letters and digits, the common case, copied upper-cased
		// in one go.
		open := p.open
		rest := in[i:]
		if cap(p.buf)-len(p.buf) <= len(rest) {
			p.buf = slices.Grow(p.buf, len(rest)+1)
		}
		n := len(p.buf)
		if !open && n > 0 {
			p.buf = p.buf[:n+1]
			p.buf[n] = ' '
			n++
		}
		dst := p.buf[n : n+len(rest)]
		x := 0
		for x < len(rest) {
			c := rest[x]
			kc := alnumClass[c]
			if kc == 0 {
				break
			}
			k |= kc
			dst[x] = upper[c]
			x++
		}
		p.buf = p.buf[:n+x]
		j := i + x
		switch {
		case open:
			p.wDigit = p.wDigit || k&classDigit != 0
			p.wLetter = p.wLetter || k&classLetter != 0
		case j == len(in) || !keepsWord[in[j]]:
			// A word of letters and digits alone, which what follows
			// ends: closed at once.
			t := token{a: int32(n), b: int32(n + x), off: int32(i), src: p.src, seg: p.seg,
				digit: k&classDigit != 0, letter: k&classLetter != 0}
			t.alpha = !t.digit // letters only, as k holds a class
			if t.letter {
				t.w = wordOf(p.buf[n:])
			} else {
				t.w = noWord // numbers are in no table
			}
			p.toks = append(p.toks, t)
		default:
			p.open = true
			p.wDigit, p.wLetter, p.wOther = k&classDigit != 0, k&classLetter != 0, false
			p.toks = append(p.toks, token{a: int32(n), off: int32(i), src: p.src, seg: p.seg})
		}
		i = j
	}
	if p.open {
		p.endWord()
	}
	// NO or SO right after a street suffix, in the same part, with no
	// number after it, is a directional (13TH AVE NO is 13TH AVE N).
	for k := first + 1; k < len(p.toks); k++ {
		t, prev := &p.toks[k], &p.toks[k-1]
		if d := t.w.dirAfterSuffix; d != nil && prev.w.suffix != "" && prev.seg == t.seg &&
			(k+1 == len(p.toks) || !p.toks[k+1].digit) {
			t.w = d
		}
	}
	if len(p.toks) > maxTokens {
		return perr(src, 0, ErrTooLong)
	}
	if seen && p.count(src) == 0 {
		return perr(src, 0, ErrInvalidText)
	}
	return nil
}

// alnumClass classifies the ASCII letters and digits; it is 0 for any other
// byte.
var alnumClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = classUpper
		t[c+'a'-'A'] = classLower
	}
	return t
}()

const (
	classDigit = 1 << iota
	classUpper
	classLower

	classLetter = classUpper | classLower
)

// keepsWord holds the bytes that may go on with the word before them: the
// period, hyphen, slash and apostrophe, and any byte of a non-ASCII
// character. Any other ends it.
var keepsWord = func() (t [256]bool) {
	for _, c := range ".-/'" {
		t[c] = true
	}
	for c := utf8.RuneSelf; c < len(t); c++ {
		t[c] = true
	}
	return t
}()

// upper maps an ASCII letter or digit to itself upper-cased.
var upper = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c) - 'a' + 'A'
	}
	return t
}()

// other reads what starts at in[i] that is neither a letter, a digit, a
// space nor a comma, and returns where reading goes on and whether it saw a
// character other than white space.
func (p *parser) other(in string, i int) (next int, seen bool, err error) {
	src := p.src
	c := in[i]
	if c < utf8.RuneSelf {
		switch {
		case c == '\t':
			p.endWord()
		case c == ';', (c == '\n' || c == '\r') && src == FieldLine:
			// Parse reads an address block's line breaks as commas.
			p.endWord()
			p.seg++
			seen = true
		case c < ' ' || c == 0x7f:
			return i, false, perr(src, i, ErrInvalidText)
		case c == '.':
			seen = true
			switch {
			case p.lastIsDigit() && i+1 < len(in) && isDigit(in[i+1]):
				p.add('.', i)
			case p.wordLen() >= 2:
				p.endWord()
			}
		case c == '-':
			seen = true
			if p.wordLen() > 0 && (p.lastIsDigit() || i+1 < len(in) && isDigit(in[i+1])) {
				p.add('-', i)
			} else {
				p.endWord()
			}
		case c == '/':
			seen = true
			switch {
			case p.lastIsDigit() && i+1 < len(in) && isDigit(in[i+1]):
				p.add('/', i)
			case p.word() == "C" && i+1 < len(in) && (in[i+1] == 'O' || in[i+1] == 'o'):
				p.add('/', i)
			default:
				p.endWord()
			}
		case c == '#' || c == '&':
			p.endWord()
			p.add(c, i)
			p.endWord()
		case c == '\'':
			seen = true
			if p.wordLen() > 0 && i+1 < len(in) && isLetter(in[i+1]) {
				p.add(c, i)
			}
		default:
			seen = true
			p.endWord()
		}
		return i + 1, seen, nil
	}
	r, n := utf8.DecodeRuneInString(in[i:])
	switch {
	case r == utf8.RuneError && n == 1:
		return i, false, perr(src, i, ErrInvalidText)
	case r == '\u00bd': // ½
		p.endWord()
		for k, c := range []byte("1/2") {
			p.add(c, i+k)
		}
		p.endWord()
	case r == '\u2019' || r == '\u2018': // typographic apostrophes
		seen = true
		if p.wordLen() > 0 {
			p.addRune(r, i)
		}
	case unicode.IsLetter(r):
		p.addRune(unicode.ToUpper(r), i)
	case unicode.IsSpace(r):
		p.endWord()
	case unicode.IsPunct(r):
		seen = true
		p.endWord()
	default:
		return i, false, perr(src, i, ErrInvalidText)
	}
	return i + n, seen, nil
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }

// start begins reading input src.
func (p *parser) start(src Field) {
	p.src, p.seg, p.open = src, 0, false
}

// add appends byte c, read at offset off, to the current word: punctuation
// kept inside a word (the hyphen of 112-10) or a digit.
func (p *parser) add(c byte, off int) {
	p.openWord(off)
	p.buf = append(p.buf, c)
	if isDigit(c) {
		p.wDigit = true
	} else {
		p.wOther = true
	}
}

// addRune appends a letter or apostrophe beyond ASCII.
func (p *parser) addRune(r rune, off int) {
	p.openWord(off)
	p.buf = utf8.AppendRune(p.buf, r)
	if unicode.IsLetter(r) {
		p.wLetter = true
	} else {
		p.wOther = true
	}
}

func (p *parser) openWord(off int) {
	if p.open {
		return
	}
	if len(p.buf) > 0 {
		p.buf = append(p.buf, ' ')
	}
	p.open = true
	p.wDigit, p.wLetter, p.wOther = false, false, false
	p.toks = append(p.toks, token{a: int32(len(p.buf)), off: int32(off), src: p.src, seg: p.seg})
}

// endWord closes the current word, if one is open.
func (p *parser) endWord() {
	if !p.open {
		return
	}
	p.open = false
	t := &p.toks[len(p.toks)-1]
	t.b = int32(len(p.buf))
	t.digit, t.letter = p.wDigit, p.wLetter
	t.alpha = p.wLetter && !p.wDigit && !p.wOther
	if !p.wDigit || p.wLetter {
		t.w = wordOf(p.buf[t.a:t.b])
	} else {
		t.w = noWord // numbers are in no table
	}
}

func (p *parser) wordLen() int {
	if !p.open {
		return 0
	}
	return len(p.buf) - int(p.toks[len(p.toks)-1].a)
}

func (p *parser) word() string {
	if !p.open {
		return ""
	}
	return string(p.buf[p.toks[len(p.toks)-1].a:])
}

func (p *parser) lastIsDigit() bool {
	return p.open && len(p.buf) > 0 && isDigit(p.buf[len(p.buf)-1])
}

func (p *parser) count(src Field) int {
	n := 0
	for i := len(p.toks) - 1; i >= 0 && p.toks[i].src == src; i-- {
		n++
	}
	return n
}
