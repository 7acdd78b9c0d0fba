package address

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// FuzzSplitCSV: splitCSV reads a line as encoding/csv reads a one-line
// file with strict quoting: the same fields, and an error exactly when it
// gives one.
func FuzzSplitCSV(f *testing.F) {
	for _, s := range []string{",", "a,b", `"a","b"`, `"a""b",c`, `"a"b`, `a"b`, `"",""`, `a,`, `"a",`, `"x""",y`, `"unclosed`, ` a , "b" `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if line == "" || strings.ContainsAny(line, "\r\n") {
			return // lines come to splitCSV without their ending, and a blank one holds no piece
		}
		got, gerr := splitCSV(line, nil)
		r := csv.NewReader(strings.NewReader(line))
		r.FieldsPerRecord = -1
		want, werr := r.Read()
		if (gerr != nil) != (werr != nil) || gerr == nil && !slices.Equal(got, want) {
			t.Fatalf("splitCSV(%q) = %q, %v; encoding/csv reads %q, %v", line, got, gerr, want, werr)
		}
	})
}
