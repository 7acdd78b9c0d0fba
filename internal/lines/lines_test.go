package lines

import (
	"bytes"
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

// want is what the lines of in are, by splitting it: the reference. With
// cr, a bare "\r" ends a line too.
func want(in string, max int, cr bool) []string {
	if in == "" {
		return nil
	}
	if cr {
		// "\r\n" is one end; a "\r" left is one too.
		in = strings.ReplaceAll(strings.ReplaceAll(in, "\r\n", "\n"), "\r", "\n")
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
			if d := cmp.Diff(want(tc.in, 10, false), got); d != "" {
				t.Errorf("lines of %q against the reference (-want +got):\n%s", tc.in, d)
			}
		})
	}
}

// TestNextCR: with CR set, a bare "\r" ends a line as "\n" and "\r\n" do,
// and "\r\n" is still one end, wherever the buffer cuts it.
func TestNextCR(t *testing.T) {
	long := strings.Repeat("x", 40)
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{"CR", "abc\rdef\r", []string{"abc", "def"}},
		{"CR, no end", "abc\rdef", []string{"abc", "def"}},
		{"CRLF is one end", "abc\r\ndef\r\n", []string{"abc", "def"}},
		{"LF", "abc\ndef\n", []string{"abc", "def"}},
		{"mixed", "a\r\nb\rc\nd\r\ne", []string{"a", "b", "c", "d", "e"}},
		{"LF CR is two ends", "a\n\rb\n", []string{"a", "", "b"}},
		{"blank lines", "\r\r\n\n\r", []string{"", "", "", ""}},
		{"a CR alone", "\r", []string{""}},
		{"a CR last", "a\nb\r", []string{"a", "b"}},
		{"the bound, exactly", "0123456789\r", []string{"0123456789"}},
		{"the bound, with CRLF", "0123456789\r\nok", []string{"0123456789", "ok"}},
		{"one over", "0123456789a\rok\r", []string{tooLongLine, "ok"}},
		{"CRLF across the buffer's end", "0123456789abcde\r\nok\r", []string{tooLongLine, "ok"}},
		{"CRLF across the buffer's end, in bound", "012345678\r\nabcde\r\nok", []string{"012345678", "abcde", "ok"}},
		{"longer than the buffer", "a\r" + long + "\rb\r", []string{"a", tooLongLine, "b"}},
		{"longer than the buffer, CRLF", long + "\r\nb\r\n", []string{tooLongLine, "b"}},
		{"longer than the buffer, no end", "a\r" + long, []string{"a", tooLongLine}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReaderSize(strings.NewReader(tc.in), 10, 16)
			r.CR = true
			got := readAll(t, r)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("lines of %q (-want +got):\n%s", tc.in, d)
			}
			if d := cmp.Diff(want(tc.in, 10, true), got); d != "" {
				t.Errorf("lines of %q against the reference (-want +got):\n%s", tc.in, d)
			}
		})
	}
}

// TestNextCROneByte: a "\r\n" read a byte at a time is still one end, and
// a line ended by "\r" is returned before the byte after it is read.
func TestNextCROneByte(t *testing.T) {
	r := NewReader(iotest.OneByteReader(strings.NewReader("a\r\nb\rc\r\n\r\nd")), 10)
	r.CR = true
	if d := cmp.Diff([]string{"a", "b", "c", "", "d"}, readAll(t, r)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	pr, pw := io.Pipe()
	r = NewReader(pr, 10)
	r.CR = true
	go pw.Write([]byte("a\r"))
	if line, _, err := r.Next(); err != nil || string(line) != "a" {
		t.Errorf("a line ended by a CR, nothing after it yet: %q, %v", line, err)
	}
	pw.Close()
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
	f.Add("a\rb\r\nc\n\r", 1, 0)
	f.Add(strings.Repeat("x", 15)+"\r\n"+strings.Repeat("y", 40)+"\rz", 20, 0)
	f.Fuzz(func(t *testing.T, in string, max, size int) {
		max, size = max&63, 16+size&63
		for _, cr := range []bool{false, true} {
			r := newReaderSize(strings.NewReader(in), max, size)
			r.CR = cr
			got := readAll(t, r)
			if d := cmp.Diff(want(in, max, cr), got); d != "" {
				t.Errorf("lines of %q, bound %d, buffer %d, CR %v (-want +got):\n%s", in, max, size, cr, d)
			}
		}
	})
}

// BenchmarkNext reads lines of a batch's length, their ends found by
// ReadSlice and, with CR, by the search for either end: in CRLF text, and
// in text of bare CRs, which must not cost a search to the buffer's end
// for each line.
func BenchmarkNext(b *testing.B) {
	const row = "P000001,M000001,ADA LOVELACE,123 MAIN ST,APT 4B,SPRINGFIELD,IL,62704,true,M000001;M000002"
	for _, bc := range []struct {
		name string
		end  string
		cr   bool
	}{{"CRLF", "\r\n", false}, {"CRLF,CR", "\r\n", true}, {"CR,CR", "\r", true}} {
		in := []byte(strings.Repeat(row+bc.end, 10000))
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				r := NewReader(bytes.NewReader(in), 1<<16)
				r.CR = bc.cr
				n := 0
				for {
					if _, _, err := r.Next(); err != nil {
						break
					}
					n++
				}
				if n != 10000 {
					b.Fatalf("%d lines", n)
				}
			}
		})
	}
}
