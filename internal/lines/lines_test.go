package lines

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// A line as Next returns it: its text, or "TOO LONG".
const tooLongLine = "TOO LONG"

// readAll reads every line of in, each as its text or tooLongLine.
func readAll(t testing.TB, r *Reader) []string {
	t.Helper()
	var got []string
	for {
		line, tooLong, err := r.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("after %d lines: %v", len(got), err)
		}
		if tooLong {
			if line != nil {
				t.Fatalf("line %d: too long, yet text %q", len(got)+1, line)
			}
			got = append(got, tooLongLine)
			continue
		}
		got = append(got, string(line))
	}
}

// want is what the lines of in are, by splitting it: the reference.
func want(in string, max int) []string {
	if in == "" {
		return nil
	}
	parts := strings.Split(strings.TrimSuffix(in, "\n"), "\n")
	for i, p := range parts {
		p = strings.TrimSuffix(p, "\r")
		if len(p) > max {
			p = tooLongLine
		}
		parts[i] = p
	}
	return parts
}

func TestNext(t *testing.T) {
	long := strings.Repeat("x", 40)
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"one line", "abc\n", []string{"abc"}},
		{"no end", "abc", []string{"abc"}},
		{"CRLF", "abc\r\ndef\r\n", []string{"abc", "def"}},
		{"blank lines", "\n\r\n\n", []string{"", "", ""}},
		{"a lone CR stays", "a\rb\n", []string{"a\rb"}},
		{"the bound, exactly", "0123456789\n", []string{"0123456789"}},
		{"the bound, with CRLF", "0123456789\r\n", []string{"0123456789"}},
		{"one over", "0123456789a\nok\n", []string{tooLongLine, "ok"}},
		{"one over, no end", "ok\n0123456789a", []string{"ok", tooLongLine}},
		{"longer than the buffer", "a\n" + long + "\nb\n", []string{"a", tooLongLine, "b"}},
		{"longer than the buffer, CRLF", long + "\r\nb\r\n", []string{tooLongLine, "b"}},
		{"longer than the buffer, no end", "a\n" + long, []string{"a", tooLongLine}},
		{"two in a row", long + "\n" + long + "\nc", []string{tooLongLine, tooLongLine, "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A buffer of 16 bytes, so that lines over it are put together.
			got := readAll(t, newReaderSize(strings.NewReader(tc.in), 10, 16))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("lines of %q (-want +got):\n%s", tc.in, d)
			}
			if d := cmp.Diff(want(tc.in, 10), got); d != "" {
				t.Errorf("lines of %q against the reference (-want +got):\n%s", tc.in, d)
			}
		})
	}
}

// TestNextLongerThanBuffer: with the bound above the buffer's size, a line
// between the two is read whole, put together from pieces.
func TestNextLongerThanBuffer(t *testing.T) {
	mid, over := strings.Repeat("m", 30), strings.Repeat("o", 41)
	in := mid + "\r\n" + over + "\n" + mid
	got := readAll(t, newReaderSize(strings.NewReader(in), 40, 16))
	if d := cmp.Diff([]string{mid, tooLongLine, mid}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestNextReaderError: an error of the input is returned, not taken for
// the end, and the line it cut short is not returned.
func TestNextReaderError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("a\nhalf"), iotest.ErrReader(boom)), 10)
	if line, _, err := r.Next(); err != nil || string(line) != "a" {
		t.Fatalf("first line: %q, %v", line, err)
	}
	if line, tooLong, err := r.Next(); !errors.Is(err, boom) || line != nil || tooLong {
		t.Fatalf("second: %q, %v, %v; want the input's error", line, tooLong, err)
	}
}

func FuzzNext(f *testing.F) {
	f.Add("abc\r\ndef\n", 3, 16)
	f.Add(strings.Repeat("x", 50)+"\nok", 10, 16)
	f.Add("\n\r\n", 0, 16)
	f.Fuzz(func(t *testing.T, in string, max, size int) {
		max, size = max&63, 16+size&63
		got := readAll(t, newReaderSize(strings.NewReader(in), max, size))
		if d := cmp.Diff(want(in, max), got); d != "" {
			t.Errorf("lines of %q, bound %d, buffer %d (-want +got):\n%s", in, max, size, d)
		}
	})
}
