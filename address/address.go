package address

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Address is a US postal address reduced to its delivery-relevant fields, in
// USPS Publication 28 standard form: upper case, standard abbreviations, no
// punctuation but what Pub 28 keeps (the hyphen and slash of a primary number,
// the period of a grid street name).
//
// Address is a comparable value type: it supports == and can be a map key.
// Two Addresses that are == are equivalent; two equivalent Addresses need not
// be == (APT 4B and # 4B, FIRST ST and 1ST ST): use [Compare] or [Address.Key]
// to decide equivalence. The zero Address is "no address"; [Address.IsZero]
// reports it.
//
// Exactly one kind of delivery line is set:
//   - a street address: Number, PreDir, Street, Suffix, PostDir, and
//     optionally a secondary unit, Unit and UnitNum, and a second one, Unit2
//     and Unit2Num (BLDG 3 APT 4: BLDG 3 is the first, APT 4 the second);
//   - a PO Box: Box, with Route empty;
//   - a rural route, highway contract or military box: Route, RouteNum and Box
//     (RR 2 BOX 152, HC 68 BOX 23A, PSC 1650 BOX 10);
//   - general delivery: Street is "GENERAL DELIVERY" and nothing else of the
//     delivery line is set.
//
// PMB, a commercial mail receiving agency's private mailbox, may follow any of
// them.
type Address struct {
	Number   string // primary number: "123", "123 1/2", "123A", "112-10", "N6W23001"
	PreDir   string // pre-directional, Pub 28 Appendix B: N, NE, E, SE, S, SW, W, NW
	Street   string // street name: "MAIN", "COUNTY ROAD 20", "AVENUE OF THE AMERICAS"
	Suffix   string // street suffix, Pub 28 Appendix C1 standard abbreviation: "ST"
	PostDir  string // post-directional
	Unit     string // secondary unit designator, Pub 28 Appendix C2: "APT", "STE", "#"
	UnitNum  string // secondary range: "4B"; empty for designators without one (REAR)
	Unit2    string // a second secondary unit designator, as written after the first: "APT"
	Unit2Num string // its secondary range
	PMB      string // private mailbox number
	Route    string // "RR", "HC", or a military "PSC", "CMR", "UNIT", "CPR", "OPC", "UPR"
	RouteNum string
	Box      string // PO Box number when Route is empty, else the route's box
	City     string // "SPRINGFIELD"; APO, FPO or DPO for military mail
	State    string // two-letter code, Pub 28 Appendix B, military AA, AE, AP included
	ZIP      string // five digits
	ZIP4     string // four digits, or empty
	// Building is the name of a building or firm on a line that is no
	// delivery line, as the parser set it aside ("SMITH HALL"), or empty.
	// It is no part of the delivery point: Compare, Key, String and Lines
	// leave it out. [Classify] does not: a piece for SMITH HALL is not at
	// the address of JONES HALL at the same number (see [BuildingsAgree]).
	Building string
}

// MustParse is like [Parse] but panics when the line cannot be parsed. It
// is for tests and examples, with addresses written in the source.
func MustParse(line string) Address {
	a, err := Parse(line)
	if err != nil {
		panic(err) // the error names no address text
	}
	return a
}

// MaxDeliveryLine is the length above which [Address.Lines] moves the
// secondary unit to a line of its own above the delivery line. Pub 28 section
// 21 recommends 64 bytes for delivery address information.
const MaxDeliveryLine = 64

// IsZero reports whether a is the zero Address, "no address".
func (a Address) IsZero() bool { return a == Address{} }

// String returns the Pub 28 standard rendering of a on one line: the delivery
// line, a comma and a space, and the last line, as in
// "123 N MAIN ST APT 4B, SPRINGFIELD IL 62704-1234". Parse reads it back to
// an equivalent Address. The zero Address renders as "".
func (a Address) String() string {
	d, l := a.DeliveryLine(), a.LastLine()
	switch {
	case d == "":
		return l
	case l == "":
		return d
	}
	return d + ", " + l
}

// DeliveryLine returns the delivery address line, with the secondary unit and
// private mailbox at its end, where Pub 28 section 213 prefers them.
func (a Address) DeliveryLine() string {
	var b strings.Builder
	b.Grow(48)
	a.appendPrimary(&b)
	a.appendSecondary(&b)
	return b.String()
}

