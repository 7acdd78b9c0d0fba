package csvrec

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// recordsDiffer reads every record of in with encoding/csv and with a
// Reader keeping records of up to max bytes, each with records of any
// width and not, and reports the first difference: records, lines and
// errors must be the same, but for a record longer than max, which must be
// a *csv.ParseError wrapping ErrTooLong at the record's line, with the
// records after it as encoding/csv reads them.
func recordsDiffer(t *testing.T, in func() io.Reader, max int) {
	t.Helper()
	for _, anyWidth := range []bool{false, true} {
		recordsDifferWidth(t, in, max, anyWidth)
	}
}

func recordsDifferWidth(t *testing.T, in func() io.Reader, max int, anyWidth bool) {
	t.Helper()
	data, _ := io.ReadAll(in()) // up to a reading error, if any
	want := csv.NewReader(in())
	want.ReuseRecord = true
	got := NewReader(in(), max)
	if anyWidth {
		want.FieldsPerRecord, got.AnyWidth = -1, true
	}
	for i := 0; ; i++ {
		start := afterBlankLines(data, int(want.InputOffset()))
		widthSet := want.FieldsPerRecord != 0
		wrec, werr := want.Read()
		grec, gline, gerr := got.Read()
		var wpe, gpe *csv.ParseError
		if werr != io.EOF && int(want.InputOffset())-start > max {
			var wline int
			switch {
			case werr == nil:
				wline, _ = want.FieldPos(0)
			case errors.As(werr, &wpe):
				wline = wpe.StartLine
			default: // a reading error ends the input
				if gerr != werr {
					t.Fatalf("any width %v, record %d, too long: error %v, encoding/csv %v", anyWidth, i, gerr, werr)
				}
				return
			}
			if !errors.As(gerr, &gpe) || gpe.Err != ErrTooLong || gpe.StartLine != wline || gline != wline {
				t.Fatalf("any width %v, record %d, %d bytes from line %d: got %q, line %d, error %v", anyWidth, i, int(want.InputOffset())-start, wline, grec, gline, gerr)
			}
			if !widthSet {
				return // encoding/csv takes every record's width from this one
			}
			continue
		}
		if !slices.Equal(wrec, grec) {
			t.Fatalf("any width %v, record %d: got %q, encoding/csv %q", anyWidth, i, grec, wrec)
		}
		switch {
		case errors.As(werr, &wpe):
			if !errors.As(gerr, &gpe) || *gpe != *wpe {
				t.Fatalf("any width %v, record %d: error %v, encoding/csv %v", anyWidth, i, gerr, werr)
			}
		case werr != gerr:
			t.Fatalf("any width %v, record %d: error %v, encoding/csv %v", anyWidth, i, gerr, werr)
		}
		if werr == nil {
			if wline, _ := want.FieldPos(0); wline != gline {
				t.Fatalf("any width %v, record %d: line %d, encoding/csv %d", anyWidth, i, gline, wline)
			}
		}
		if werr != nil && wpe == nil { // the end, or an error reading
			return
		}
	}
}

// afterBlankLines returns the offset in data of the first line at or after
// off that encoding/csv does not skip as blank.
func afterBlankLines(data []byte, off int) int {
	for {
		switch rest := data[off:]; {
		case bytes.HasPrefix(rest, []byte("\n")), string(rest) == "\r":
			off++
		case bytes.HasPrefix(rest, []byte("\r\n")):
			off += 2
		default:
			return off
		}
	}
}

// testMaxes are the bounds each input is read with: a feed's, and small
// ones that cut records anywhere.
var testMaxes = []int{64 << 10, 1, 4, 9, 20}

