package sync

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// csvRecordsDiffer reads every record of data with encoding/csv, as CSVReader
// used to, and with csvReader, and reports the first difference: records,
// lines and errors must be the same.
func csvRecordsDiffer(t *testing.T, in func() io.Reader) {
	t.Helper()
	want := csv.NewReader(in())
	want.ReuseRecord = true
	got := newCSVReader(in())
	for i := 0; ; i++ {
		wrec, werr := want.Read()
		grec, gline, gerr := got.Read()
		if !slices.Equal(wrec, grec) {
			t.Fatalf("record %d: got %q, encoding/csv %q", i, grec, wrec)
		}
		var wpe, gpe *csv.ParseError
		switch {
		case errors.As(werr, &wpe):
			if !errors.As(gerr, &gpe) || *gpe != *wpe {
				t.Fatalf("record %d: error %v, encoding/csv %v", i, gerr, werr)
			}
		case werr != gerr:
			t.Fatalf("record %d: error %v, encoding/csv %v", i, gerr, werr)
		}
		if werr == nil {
			if wline, _ := want.FieldPos(0); wline != gline {
				t.Fatalf("record %d: line %d, encoding/csv %d", i, gline, wline)
			}
		}
		if werr != nil && wpe == nil { // the end, or an error reading
			return
		}
	}
}

func TestCSVReaderIsEncodingCSV(t *testing.T) {
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
	}
	for _, in := range tests {
		t.Run("", func(t *testing.T) {
			csvRecordsDiffer(t, func() io.Reader { return strings.NewReader(in) })
		})
	}
}

func TestCSVReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{"a,b\n1,2\n3,4", "a,b\n\"1\n2\",3\n", "a,b\n1,\"2"} {
		for n := 1; n <= len(in); n++ {
			t.Run(fmt.Sprintf("%q", in[:n]), func(t *testing.T) {
				csvRecordsDiffer(t, func() io.Reader {
					return io.MultiReader(strings.NewReader(in[:n]), iotest.ErrReader(boom))
				})
			})
		}
	}
}

// FuzzCSVRecords checks csvReader against encoding/csv on any input.
func FuzzCSVRecords(f *testing.F) {
	f.Add([]byte("event_id,member_id,effective\nE1,M1,2024-01-01\n"))
	f.Add([]byte("a,b\n\"x\ny\",z\n\"q\"\"\",\"\"\nx\"y,1\n\"a\"b,2\n"))
	f.Add([]byte("a,b\r\n1,2\r\n\r\n3\n\"4"))
	f.Fuzz(func(t *testing.T, data []byte) {
		csvRecordsDiffer(t, func() io.Reader { return bytes.NewReader(data) })
	})
}