// LastLine returns "CITY ST 12345-6789", or as much of it as a holds.
func (a Address) LastLine() string {
	var b strings.Builder
	b.Grow(len(a.City) + 16)
	word(&b, a.City)
	word(&b, a.State)
	if a.ZIP != "" {
		word(&b, a.ZIP)
		if a.ZIP4 != "" {
			b.WriteByte('-')
			b.WriteString(a.ZIP4)
		}
	}
	return b.String()
}

// Lines returns the address block as printed: the delivery line and the last
// line, and, when the delivery line with its secondary unit would be longer
// than [MaxDeliveryLine], the secondary unit on a line of its own above the
// delivery line (Pub 28 section 213 allows that placement).
func (a Address) Lines() []string {
	if d := a.DeliveryLine(); len(d) <= MaxDeliveryLine {
		return []string{d, a.LastLine()}
	}
	var p, s strings.Builder
	a.appendPrimary(&p)
	a.appendSecondary(&s)
	return []string{s.String(), p.String(), a.LastLine()}
}

func (a Address) appendPrimary(b *strings.Builder) {
	switch {
	case a.Route != "":
		word(b, a.Route)
		word(b, a.RouteNum)
		if a.Box != "" {
			word(b, "BOX")
			word(b, a.Box)
		}
	case a.Box != "":
		word(b, "PO BOX")
		word(b, a.Box)
	default:
		word(b, a.Number)
		word(b, a.PreDir)
		word(b, a.Street)
		word(b, a.Suffix)
		word(b, a.PostDir)
	}
}

func (a Address) appendSecondary(b *strings.Builder) {
	if a.Unit != "" {
		word(b, a.Unit)
		word(b, a.UnitNum)
	}
	if a.Unit2 != "" {
		word(b, a.Unit2)
		word(b, a.Unit2Num)
	}
	if a.PMB != "" {
		word(b, "PMB")
		word(b, a.PMB)
	}
}