func TestReaderIsEncodingCSV(t *testing.T) {
	tests := []string{
		"",
		"\n\n",
		"a,b,c\n1,2,3\n",
		"a,b,c\r\n1,2,3\r\n",
		"a,b,c\n1,2,3",
		"a,b,c\n1,2,3\r",
		"a,b\n\n\n1,2\n",
		"a,b\n1,2,3\n4,5\n",               // a record too wide, then a good one
		"a,b\n1\n4,5\n",                   // too narrow
		"a,b\n\"x\",y\n",                  // a quoted field
		"a,b\n\"x,\"\"y\"\"\",z\n",        // quotes and a comma inside
		"a,b\n\"multi\nline\",z\n3,4\n",   // a field over two lines
		"a,b\n\"multi\r\nline\",z\n",      // \r\n inside a quoted field
		"a,b\n\"\n\n\",z\n",               // empty lines inside a quoted field
		"a,b\nx\"y,z\n1,2\n",              // a bare quote, then a good record
		"a,b\n\"x\"y,z\n1,2\n",            // text after a closing quote
		"a,b\n\"unterminated\n1,2\n",      // a quote that runs to the end
		"a,b\n\"x\",\n",                   // a quoted field, then an empty one
		"a,b\n,\n",                        // two empty fields
		" a , b \n 1 , 2 \n",              // spaces are kept
		"a,b\n1,2\r\r\n",                  // a \r kept
		"a\n\"\"\n",                       // an empty quoted field
		"a,b\n\"x\"\n",                    // too narrow, quoted
		"\ufeffevent_id,member_id\n1,2\n", // a byte-order mark is data
		strings.Repeat("x", 100_000) + ",y\n1,2\n",                         // a line longer than the buffer
		"a,b\n\"" + strings.Repeat("q", 100_000) + "\n" + "end\",z\n3,4\n", // and a quoted one
		"a,b,c\n\"x\",y,\"multi\nline\"\n3,4,5\n",                          // a field over two lines after a quoted one
		"a,b\nx,\"multi\n\"\"\n\",\"y\nz\"\n3,4\n",                         // quotes doubled, and two fields over lines
	}
	for _, in := range tests {
		for _, max := range testMaxes {
			t.Run(fmt.Sprint(max), func(t *testing.T) {
				recordsDiffer(t, func() io.Reader { return strings.NewReader(in) }, max)
			})
		}
	}
}

// TestReaderMemory reads an input whose second line never ends, and then
// one whose quote never closes: each is one bad record, read without
// keeping it.
func TestReaderMemory(t *testing.T) {
	const size = 64 << 20
	for _, start := range []string{"a,b\n", "a,b\n\"x\n"} {
		in := io.MultiReader(strings.NewReader(start), io.LimitReader(repeatReader('y'), size))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := NewReader(in, 64<<10)
		if _, _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
		_, line, err := r.Read()
		if !errors.Is(err, ErrTooLong) || line != 2 {
			t.Errorf("%q: line %d, %v; want line 2, ErrTooLong", start, line, err)
		}
		if _, _, err := r.Read(); err != io.EOF {
			t.Errorf("%q: then %v, want EOF", start, err)
		}
		runtime.ReadMemStats(&after)
		// The reader's own buffers take a few hundred KiB; the margin is
		// for anything else the process allocates meanwhile.
		if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
			t.Errorf("%q: reading %d MiB allocated %d bytes", start, size>>20, n)
		}
	}
}

// repeatReader reads as one byte, without end.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{"a,b\n1,2\n3,4", "a,b\n\"1\n2\",3\n", "a,b\n1,\"2"} {
		for n := 1; n <= len(in); n++ {
			for _, max := range testMaxes {
				t.Run(fmt.Sprintf("%q/%d", in[:n], max), func(t *testing.T) {
					recordsDiffer(t, func() io.Reader {
						return io.MultiReader(strings.NewReader(in[:n]), iotest.ErrReader(boom))
					}, max)
				})
			}
		}
	}
}

// FuzzRecords checks a Reader against encoding/csv on any input.
func FuzzRecords(f *testing.F) {
	f.Add([]byte("event_id,member_id,effective\nE1,M1,2024-01-01\n"))
	f.Add([]byte("a,b\n\"x\ny\",z\n\"q\"\"\",\"\"\nx\"y,1\n\"a\"b,2\n"))
	f.Add([]byte("a,b\r\n1,2\r\n\r\n3\n\"4"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, max := range testMaxes {
			recordsDiffer(t, func() io.Reader { return bytes.NewReader(data) }, max)
		}
	})
}
