package address_test

// Table tests over hand-checked data in testdata/: standard.txt (input ->
// Pub 28 standard rendering, or the error) and compare.txt (pairs that must be
// equivalent, similar or different). The expectations were written from USPS
// Publication 28 and the package's rules, not from the parser's output: a
// failing case is a finding, never a line to regenerate.
//
// standard.txt holds one case per block, blocks separated by blank lines,
// '#' lines are comments:
//
//	line: <one Parse input>
//	fields: <line1> | <line2> | <city> | <state> | <zip>
//	want: <String() of the result>
//	err: <sentinel name> <field name>
//
// A case has one of line/fields and one of want/err. Fields are trimmed of
// surrounding spaces. An input (or one field) written as a Go double-quoted
// string is unquoted first, for control characters, invalid UTF-8 and
// surrounding white space. Every want is also parsed back: Parse(want) must
// render as want (standardizing a standard address changes nothing).
//
// compare.txt holds one pair a line, after any '# reason:' comment that
// explains the pairs below it (until the next reason or blank line):
//
//	equivalent: <Parse input> | <Parse input>
//	different <field>...: <Parse input> | <Parse input>
//	similar <field>...: <Parse input> | <Parse input>
//
// The fields are those Match.Differs must hold, in the order of the Address
// struct.

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

// sentinels are the errors of errors.go by the names the data files use.
var sentinels = []struct {
	name string
	err  error
}{
	{"ErrEmpty", address.ErrEmpty},
	{"ErrTooLong", address.ErrTooLong},
	{"ErrInvalidText", address.ErrInvalidText},
	{"ErrInvalidZIP", address.ErrInvalidZIP},
	{"ErrInvalidCity", address.ErrInvalidCity},
	{"ErrUnknownState", address.ErrUnknownState},
	{"ErrNoNumber", address.ErrNoNumber},
	{"ErrNoStreet", address.ErrNoStreet},
	{"ErrInvalidUnit", address.ErrInvalidUnit},
	{"ErrInvalidBox", address.ErrInvalidBox},
	{"ErrIncomplete", address.ErrIncomplete},
	{"ErrAmbiguous", address.ErrAmbiguous},
	{"ErrAmbiguousStreet", address.ErrAmbiguousStreet},
	{"ErrUnrecognized", address.ErrUnrecognized},
	{"ErrMilitaryState", address.ErrMilitaryState},
}

func sentinel(name string) error {
	for _, s := range sentinels {
		if s.name == name {
			return s.err
		}
	}
	return nil
}

// describeErr renders err as the data files write an expected error:
// "ErrInvalidZIP zip".
func describeErr(err error) string {
	name := "unknown error (" + err.Error() + ")"
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			name = s.name
			break
		}
	}
	var pe *address.ParseError
	if !errors.As(err, &pe) {
		return name + " (not a *ParseError)"
	}
	return name + " " + pe.Field.String()
}

// dataLines reads a file of testdata/ as lines, numbered from 1.
func dataLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// unquote returns s, or its Go unquoting when s is written as a Go string.
func unquote(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) {
		return s, nil
	}
	return strconv.Unquote(s)
}

type standardCase struct {
	line    int // of the input in standard.txt
	fields  bool
	input   [5]string // Parse: input[0]
	want    string    // rendering, or "" when err is set
	wantErr string    // "ErrInvalidZIP zip"
}

func (c standardCase) call() (address.Address, error) {
	if c.fields {
		i := c.input
		return address.ParseFields(i[0], i[1], i[2], i[3], i[4])
	}
	return address.Parse(c.input[0])
}

func (c standardCase) String() string {
	if c.fields {
		return fmt.Sprintf("ParseFields(%q, %q, %q, %q, %q)", c.input[0], c.input[1], c.input[2], c.input[3], c.input[4])
	}
	return fmt.Sprintf("Parse(%q)", c.input[0])
}