// word appends s to b, after a space unless b is empty.
func word(b *strings.Builder, s string) {
	if s == "" {
		return
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(s)
}

// Field names a field of an Address, or one of the inputs a parse reads.
// Fields print as the lower-case names used in CSV and JSON outputs.
// Do not reorder this list or remove any items.
type Field uint8

// The fields of an Address, in the order of the struct but for the second
// secondary unit, which came later and so comes after the inputs.
const (
	FieldNone Field = iota
	FieldNumber
	FieldPreDir
	FieldStreet
	FieldSuffix
	FieldPostDir
	FieldUnit
	FieldUnitNum
	FieldPMB
	FieldRoute
	FieldRouteNum
	FieldBox
	FieldCity
	FieldState
	FieldZIP
	FieldZIP4
	// The inputs of [ParseFields] and [Parse] that are not one field.
	FieldLine1
	FieldLine2
	FieldLine
	// The second secondary unit: Unit2 and Unit2Num.
	FieldUnit2
	FieldUnit2Num
	// The building's name set aside: Building.
	FieldBuilding

	numFields = iota // the size of an array indexed by Field
)

var fieldNames = [...]string{
	FieldNone:     "none",
	FieldNumber:   "number",
	FieldPreDir:   "predir",
	FieldStreet:   "street",
	FieldSuffix:   "suffix",
	FieldPostDir:  "postdir",
	FieldUnit:     "unit",
	FieldUnitNum:  "unit_number",
	FieldPMB:      "pmb",
	FieldRoute:    "route",
	FieldRouteNum: "route_number",
	FieldBox:      "box",
	FieldCity:     "city",
	FieldState:    "state",
	FieldZIP:      "zip",
	FieldZIP4:     "zip4",
	FieldLine1:    "line1",
	FieldLine2:    "line2",
	FieldLine:     "line",
	FieldUnit2:    "unit2",
	FieldUnit2Num: "unit2_number",
	FieldBuilding: "building",
}

// String returns the field's name as used in outputs: "unit_number".
func (f Field) String() string {
	if int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return "field(" + strconv.Itoa(int(f)) + ")"
}

// MarshalText implements [encoding.TextMarshaler].
func (f Field) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (f *Field) UnmarshalText(text []byte) error {
	for i, n := range fieldNames {
		if n == string(text) {
			*f = Field(i)
			return nil
		}
	}
	return errUnknownName("field", text)
}

// fieldSep separates the fields in the binary form of an Address. It is a
// control character, which no parsed field holds.
const fieldSep = 0x1f

// AppendBinary implements [encoding.BinaryAppender]: the fields of a in
// the order of Field up to the ZIP+4, separated by the ASCII unit
// separator; then, only when a has a second secondary unit or a
// building, a separator and the second unit's designator and a separator
// and its range (both empty when it has none); then, only when a has a
// building, a separator and the building. An address with one unit and no
// building has the form it had before the second unit was added. Stores
// keep an Address in this form so that reading it back needs no parsing.
func (a Address) AppendBinary(b []byte) ([]byte, error) {
	b = slices.Grow(b, len(a.Number)+len(a.PreDir)+len(a.Street)+len(a.Suffix)+len(a.PostDir)+
		len(a.Unit)+len(a.UnitNum)+len(a.PMB)+len(a.Route)+len(a.RouteNum)+len(a.Box)+
		len(a.City)+len(a.State)+len(a.ZIP)+len(a.ZIP4)+int(FieldZIP4-FieldNumber))
	b = append(append(b, a.Number...), fieldSep)
	b = append(append(b, a.PreDir...), fieldSep)
	b = append(append(b, a.Street...), fieldSep)
	b = append(append(b, a.Suffix...), fieldSep)
	b = append(append(b, a.PostDir...), fieldSep)
	b = append(append(b, a.Unit...), fieldSep)
	b = append(append(b, a.UnitNum...), fieldSep)
	b = append(append(b, a.PMB...), fieldSep)
	b = append(append(b, a.Route...), fieldSep)
	b = append(append(b, a.RouteNum...), fieldSep)
	b = append(append(b, a.Box...), fieldSep)
	b = append(append(b, a.City...), fieldSep)
	b = append(append(b, a.State...), fieldSep)
	b = append(append(b, a.ZIP...), fieldSep)
	b = append(b, a.ZIP4...)
	if a.Unit2 != "" || a.Unit2Num != "" || a.Building != "" {
		b = append(append(b, fieldSep), a.Unit2...)
		b = append(append(b, fieldSep), a.Unit2Num...)
	}
	if a.Building != "" {
		b = append(append(b, fieldSep), a.Building...)
	}
	return b, nil
}

// MarshalBinary implements [encoding.BinaryMarshaler].
func (a Address) MarshalBinary() ([]byte, error) { return a.AppendBinary(make([]byte, 0, 64)) }

// UnmarshalBinary implements [encoding.BinaryUnmarshaler]. It reads what
// AppendBinary wrote and checks its shape, not its content: what a store
// holds was standardized when it was written. The fields share one copy of
// data, the one allocation.
func (a *Address) UnmarshalBinary(data []byte) error {
	return a.UnmarshalBinaryString(string(data))
}

// UnmarshalBinaryString is [Address.UnmarshalBinary] for a binary form
// held in a string: the fields are slices of s, and nothing is allocated.
func (a *Address) UnmarshalBinaryString(s string) error {
	// Where the separators are: exactly one between each two fields, two
	// more when the second unit follows the ZIP+4, and one more when the
	// building follows that.
	const last = int(FieldZIP4 - FieldNumber) // the ZIP+4's index in end
	var end [last + 4]int                     // end[i]: where the i-th field from Number ends in s
	n := 0
	for i := range len(s) {
		if s[i] == fieldSep {
			if n == last+3 {
				return errBinary
			}
			end[n] = i
			n++
		}
	}
	if n != last && n != last+2 && n != last+3 {
		return errBinary
	}
	end[n] = len(s)
	*a = Address{
		Number:   s[:end[0]],
		PreDir:   s[end[0]+1 : end[1]],
		Street:   s[end[1]+1 : end[2]],
		Suffix:   s[end[2]+1 : end[3]],
		PostDir:  s[end[3]+1 : end[4]],
		Unit:     s[end[4]+1 : end[5]],
		UnitNum:  s[end[5]+1 : end[6]],
		PMB:      s[end[6]+1 : end[7]],
		Route:    s[end[7]+1 : end[8]],
		RouteNum: s[end[8]+1 : end[9]],
		Box:      s[end[9]+1 : end[10]],
		City:     s[end[10]+1 : end[11]],
		State:    s[end[11]+1 : end[12]],
		ZIP:      s[end[12]+1 : end[13]],
		ZIP4:     s[end[13]+1 : end[14]],
	}
	if n > last {
		a.Unit2, a.Unit2Num = s[end[14]+1:end[15]], s[end[15]+1:end[16]]
	}
	if n > last+2 {
		a.Building = s[end[16]+1:]
		if a.Building == "" {
			return errBinary // AppendBinary writes no empty building
		}
	} else if n > last && a.Unit2 == "" && a.Unit2Num == "" {
		return errBinary // nor an empty second unit but before a building
	}
	return nil
}

var errBinary = errors.New("address: malformed binary address")
