package address_test

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

func TestBatchReader(t *testing.T) {
	const header = "piece_id,member_id,name,line1,line2,city,state,zip,phi,contents\n"
	type got struct {
		Key, Member, Addr string
		PHI               bool
		Contents          []string
		Err               string
	}
	tests := []struct {
		name  string
		input string
		want  []got
	}{{
		name:  "ordinary rows",
		input: header + "P1,M1,Ada Lovelace,123 Main St,Apt 4B,Springfield,IL,62704,true,\nP2,M2,Alan Turing,PO Box 7,,Springfield,IL,62704,false,M2;M3\n",
		want: []got{
			{"P1", "M1", "123 MAIN ST APT 4B, SPRINGFIELD IL 62704", true, nil, ""},
			{"P2", "M2", "PO BOX 7, SPRINGFIELD IL 62704", false, []string{"M2", "M3"}, ""},
		},
	}, {
		name:  "any column order, quotes, CRLF, a blank line",
		input: "zip,state,city,line2,line1,name,member_id,piece_id,contents,phi\r\n62704,IL,Springfield,,\"123 Main St, Apt 4B\",\"Lovelace, Ada\",M1,P1,,TRUE\r\n\r\n",
		want:  []got{{"P1", "M1", "123 MAIN ST APT 4B, SPRINGFIELD IL 62704", true, nil, ""}},
	}, {
		name:  "wrong number of fields keeps the readable id",
		input: header + "P1,M1,Ada,123 Main St\n",
		want:  []got{{"P1", "", "", true, nil, "line 2, piece P1: wrong number of fields"}},
	}, {
		name:  "a short row without the id's column is keyed by its line",
		input: "member_id,line1,piece_id\nM1,123 Main St\n",
		want:  []got{{"line 2", "", "", true, nil, "line 2: wrong number of fields"}},
	}, {
		name:  "a broken quote is keyed by its line",
		input: header + "\"P1,M1,Ada,123 Main St,,Springfield,IL,62704,true,\nP2,M1,Ada,123 Main St,,Springfield,IL,62704,true,\n",
		want: []got{
			{"line 2", "", "", true, nil, "line 2: malformed quoted field"},
			{"P2", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
		},
	}, {
		name:  "bad fields are named",
		input: header + ",M1,Ada,123 Main St,,Springfield,IL,62704,true,\nP2,,Ada,123 Main St,,Springfield,IL,62704,true,\nP3,M1,Ada,123 Main St,,Springfield,IL,62704,maybe,\nP4,M1,Ada,123 Main St,,Springfield,IL,627,true,\n",
		want: []got{
			{"line 2", "M1", "", true, nil, "line 2, field piece_id: missing"},
			{"P2", "", "", true, nil, "line 3, piece P2, field member_id: missing"},
			{"P3", "M1", "", true, nil, "line 4, piece P3, field phi: phi must be true or false"},
			{"P4", "M1", "", true, nil, "line 5, piece P4, field zip: address: zip: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits"},
		},
	}, {
		name: "contents: empty ids are left out, and separators alone are an error",
		input: header + "P1,M1,Ada,123 Main St,,Springfield,IL,62704,true,M1; ;M2;\n" +
			"P2,M1,Ada,123 Main St,,Springfield,IL,62704,false, ; ;\n",
		want: []got{
			{"P1", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, []string{"M1", "M2"}, ""},
			{"P2", "M1", "", false, nil, "line 3, piece P2, field contents: contents names no member: only separators"},
		},
	}, {
		name: "a line too long is one invalid piece, and the batch goes on",
		input: header + "P1,M1,Ada," + strings.Repeat("x", address.MaxBatchLine) + ",,Springfield,IL,62704,false,\n" +
			"P2,M1,Ada,123 Main St,,Springfield,IL,62704,true,\n" +
			"P3,M1,Ada," + strings.Repeat("x", address.MaxBatchLine),
		want: []got{
			{"line 2", "", "", true, nil, "line 2: line too long"},
			{"P2", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
			{"line 4", "", "", true, nil, "line 4: line too long"},
		},
	}, {
		name:  "the longest line read",
		input: header + "P1,M1,Ada,123 Main St,,Springfield,IL,62704,true," + strings.Repeat("M", address.MaxBatchLine-len("P1,M1,Ada,123 Main St,,Springfield,IL,62704,true,")) + "\r\n",
		want:  []got{{"P1", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, []string{strings.Repeat("M", address.MaxBatchLine-len("P1,M1,Ada,123 Main St,,Springfield,IL,62704,true,"))}, ""}},
	}, {
		name:  "bare CR line ends: each line is a row",
		input: strings.ReplaceAll(header, "\n", "\r") + "P1,M1,Ada," + "123 Main St,,Springfield,IL,62704,true," + "\rP2,M2,Alan," + "123 Main St,,Springfield,IL,62704,true," + "\r",
		want: []got{
			{"P1", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
			{"P2", "M2", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
		},
	}, {
		name:  "a bare CR inside a row ends it, and the next piece is its own",
		input: header + "U8,M1,Ada," + "123 Main St,,Springfield,IL,62704,true," + "\rU9,M2,Alan," + "123 Main St,,Springfield,IL,62704,true," + "\n",
		want: []got{
			{"U8", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
			{"U9", "M2", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
		},
	}, {
		name: "mixed line ends: CRLF is one end, a CR alone or a CRLF alone is a blank line, lines counted right",
		input: strings.ReplaceAll(header, "\n", "\r\n") + "P1,M1,Ada," + "123 Main St,,Springfield,IL,62704,true," + "\rP2,M2,Alan," + "123 Main St,,Springfield,IL,62704,true," + "\n" +
			"\r\n" + "\r" + "P3,M3\r" + "\n" + "P4,M4\n",
		want: []got{
			{"P1", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
			{"P2", "M2", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
			{"P3", "", "", true, nil, "line 6, piece P3: wrong number of fields"},
			{"P4", "", "", true, nil, "line 7, piece P4: wrong number of fields"},
		},
	}, {
		name:  "a CR as the last byte ends the last line",
		input: header + "P1,M1,Ada," + "123 Main St,,Springfield,IL,62704,true," + "\r",
		want:  []got{{"P1", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""}},
	}, {
		name:  "a bare CR inside the header ends it: the rows after are invalid, none is swallowed",
		input: "piece_id,member_id,na\rme,line1,line2,city,state,zip,phi,contents\nP1,M1,Ada," + "123 Main St,,Springfield,IL,62704,true," + "\n",
		want: []got{
			{"me", "", "", true, nil, "line 2, piece me: wrong number of fields"},
			{"P1", "", "", true, nil, "line 3, piece P1: wrong number of fields"},
		},
	}, {
		name:  "a CR inside quotes ends the row as a newline does: both parts invalid, keyed by line",
		input: header + "P1,M1,\"Ada\rLovelace\"," + "123 Main St,,Springfield,IL,62704,true," + "\nP2,M2,Alan," + "123 Main St,,Springfield,IL,62704,true," + "\n",
		want: []got{
			{"line 2", "", "", true, nil, "line 2: malformed quoted field"},
			{"line 3", "", "", true, nil, "line 3: malformed quoted field"},
			{"P2", "M2", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
		},
	}, {
		name: "the 64 KiB bound with CR line ends",
		input: strings.ReplaceAll(header, "\n", "\r") + "P1,M1,Ada," + "123 Main St,,Springfield,IL,62704,true," + strings.Repeat("M", address.MaxBatchLine-len("P1,M1,Ada,"+"123 Main St,,Springfield,IL,62704,true,")) + "\r" +
			"P2,M1,Ada," + "123 Main St,,Springfield,IL,62704,true," + strings.Repeat("M", address.MaxBatchLine-len("P2,M1,Ada,"+"123 Main St,,Springfield,IL,62704,true,")+1) + "\r\n" +
			"P3,M3,Ada," + "123 Main St,,Springfield,IL,62704,true," + "\r",
		want: []got{
			{"P1", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, []string{strings.Repeat("M", address.MaxBatchLine-len("P1,M1,Ada,"+"123 Main St,,Springfield,IL,62704,true,"))}, ""},
			{"line 3", "", "", true, nil, "line 3: line too long"},
			{"P3", "M3", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""},
		},
	}, {
		name:  "an unquoted comma in a name before piece_id: keyed by line, no name in the key",
		input: "member_id,name,piece_id,line1,line2,city,state,zip,phi,contents\nM1,SMITH, JOHN,P1,100 Oak St,Apt 4B,Springfield,IL,62704,true,\n",
		want:  []got{{"line 2", "", "", true, nil, "line 2: wrong number of fields"}},
	}, {
		name:  "an unquoted comma in an address before piece_id: keyed by line",
		input: "member_id,line1,piece_id,name,line2,city,state,zip,phi,contents\nM2,200 Elm Ave, Apt 9,P2,Jane Doe,,Springfield,IL,62704,true,\n",
		want:  []got{{"line 2", "", "", true, nil, "line 2: wrong number of fields"}},
	}, {
		name:  "only columns without commas before piece_id: the id is kept",
		input: "zip,state,member_id,phi,piece_id,name,line1,city\n62704,IL,M1,true,P1,SMITH, JOHN,100 Oak St,Springfield\n",
		want:  []got{{"P1", "", "", true, nil, "line 2, piece P1: wrong number of fields"}},
	}, {
		name:  "contents before piece_id: keyed by line (a list written with commas)",
		input: "contents,piece_id,member_id,line1\nM1,M2,P1,M1,1 Elm St\n",
		want:  []got{{"line 2", "", "", true, nil, "line 2: wrong number of fields"}},
	}, {
		name:  "an extra column before piece_id: keyed by line",
		input: "template,piece_id,member_id,line1\nT-7,P1,M1\n",
		want:  []got{{"line 2", "", "", true, nil, "line 2: wrong number of fields"}},
	}, {
		name: "the middle line of a quoted field spanning lines: keyed by line, and the ids come back after it",
		input: header + "P1,M1,Ada,\"100 Oak St\nSmith, John\nRear\",,Springfield,IL,62704,true,\n" +
			"P2,M2\n",
		want: []got{
			{"line 2", "", "", true, nil, "line 2: malformed quoted field"},
			{"line 3", "", "", true, nil, "line 3: wrong number of fields"},
			{"line 4", "", "", true, nil, "line 4: malformed quoted field"},
			{"P2", "", "", true, nil, "line 5, piece P2: wrong number of fields"},
		},
	}, {
		name:  "a quote error after readable fields: keyed by line, no text of the row",
		input: header + "Apt 4B, Rear\",,Springfield,IL,62704,true,\n",
		want:  []got{{"line 2", "", "", true, nil, "line 2: malformed quoted field"}},
	}, {
		name:  "phi in the first column, empty",
		input: "phi,piece_id,member_id,line1,city,state,zip\n,P1,M1,123 Main St,Springfield,IL,62704\n",
		want:  []got{{"P1", "M1", "", true, nil, "line 2, piece P1, field phi: phi must be true or false"}},
	}, {
		name:  "no phi column: every piece carries PHI",
		input: "piece_id,member_id,name,line1,city,state,zip\nP1,M1,Ada,123 Main St,Springfield,IL,62704\n",
		want:  []got{{"P1", "M1", "123 MAIN ST, SPRINGFIELD IL 62704", true, nil, ""}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := address.NewBatchReader(strings.NewReader(tt.input))
			var out []got
			for p, err := range r.All() {
				if err != nil {
					t.Fatal(err)
				}
				g := got{Key: p.Key(), Member: p.MemberID, PHI: p.PHI, Contents: p.Contents}
				if r.Line() != p.Line {
					t.Errorf("piece of line %d: the reader's Line is %d", p.Line, r.Line())
				}
				if p.Err != nil {
					g.Err = p.Err.Error()
					var re *address.RowError
					if !errors.As(p.Err, &re) || re.Line != p.Line {
						t.Errorf("line %d: error %v is not a *RowError on its line", p.Line, p.Err)
					}
				} else {
					g.Addr = p.Address.String()
				}
				if g.Err != "" {
					g.Member, g.PHI = p.MemberID, p.PHI
				}
				out = append(out, g)
			}
			if d := cmp.Diff(tt.want, out); d != "" {
				t.Errorf("pieces (-want +got):\n%s", d)
			}
		})
	}
}

func TestBatchReaderHeader(t *testing.T) {
	for _, in := range []string{"", "piece_id,name\nP1,x\n", "piece_id,member_id,piece_id\n", "\"piece_id,member_id\n",
		"piece_id,member_id," + strings.Repeat("x", address.MaxBatchLine) + "\nP1,M1,\n"} {
		r := address.NewBatchReader(strings.NewReader(in))
		if _, err := r.Read(); err == nil || err == io.EOF {
			t.Errorf("header %q: err = %v", in, err)
		}
	}
}

// TestBatchReaderHeaderAfterRead: Header gives the header read before
// the first piece, however often it is asked, and the header's error when
// it cannot be read; All yields that error once, however the caller goes on.
func TestBatchReaderHeaderAfterRead(t *testing.T) {
	r := address.NewBatchReader(strings.NewReader("piece_id,member_id\nP1,M1\nP2,M2\n"))
	if p, err := r.Read(); err != nil || p.ID != "P1" {
		t.Fatalf("Read = %+v, %v", p, err)
	}
	for range 2 {
		if head, err := r.Header(); err != nil || !slices.Equal(head, []string{"piece_id", "member_id"}) {
			t.Errorf("Header after Read = %q, %v", head, err)
		}
	}
	if p, err := r.Read(); err != nil || p.ID != "P2" {
		t.Errorf("Read after Header = %+v, %v; want P2", p, err)
	}

	bad := address.NewBatchReader(strings.NewReader("piece_id,name\nP1,x\n"))
	if head, err := bad.Header(); err == nil || head != nil {
		t.Errorf("Header of a header without member_id = %q, %v", head, err)
	}
	errs := 0
	address.NewBatchReader(strings.NewReader("piece_id,name\nP1,x\n")).All()(func(_ address.Piece, err error) bool {
		if err == nil {
			t.Errorf("a piece of a batch whose header cannot be read")
		}
		errs++
		return errs < 5 // a caller that goes on
	})
	if errs != 1 {
		t.Errorf("All yielded the header's error %d times; want once", errs)
	}
}

func TestBatchReaderKeepsText(t *testing.T) {
	r := address.NewBatchReader(strings.NewReader("member_id,piece_id,line1,city,state,zip,template\nM1,P1,123 Main St,Springfield,IL,62704,T-7\nM2,P2,1 Elm St\n"))
	r.KeepText = true
	head, err := r.Header()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"member_id", "piece_id", "line1", "city", "state", "zip", "template"}, head); d != "" {
		t.Errorf("header (-want +got):\n%s", d)
	}
	for _, want := range []struct {
		text   string
		fields []string
	}{
		{"M1,P1,123 Main St,Springfield,IL,62704,T-7", []string{"M1", "P1", "123 Main St", "Springfield", "IL", "62704", "T-7"}},
		{"M2,P2,1 Elm St", []string{"M2", "P2", "1 Elm St"}}, // short: invalid, kept as read
	} {
		p, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if p.Text != want.text {
			t.Errorf("text %q, want %q", p.Text, want.text)
		}
		fields, err := address.SplitRow(p.Text)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want.fields, fields); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
	}
}

func TestSplitRow(t *testing.T) {
	for _, tc := range []struct {
		text   string
		fields []string
		err    error
	}{
		{"", []string{""}, nil},
		{"a,,b", []string{"a", "", "b"}, nil},
		{`"Smith, Ann","say ""hi""",x`, []string{"Smith, Ann", `say "hi"`, "x"}, nil},
		{`a,"b`, []string{"a"}, address.ErrQuote},
		{`a,"b"c,d`, []string{"a", "b"}, address.ErrQuote},
	} {
		fields, err := address.SplitRow(tc.text)
		if !errors.Is(err, tc.err) {
			t.Errorf("SplitRow(%q): err %v, want %v", tc.text, err, tc.err)
		}
		if d := cmp.Diff(tc.fields, fields); d != "" {
			t.Errorf("SplitRow(%q) (-want +got):\n%s", tc.text, d)
		}
	}
}

// TestBatchReaderCRHeader: the header of a batch whose lines end in a bare
// CR is its first line alone, not the whole file with every member's name
// in it, and its rows are pieces.
func TestBatchReaderCRHeader(t *testing.T) {
	in := "piece_id,member_id,name,line1,line2,city,state,zip,phi,contents\r" +
		"P1,M1,JOHN SMITH,100 OAK ST,APT 4B,SPRINGFIELD,IL,62704,true,\r" +
		"P2,M2,JANE DOE,200 ELM AVE,,SPRINGFIELD,IL,62704,true,\r"
	r := address.NewBatchReader(strings.NewReader(in))
	head, err := r.Header()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(address.BatchColumns, head); d != "" {
		t.Errorf("header (-want +got):\n%s", d)
	}
	var ids []string
	for p, err := range r.All() {
		if err != nil || p.Err != nil {
			t.Fatalf("line %d: %v, %v", p.Line, err, p.Err)
		}
		ids = append(ids, fmt.Sprintf("%s@%d", p.ID, p.Line))
	}
	if d := cmp.Diff([]string{"P1@2", "P2@3"}, ids); d != "" {
		t.Errorf("pieces (-want +got):\n%s", d)
	}
}

func FuzzBatchReader(f *testing.F) {
	f.Add("piece_id,member_id,name,line1,line2,city,state,zip,phi,contents\nP1,M1,Ada,123 Main St,Apt 4,Springfield,IL,62704,true,M1\n")
	f.Add("piece_id,member_id\n\"P1\",\"M\"\"1\"\nP2\n")
	f.Add("piece_id,member_id,line1\nP1,M1,\"123 Main St\nP2,M2,x\n")
	// Line ends: bare CR, mixed, a CR in quotes, in the header, last, alone.
	f.Add("piece_id,member_id,name\rP1,M1,Ada\rP2,M2,Alan\r")
	f.Add("piece_id,member_id,name\r\nP1,M1,Ada\rP2,M2\n\r\n\r\rP3,M3,x\r\n")
	f.Add("piece_id,member_id,name\nP1,M1,\"Ada\rLovelace\"\nP2,M2,x\r")
	f.Add("piece_id,mem\rber_id,name\nP1,M1,Ada\n")
	f.Add("\r")
	// Shifted ids: a comma in a field before piece_id; a quoted field
	// spanning three lines.
	f.Add("member_id,name,piece_id,line1\nM1,SMITH, JOHN,P1,1 Elm St\nM2,Ada,P2,1 Elm St\n")
	f.Add("piece_id,member_id,name\nP1,M1,\"Ada\nSmith, John\nx\"\nP2,M2\n")
	f.Fuzz(func(t *testing.T, in string) {
		r := address.NewBatchReader(strings.NewReader(in))
		// Lines end in "\n", "\r\n" or "\r".
		split := strings.Split(strings.ReplaceAll(strings.ReplaceAll(in, "\r\n", "\n"), "\r", "\n"), "\n")
		lines := len(split)
		// Every line after the header that is not blank is a piece.
		want := 0
		for i, l := range split {
			if i > 0 && (strings.TrimSpace(l) != "" || len(l) > address.MaxBatchLine) {
				want++
			}
		}
		n, last := 0, 1
		for p, err := range r.All() {
			if err != nil {
				if n > 0 {
					t.Fatalf("after %d pieces: %v; only the header may stop a batch", n, err)
				}
				return // a batch-level error: the header
			}
			n++
			if p.Line <= last || p.Line > lines {
				t.Fatalf("piece on line %d of %d, after line %d", p.Line, lines, last)
			}
			last = p.Line
			if l := split[p.Line-1]; strings.TrimSpace(l) == "" && len(l) <= address.MaxBatchLine {
				t.Fatalf("piece on line %d, which is blank", p.Line)
			}
			if n == 1 {
				// The header is the first line alone.
				head, err := r.Header()
				if err != nil || len(head) > strings.Count(split[0], ",")+1 {
					t.Fatalf("header of %d columns from a first line of %d commas, %v", len(head), strings.Count(split[0], ","), err)
				}
			}
			if p.Err != nil {
				var re *address.RowError
				if !errors.As(p.Err, &re) || re.Line != p.Line {
					t.Fatalf("error %v is not a RowError on line %d", p.Err, p.Line)
				}
				if p.Address != (address.Address{}) {
					t.Fatalf("invalid piece with an address")
				}
			}
		}
		if n != want {
			t.Fatalf("%d pieces from %d lines, %d of them pieces", n, lines, want)
		}
	})
}