func readStandard(t *testing.T) []standardCase {
	t.Helper()
	const file = "standard.txt"
	var (
		cases []standardCase
		cur   standardCase
		in    bool // cur has its input
		out   bool // cur has its outcome
		start int  // line of the block's first key
		bad   bool
	)
	fail := func(n int, format string, args ...any) {
		t.Errorf("testdata/%s:%d: %s", file, n, fmt.Sprintf(format, args...))
		bad = true
	}
	flush := func(n int) {
		switch {
		case !in && !out:
		case !in:
			fail(start, "case has no line: or fields: input")
		case !out:
			fail(start, "case has no want: or err: outcome")
		default:
			cases = append(cases, cur)
		}
		cur, in, out, start = standardCase{}, false, false, 0
	}
	lines := dataLines(t, file)
	for i, l := range lines {
		n := i + 1
		s := strings.TrimSpace(l)
		if s == "" {
			flush(n)
			continue
		}
		if strings.HasPrefix(s, "#") {
			continue
		}
		key, val, ok := strings.Cut(s, ":")
		if !ok {
			fail(n, "want key: value, got %q", s)
			continue
		}
		val = strings.TrimSpace(val)
		if start == 0 {
			start = n
		}
		switch key {
		case "line", "fields":
			if in {
				fail(n, "second input in one case (missing blank line?)")
				continue
			}
			in = true
			cur.line = n
			if key == "line" {
				v, err := unquote(val)
				if err != nil {
					fail(n, "bad quoted input: %v", err)
				}
				cur.input[0] = v
				continue
			}
			cur.fields = true
			parts := strings.Split(val, "|")
			if len(parts) != 5 {
				fail(n, "fields: want 5 parts separated by |, got %d", len(parts))
				continue
			}
			for j, p := range parts {
				v, err := unquote(strings.TrimSpace(p))
				if err != nil {
					fail(n, "field %d: bad quoted input: %v", j+1, err)
				}
				cur.input[j] = v
			}
		case "want", "err":
			if out {
				fail(n, "second outcome in one case")
				continue
			}
			out = true
			if key == "want" {
				if val == "" {
					fail(n, "empty want")
				}
				cur.want = val
				continue
			}
			f := strings.Fields(val)
			if len(f) != 2 {
				fail(n, "err: want <sentinel> <field>, got %q", val)
				continue
			}
			if sentinel(f[0]) == nil {
				fail(n, "err: unknown sentinel %q", f[0])
			}
			var fld address.Field
			if err := fld.UnmarshalText([]byte(f[1])); err != nil {
				fail(n, "err: unknown field %q", f[1])
			}
			cur.wantErr = f[0] + " " + f[1]
		default:
			fail(n, "unknown key %q", key)
		}
	}
	flush(len(lines) + 1)
	if bad {
		t.FailNow()
	}
	if len(cases) == 0 {
		t.Fatalf("testdata/%s: no cases", file)
	}
	return cases
}

