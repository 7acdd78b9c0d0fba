package address

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"123 North Main Street Apt 4B, Springfield, IL 62704",
	"30 W 26th St 6th Fl New York NY 10010",
	"400 Cedar Ln Bldg 3, Second Floor, Miami FL 33101",
	"1212 Vía Angélica, Straße Ave, San Juan PR 00926",
	"123 N MAIN ST APT 4B, SPRINGFIELD IL 62704-1234",
	"PO Box 123, Springfield IL 62704",
	"RR03 BOX 98D, Tulsa OK 74101",
	"PSC 1650 BOX 10, APO AE 09001",
	"101 COUNTY ROAD 20, Town, TX 75001",
	"842 E 1700 S, Salt Lake City UT 84105",
	"N6W23001 BLUEMOUND RD, Waukesha, WI 53186",
	"123 1/2 MAIN ST, Springfield, IL",
	"10 MAIN ST STE 11 PMB 234, New York NY 10001",
	"GENERAL DELIVERY, TAMPA FL 33602-9999",
	"c/o Jane, 1 Lake Shore Drive Chicago IL 60611",
	"#4B, 55 Park Ave, New York, NY 10016",
	"400 Cedar Ln Bldg 3 Apt 4, Springfield IL 62704",
	"",
	",,,",
	"\xff",
}

// checkParsed asserts what must hold of every parse: an error names a field
// and no input text; an address renders to a form that parses back
// equivalent, and standardizing a standard form changes nothing.
func checkParsed(t *testing.T, inputs []string, a Address, err error) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %T is not a *ParseError", err)
		}
		msg := err.Error()
		for _, in := range inputs {
			for _, w := range strings.Fields(in) {
				if len(w) >= 6 && strings.Contains(msg, w) && !strings.Contains(staticErrorText, w) {
					t.Fatalf("error %q holds input text", msg)
				}
			}
		}
		return
	}
	if a.IsZero() {
		t.Fatalf("no error and no address")
	}
	s := a.String()
	if !utf8.ValidString(s) {
		t.Fatalf("rendering is not UTF-8")
	}
	b, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) = %v; rendering does not parse back", s, err)
	}
	if m := Compare(a, b); m.Kind != Equivalent {
		t.Fatalf("Parse(%q) = %+v, %s to %+v (differs %v)", s, b, m.Kind, a, m.Differs)
	}
	if b.String() != s {
		t.Fatalf("standardizing %q gives %q", s, b.String())
	}
	if a.Key() != b.Key() {
		t.Fatalf("keys differ: %q %q", a.Key(), b.Key())
	}
	bin, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var fromBytes, fromString Address
	if err := fromBytes.UnmarshalBinary(bin); err != nil || fromBytes != a {
		t.Fatalf("UnmarshalBinary(MarshalBinary(%+v)) = %+v, %v", a, fromBytes, err)
	}
	if err := fromString.UnmarshalBinaryString(string(bin)); err != nil || fromString != a {
		t.Fatalf("UnmarshalBinaryString(MarshalBinary(%+v)) = %+v, %v", a, fromString, err)
	}
}

// TestStandardFormWithinLimits: ParseFields reads up to 256 bytes in each
// input, more than Parse's 512 in all, and the standard form may add words
// to what was read. An address whose standard form Parse would refuse is
// refused as too long, naming the longest input; one just within the
// limits parses back.
func TestStandardFormWithinLimits(t *testing.T) {
	word := strings.Repeat("Q", 40)
	long := func(n int) string { // n bytes of 40-letter words
		return strings.TrimSpace(strings.Repeat(word+" ", n/41) + strings.Repeat("Q", n%41))
	}
	amps := "1 " + strings.Repeat("A & ", 23) + "B" // 49 words
	for _, tc := range []struct {
		name                    string
		line1, line2, city, zip string
		tooLong                 bool
		field                   Field // the input named, when too long
	}{
		{"street of 255 bytes, city of 256", "1 " + long(250) + " ST", "", long(256), "62704", true, FieldCity},
		{"street of 256 bytes, city of 250", "1 " + long(251) + " ST", "", long(250), "62704", true, FieldLine1},
		{"street and city of 200 bytes", "1 " + long(195) + " ST", "", long(200), "62704", false, 0},
		{"95 words, and the # of a bare range", amps + " ST 4", "", strings.Repeat("A ", 41) + "A", "62704", true, FieldLine1},
		{"60 words and a bare range", amps + " ST 4", "", "A B C D E F G H", "62704", false, 0},
	} {
		a, err := ParseFields(tc.line1, tc.line2, tc.city, "IL", tc.zip)
		if tc.tooLong {
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrTooLong) || pe.Field != tc.field {
				t.Errorf("%s: ParseFields error %v, want ErrTooLong on %v", tc.name, err, tc.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ParseFields: %v", tc.name, err)
			continue
		}
		if b, err := Parse(a.String()); err != nil || b != a {
			t.Errorf("%s: Parse(String()) = %v, %v; want the address again", tc.name, b, err)
		}
	}
}

// TestBinaryFormShape: the binary form has exactly one separator between
// each two fields; anything else is an error, not a panic.
func TestBinaryFormShape(t *testing.T) {
	good, _ := Address{Number: "1", Street: "MAIN", Suffix: "ST", City: "A", State: "IL", ZIP: "62704"}.MarshalBinary()
	sep := string(rune(fieldSep))
	for _, tc := range []struct {
		name string
		data string
		ok   bool
	}{
		{"written by MarshalBinary", string(good), true},
		{"empty", "", false},
		{"one field short", strings.Repeat(sep, int(FieldZIP4-FieldNumber)-1), false},
		{"all fields empty", strings.Repeat(sep, int(FieldZIP4-FieldNumber)), true},
		{"one field too many", strings.Repeat(sep, int(FieldZIP4-FieldNumber)+1), false},
		{"a second unit", string(good) + sep + "APT" + sep + "4", true},
		{"an empty second unit", string(good) + sep + sep, false},
		{"a building", string(good) + sep + sep + sep + "SMITH HALL", true},
		{"a second unit and a building", string(good) + sep + "APT" + sep + "4" + sep + "SMITH HALL", true},
		{"an empty building", string(good) + sep + "APT" + sep + "4" + sep, false},
		{"a field past the building", string(good) + sep + sep + sep + "SMITH HALL" + sep, false},
	} {
		var a Address
		err := a.UnmarshalBinaryString(tc.data)
		if (err == nil) != tc.ok {
			t.Errorf("%s: UnmarshalBinaryString error %v, want ok %v", tc.name, err, tc.ok)
		}
		if err2 := a.UnmarshalBinary([]byte(tc.data)); (err2 == nil) != tc.ok {
			t.Errorf("%s: UnmarshalBinary error %v, want ok %v", tc.name, err2, tc.ok)
		}
	}
}

// staticErrorText is every word our errors use, so that an input word that
// is also one of ours is not taken for a leak.
var staticErrorText = strings.Join([]string{
	ErrEmpty.Error(), ErrTooLong.Error(), ErrInvalidText.Error(), ErrInvalidZIP.Error(), ErrInvalidCity.Error(),
	ErrUnknownState.Error(), ErrNoNumber.Error(), ErrNoStreet.Error(), ErrInvalidUnit.Error(),
	ErrInvalidBox.Error(), ErrIncomplete.Error(), ErrAmbiguous.Error(), ErrAmbiguousStreet.Error(), ErrUnrecognized.Error(),
	ErrMilitaryState.Error(), strings.Join(fieldNames[:], " "), "address: at byte",
}, " ")

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, err := Parse(line)
		checkParsed(t, []string{line}, a, err)
	})
}

