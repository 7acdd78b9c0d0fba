package address

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// FuzzSplitCSV: splitCSV splits every line as the byte-copying version it
// replaced did, fields and error.
func FuzzSplitCSV(f *testing.F) {
	for _, s := range []string{"", ",", "a,b", `"a","b"`, `"a""b",c`, `"a"b`, `a"b`, `"",""`, `a,`, `"a",`, `"x""",y`, `"unclosed`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, gerr := splitCSV(line, nil)
		want, werr := splitCSVReference([]byte(line), nil)
		if !errors.Is(gerr, werr) && !(gerr == nil && werr == nil) || gerr == nil && !slices.Equal(got, want) {
			t.Fatalf("splitCSV(%q) = %q, %v; want %q, %v", line, got, gerr, want, werr)
		}
	})
}

// splitCSVReference is splitCSV as it was before it sliced one string: it
// splits one CSV line into fields, appending to dst: fields are
// separated by commas; a field that starts with a double quote runs to the
// closing quote, with "" for a quote inside it. The fields are copied.
func splitCSVReference(line []byte, dst []string) ([]string, error) {
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			var f []byte
			j := i + 1
			for {
				k := bytes.IndexByte(line[j:], '"')
				if k < 0 {
					return dst, ErrQuote
				}
				f = append(f, line[j:j+k]...)
				j += k + 1
				if j < len(line) && line[j] == '"' {
					f = append(f, '"')
					j++
					continue
				}
				break
			}
			dst = append(dst, string(f))
			switch {
			case j == len(line):
				return dst, nil
			case line[j] != ',':
				return dst, ErrQuote
			}
			i = j + 1
			if i == len(line) {
				return append(dst, ""), nil
			}
			continue
		}
		k := bytes.IndexByte(line[i:], ',')
		if k < 0 {
			f := line[i:]
			if bytes.IndexByte(f, '"') >= 0 {
				return dst, ErrQuote
			}
			return append(dst, string(f)), nil
		}
		f := line[i : i+k]
		if bytes.IndexByte(f, '"') >= 0 {
			return dst, ErrQuote
		}
		dst = append(dst, string(f))
		i += k + 1
		if i == len(line) {
			return append(dst, ""), nil
		}
	}
}