// TestStandard checks each case of testdata/standard.txt: the Pub 28
// rendering of an input, or the error it must be rejected with; and that a
// standard rendering parses back to itself.
func TestStandard(t *testing.T) {
	for _, c := range readStandard(t) {
		t.Run("L"+strconv.Itoa(c.line), func(t *testing.T) {
			t.Parallel()
			where := fmt.Sprintf("testdata/standard.txt:%d: %v", c.line, c)
			a, err := c.call()
			if c.wantErr != "" {
				if err == nil {
					t.Errorf("%s = %q, want error %s", where, a.String(), c.wantErr)
					return
				}
				if got := describeErr(err); got != c.wantErr {
					t.Errorf("%s: error mismatch (-want +got):\n%s", where, cmp.Diff(c.wantErr, got))
				}
				return
			}
			if err != nil {
				t.Errorf("%s: unexpected error %s (%v), want %q", where, describeErr(err), err, c.want)
				return
			}
			if diff := cmp.Diff(c.want, a.String()); diff != "" {
				t.Errorf("%s: mismatch (-want +got):\n%s", where, diff)
			}
			// Idempotence: the standard form is its own standard form.
			b, err := address.Parse(c.want)
			if err != nil {
				t.Errorf("testdata/standard.txt:%d: idempotence: Parse(%q): %s (%v)", c.line, c.want, describeErr(err), err)
				return
			}
			if diff := cmp.Diff(c.want, b.String()); diff != "" {
				t.Errorf("testdata/standard.txt:%d: idempotence: Parse(%q) mismatch (-want +got):\n%s", c.line, c.want, diff)
			}
			// String is not one-to-one (street MAIN ST with no suffix also
			// prints MAIN ST): the standard form must read back to an
			// address equivalent to the one parsed from the input.
			if a.Key() != b.Key() {
				t.Errorf("testdata/standard.txt:%d: Parse(%q) is not equivalent to the input's parse, fields (-input +want):\n%s",
					c.line, c.want, cmp.Diff(a, b))
			}
		})
	}
}

type compareCase struct {
	line    int
	reason  string
	kind    address.MatchKind
	differs []string // field names
	a, b    string
}

var kinds = map[string]address.MatchKind{
	"equivalent": address.Equivalent,
	"similar":    address.Similar,
	"different":  address.Different,
}

func readCompare(t *testing.T) []compareCase {
	t.Helper()
	const file = "compare.txt"
	var (
		cases  []compareCase
		reason string
		bad    bool
	)
	fail := func(n int, format string, args ...any) {
		t.Errorf("testdata/%s:%d: %s", file, n, fmt.Sprintf(format, args...))
		bad = true
	}
	for i, l := range dataLines(t, file) {
		n := i + 1
		s := strings.TrimSpace(l)
		switch {
		case s == "":
			reason = ""
			continue
		case strings.HasPrefix(s, "# reason:"):
			reason = strings.TrimSpace(strings.TrimPrefix(s, "# reason:"))
			continue
		case strings.HasPrefix(s, "#"):
			continue
		}
		head, pair, ok := strings.Cut(s, ":")
		if !ok {
			fail(n, "want <kind> [fields]: <a> | <b>, got %q", s)
			continue
		}
		words := strings.Fields(head)
		kind, ok := kinds[words[0]]
		if !ok {
			fail(n, "unknown kind %q", words[0])
			continue
		}
		c := compareCase{line: n, reason: reason, kind: kind, differs: words[1:]}
		if kind == address.Equivalent && len(c.differs) > 0 {
			fail(n, "equivalent takes no fields")
		}
		if kind != address.Equivalent && len(c.differs) == 0 {
			fail(n, "%s needs the fields that differ", words[0])
		}
		prev := -1
		for _, name := range c.differs {
			var f address.Field
			i := -1
			if err := f.UnmarshalText([]byte(name)); err == nil {
				i = slices.Index(structOrder, f)
			}
			if i < 0 {
				fail(n, "unknown address field %q", name)
				continue
			}
			if i <= prev {
				fail(n, "fields out of the Address struct's order at %q", name)
			}
			prev = i
		}
		if reason == "" {
			fail(n, "no '# reason:' above this pair")
		}
		sides := strings.Split(pair, "|")
		if len(sides) != 2 {
			fail(n, "want two addresses separated by |, got %d parts", len(sides))
			continue
		}
		c.a, c.b = strings.TrimSpace(sides[0]), strings.TrimSpace(sides[1])
		if c.a == "" || c.b == "" {
			fail(n, "empty address")
		}
		cases = append(cases, c)
	}
	if bad {
		t.FailNow()
	}
	if len(cases) == 0 {
		t.Fatalf("testdata/%s: no cases", file)
	}
	return cases
}