func FuzzParseFields(f *testing.F) {
	f.Add("123 North Main Street", "Apt 4B", "Springfield", "IL", "62704")
	f.Add("Apt 4B", "123 Main St", "Springfield", "Illinois", "627041234")
	f.Add("C/O Jane Doe", "PO Box 5", "Springfield", "IL", "62704")
	f.Add("123 Main St", "PO Box 5", "", "", "2134")
	f.Add("PSC 1650 Box 10", "", "APO", "AE", "09001")
	f.Add("Sunset Towers", "1 Lake Shore Dr", "Chicago", "IL", "60611-1234")
	f.Add("Bldg 3", "400 Cedar Ln Apt 4", "Springfield", "IL", "62704")
	f.Add("123 Main St 21st Flr", "Third Floor", "Springfield", "IL", "62704")
	f.Fuzz(func(t *testing.T, line1, line2, city, state, zip string) {
		a, err := ParseFields(line1, line2, city, state, zip)
		checkParsed(t, []string{line1, line2, city, state, zip}, a, err)
	})
}

// FuzzCompare checks Compare's contract on any two parsed addresses: it is
// symmetric, Equivalent exactly when the keys are equal, and scores 1 only
// for Equivalent.
func FuzzCompare(f *testing.F) {
	f.Add("123 N Main St Apt 4B, Springfield IL 62704", "123 North Main Street # 4B, Springfield IL 62704-1234")
	f.Add("123 N Main St Apt 4B, Springfield IL 62704", "123 N Main St Apt 5B, Springfield IL 62704")
	f.Add("123 Main St 2nd Floor, Springfield IL 62704", "123 Main St Fl 2, Springfield IL 62704")
	f.Add("123 Calle Peñuelas, Cataño PR 00962", "123 CALLE PENUELAS, CATANO PR 00962")
	f.Add("100 Saint James Pl, Brooklyn NY 11238", "100 St James Place, Brooklyn NY 11238")
	f.Add("1 Fifth Ave, New York NY 10003", "1 5th Ave, New York NY 10003")
	f.Add("12 Maple St, Springfield IL", "12 Mapel St, Springfeild IL")
	f.Add("400 Cedar Ln Bldg 3 Apt 4, Springfield IL", "400 Cedar Ln # 4 Bldg 3, Springfield IL")
	f.Add("400 Cedar Ln Bldg 3 Apt 4, Springfield IL", "400 Cedar Ln Apt 4, Springfield IL")
	f.Add("12 Avenue C Apt 3, New York NY 10009", "12 Ave C # 3, New York NY 10009")
	f.Add("600 Boul of the Allies, Pittsburgh PA", "600 Blvd of the Allies, Pittsburgh PA")
	f.Fuzz(func(t *testing.T, x, y string) {
		a, err1 := Parse(x)
		b, err2 := Parse(y)
		if err1 != nil || err2 != nil {
			return
		}
		ab, ba := Compare(a, b), Compare(b, a)
		if ab.Kind != ba.Kind || !slices.Equal(ab.Differs, ba.Differs) {
			t.Fatalf("not symmetric: %+v / %+v", ab, ba)
		}
		if (ab.Kind == Equivalent) != (a.Key() == b.Key()) {
			t.Fatalf("Compare says %s but keys %q %q", ab.Kind, a.Key(), b.Key())
		}
		if (ab.Score == 1) != (ab.Kind == Equivalent) || ab.Score < 0 || ab.Score > 1 {
			t.Fatalf("score %v for %s", ab.Score, ab.Kind)
		}
	})
}
