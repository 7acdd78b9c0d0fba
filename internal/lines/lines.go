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
			r.r.Discard(1)
		case err != nil:
			return nil, err
		}
	}
	for n := 0; ; {
		// Fill the buffer with at least one byte more than searched, then
		// search all that is in it.
		_, err := r.r.Peek(n + 1)
		b, _ := r.r.Peek(r.r.Buffered())
		if i := bytes.IndexAny(b[n:], "\r\n"); i >= 0 {
			line := b[:n+i+1]
			r.skipLF = line[len(line)-1] == '\r'
			r.r.Discard(len(line))
			return line, nil
		}
		switch {
		case err != nil:
			r.r.Discard(len(b))
			return b, err
		case len(b) == r.r.Size():
			r.r.Discard(len(b))
			return b, bufio.ErrBufferFull
		}
		n = len(b)
	}
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
