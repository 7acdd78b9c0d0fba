// Package lines reads text a line at a time with a bound on a line's
// length. A longer line is read to its end and reported, not returned, and
// the next read goes on with the line after it: one bad line costs one
// line, never the rest of the input.
package lines

import (
	"bufio"
	"bytes"
	"io"
)

// A Reader reads the lines of an input.
type Reader struct {
	r   *bufio.Reader
	max int
	buf []byte // a line longer than the reader's buffer, put together
}

// NewReader returns a Reader of r whose lines may be up to max bytes long,
// their ends ("\n" or "\r\n") not counted.
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
	frag, err := r.r.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		// The common case: the whole line was in the buffer.
		return r.end(frag, false, err)
	}
	r.buf = append(r.buf[:0], frag...)
	for err == bufio.ErrBufferFull {
		frag, err = r.r.ReadSlice('\n')
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
