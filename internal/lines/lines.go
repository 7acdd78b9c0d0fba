// Package lines reads text a line at a time with a bound on a line's
// length. A longer line is read to its end and reported, not returned, and
// the next read goes on with the line after it: one bad line costs one
// line, never the rest of the input.
//
// A line ends in "\n" or "\r\n"; a Reader whose CR is set also ends a line
// at a bare "\r" (universal newlines).
package lines

import (
	"bufio"
	"bytes"
	"io"
)

// A Reader reads the lines of an input.
type Reader struct {
	// CR, when set, takes a bare "\r" for a line end too, as "\n" and
	// "\r\n" are: text from old Macs and some spreadsheets ends its lines
	// so. "\r\n" is still one line end, not two. Set it before the first
	// call to Next.
	CR bool

	r      *bufio.Reader
	max    int
	buf    []byte // a line longer than the reader's buffer, put together
	skipLF bool   // with CR: the last line ended in "\r"; a "\n" next is its end's
	noLF   int    // with CR: so many bytes buffered, from the next, hold no "\n"
}

// NewReader returns a Reader of r whose lines may be up to max bytes long,
// their ends ("\n" or "\r\n", or "\r" with CR) not counted.
func NewReader(r io.Reader, max int) *Reader { return newReaderSize(r, max, 64<<10) }

// newReaderSize is NewReader with a buffer of size bytes: lines longer than
// it are put together from pieces.
func newReaderSize(r io.Reader, max, size int) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, size), max: max}
}

// Next returns the next line without its end. The line is valid until the
// next call. A line longer than the bound is consumed and reported as
// tooLong, with no text. A last line with no end is a line. At the end of
// the input Next returns io.EOF; an error of the underlying reader is
// returned as it is, and the line it cut short is lost.
func (r *Reader) Next() (line []byte, tooLong bool, err error) {
	frag, err := r.readSlice()
	if err != bufio.ErrBufferFull {
		// The common case: the whole line was in the buffer.
		return r.end(frag, false, err)
	}
	r.buf = append(r.buf[:0], frag...)
	for err == bufio.ErrBufferFull {
		frag, err = r.readSlice()
		if !tooLong {
			if len(r.buf)+len(frag) > r.max+2 { // +2: the line's end
				tooLong, r.buf = true, r.buf[:0]
			} else {
				r.buf = append(r.buf, frag...)
			}
		}
	}
	return r.end(r.buf, tooLong, err)
}

// readSlice is bufio.Reader.ReadSlice('\n'), but for a line that ends in
// "\r" too when r.CR is set: the bytes up to and with the first line end,
// or bufio.ErrBufferFull with the whole buffer when there is none in it.
func (r *Reader) readSlice() ([]byte, error) {
	if !r.CR {
		return r.r.ReadSlice('\n')
	}
	if r.skipLF {
		// The "\n" of a "\r\n" whose "\r" ended the last line. It is
		// looked for now, not then, so that a line is returned without
		// waiting for the next byte.
		r.skipLF = false
		b, err := r.r.Peek(1)
		switch {
		case len(b) == 1 && b[0] == '\n':
			r.take(b)
		case err != nil:
			return nil, err
		}
	}
	for n := 0; ; {
		// Fill the buffer with at least one byte more than searched, then
		// search all that is in it: for the first "\n", past the bytes
		// known to hold none (a file of "\r" ends is not searched to the
		// buffer's end for each line), and for a "\r" before it.
		_, err := r.r.Peek(n + 1)
		b, _ := r.r.Peek(r.r.Buffered())
		lf := bytes.IndexByte(b[r.noLF:], '\n')
		if lf >= 0 {
			lf += r.noLF
			r.noLF = lf
		} else {
			r.noLF = len(b)
		}
		lim := len(b)
		if lf >= 0 {
			lim = lf
		}
		switch i := bytes.IndexByte(b[n:lim], '\r'); {
		case i >= 0:
			return r.take(b[:n+i+1]), nil
		case lf >= 0:
			return r.take(b[:lf+1]), nil
		case err != nil:
			return r.take(b), err
		case len(b) == r.r.Size():
			return r.take(b), bufio.ErrBufferFull
		}
		n = len(b)
	}
}

// take consumes the bytes of b, the start of the buffered input, for
// readSlice, and returns it.
func (r *Reader) take(b []byte) []byte {
	r.r.Discard(len(b))
	r.noLF = max(0, r.noLF-len(b))
	r.skipLF = len(b) > 0 && b[len(b)-1] == '\r'
	return b
}

// end trims a line read whole of its end and settles its error.
func (r *Reader) end(line []byte, tooLong bool, err error) ([]byte, bool, error) {
	read := len(line) > 0 || tooLong
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > r.max {
		tooLong = true
	}
	if tooLong {
		line = nil
	}
	switch {
	case err == nil:
	case err == io.EOF && read:
		err = nil // a last line with no end; io.EOF comes with the next call
	default:
		return nil, false, err
	}
	return line, tooLong, nil
}
