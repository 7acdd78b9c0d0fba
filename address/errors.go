package address

import (
	"errors"
	"strconv"
)

// A ParseError is returned by [Parse] and [ParseFields] for input they cannot
// read as an address. It names the field and the byte offset in that input
// where the problem was found, never the input's text: addresses are
// Protected Health Information when they belong to a member.
type ParseError struct {
	Field  Field // the input or address field at fault: FieldZIP, FieldLine2, ...
	Offset int   // byte offset in that input, 0 when the input as a whole is at fault
	Err    error // the reason, one of the errors below
}

func (e *ParseError) Error() string {
	s := "address: " + e.Field.String()
	if e.Offset > 0 {
		s += " at byte " + strconv.Itoa(e.Offset)
	}
	return s + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// These are the errors that can be returned in [ParseError.Err].
var (
	ErrEmpty        = errors.New("empty")
	ErrTooLong      = errors.New("too long")
	ErrInvalidText  = errors.New("invalid text: not UTF-8, a control character, or a character no address holds")
	ErrInvalidZIP   = errors.New("invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits")
	ErrInvalidCity  = errors.New("invalid city: want words of letters, no digits, not read as a unit, box or state")
	ErrUnknownState = errors.New("unknown state: not a Pub 28 Appendix B state, possession or military code")
	ErrNoNumber     = errors.New("no primary number")
	ErrNoStreet     = errors.New("no street name")
	ErrInvalidUnit  = errors.New("invalid secondary unit")
	ErrInvalidBox   = errors.New("invalid box number")
	ErrIncomplete   = errors.New("incomplete: want a city, and a state or ZIP code")
	ErrAmbiguous    = errors.New("ambiguous: more than one delivery address")
	// ErrAmbiguousStreet: the street's words read two ways, and its
	// standard form would read as the other (NORTH W: pre-directional N
	// and street W, printed N W, a street named N W).
	ErrAmbiguousStreet = errors.New("ambiguous street name: its standard form reads as another street")
	ErrUnrecognized    = errors.New("unrecognized line: neither a delivery line, a secondary unit, nor care-of")
	ErrMilitaryState   = errors.New("military city APO, FPO or DPO needs state AA, AE or AP")
)

func perr(f Field, off int, err error) error {
	return &ParseError{Field: f, Offset: off, Err: err}
}

// errUnknownName reports text that names no value of an enumeration; it
// quotes the text, which is a name of ours, never an address.
func errUnknownName(kind string, text []byte) error {
	if len(text) > 32 {
		text = text[:32]
	}
	return errors.New("address: unknown " + kind + " " + strconv.Quote(string(text)))
}