func fieldNames(fs []address.Field) []string {
	names := make([]string, 0, len(fs))
	for _, f := range fs {
		names = append(names, f.String())
	}
	return names
}

// TestCompareTable checks each pair of testdata/compare.txt: its MatchKind and
// Differs, both ways round; that Key is equal exactly for equivalent pairs;
// and that Score is 1 for equivalent pairs and in [0, 1) otherwise.
func TestCompareTable(t *testing.T) {
	for _, c := range readCompare(t) {
		t.Run("L"+strconv.Itoa(c.line), func(t *testing.T) {
			t.Parallel()
			where := fmt.Sprintf("testdata/compare.txt:%d (%s)", c.line, c.reason)
			a, err := address.Parse(c.a)
			if err != nil {
				t.Fatalf("%s: Parse(%q): %s (%v)", where, c.a, describeErr(err), err)
			}
			b, err := address.Parse(c.b)
			if err != nil {
				t.Fatalf("%s: Parse(%q): %s (%v)", where, c.b, describeErr(err), err)
			}
			type result struct {
				Kind    string
				Differs []string
			}
			want := result{fmt.Sprint(c.kind), c.differs}
			if want.Differs == nil {
				want.Differs = []string{}
			}
			m := address.Compare(a, b)
			got := result{fmt.Sprint(m.Kind), fieldNames(m.Differs)}
			if c.kind == address.Equivalent {
				// ZIP+4 is ignored: an equivalent pair may report it.
				if len(got.Differs) == 1 && got.Differs[0] == address.FieldZIP4.String() {
					got.Differs = []string{}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: Compare(%q, %q) = %v (score %v)\n  (%q vs %q)\nmismatch (-want +got):\n%s",
					where, a.String(), b.String(), m.Kind, m.Score, c.a, c.b, diff)
			}
			if r := address.Compare(b, a); r.Kind != m.Kind || !cmp.Equal(r.Differs, m.Differs) {
				t.Errorf("%s: not symmetric: Compare(a, b) = %v %v, Compare(b, a) = %v %v",
					where, m.Kind, fieldNames(m.Differs), r.Kind, fieldNames(r.Differs))
			}
			switch {
			case m.Kind == address.Equivalent && m.Score != 1:
				t.Errorf("%s: Equivalent with Score %v, want 1", where, m.Score)
			case m.Kind != address.Equivalent && (m.Score < 0 || m.Score >= 1):
				t.Errorf("%s: %v with Score %v, want in [0, 1)", where, m.Kind, m.Score)
			}
			ka, kb := a.Key(), b.Key()
			if (ka == kb) != (c.kind == address.Equivalent) {
				t.Errorf("%s: Key()s equal = %v, want %v for %v: %q vs %q", where, ka == kb, c.kind == address.Equivalent, c.kind, ka, kb)
			}
			if (ka == kb) != (m.Kind == address.Equivalent) {
				t.Errorf("%s: Key()s equal = %v disagrees with Compare's %v", where, ka == kb, m.Kind)
			}
			for _, x := range []address.Address{a, b} {
				if r := address.Compare(x, x); r.Kind != address.Equivalent || r.Score != 1 || len(r.Differs) != 0 {
					t.Errorf("%s: Compare(x, x) = %v %v %v for %q, want Equivalent 1 []", where, r.Kind, r.Score, fieldNames(r.Differs), x.String())
				}
			}
		})
	}
}

// structOrder is the order of the Address struct's fields, which
// Match.Differs follows.
var structOrder = []address.Field{address.FieldNumber, address.FieldPreDir, address.FieldStreet,
	address.FieldSuffix, address.FieldPostDir, address.FieldUnit, address.FieldUnitNum, address.FieldUnit2,
	address.FieldUnit2Num, address.FieldPMB, address.FieldRoute, address.FieldRouteNum, address.FieldBox,
	address.FieldCity, address.FieldState, address.FieldZIP, address.FieldZIP4}
