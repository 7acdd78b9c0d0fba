// Package csvrec reads CSV records as encoding/csv does, in bounded
// memory. It is the one reader of every CSV file printgate takes from
// outside: feeds, drift exports, and the operators' files of the example
// programs.
package csvrec

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// ErrTooLong is the error of a record longer than a [Reader]'s bound,
// wrapped in a *csv.ParseError at the record's first line.
var ErrTooLong = errors.New("line too long")

// A Reader reads CSV records as encoding/csv's Reader does with its
// defaults and ReuseRecord (comma-separated, no comment lines, strict
// quotes, every record as wide as the first unless AnyWidth is set), with
// the same records, lines and errors (a *csv.ParseError wrapping
// csv.ErrQuote, csv.ErrBareQuote or csv.ErrFieldCount), a record after a
// bad one included. It reads a line without a quote, most of a feed, in
// one pass: its fields are slices of one copy of the line. A line with a
// quote is read as encoding/csv reads it. FuzzRecords checks the two
// against each other.
//
// Unlike encoding/csv, it keeps no record longer than its bound (its line
// ends, and the lines its quoted fields span, included; blank lines before
// it not): it reads such a record to its end, where encoding/csv would end
// it, and returns a *csv.ParseError wrapping [ErrTooLong] in its place.
// So an input of one endless line, or a quote that never closes, is read
// in bounded memory. Such a record sets no width for the records after it,
// where encoding/csv takes it from the first record read, bad or not: a
// header too long to keep is an error of the header anyway.
type Reader struct {
	// AnyWidth lets records have any number of fields, as encoding/csv's
	// FieldsPerRecord of -1 does.
	AnyWidth bool

	r         *bufio.Reader
	max       int    // the longest record kept, in bytes
	numLine   int    // lines read
	startLine int    // the line the last record read starts on
	fields    int    // fields per record: the first record's; 0 before it
	size      int    // bytes of the record being read, so far
	tooLong   bool   // the record being read is longer than max
	raw       []byte // a line longer than the bufio buffer
	buf       []byte // a quoted record's fields, back to back
	ends      []int  // where each of them ends in buf
	rec       []string
}

// NewReader returns a Reader of r that keeps records of up to max bytes.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Read returns the next record, valid until the next call, and the line it
// starts on; at the end of the input, io.EOF.
func (r *Reader) Read() (rec []string, line int, err error) {
	rec, err = r.readRecord()
	return rec, r.startLine, err
}

// readLine reads a line, as encoding/csv does: \r\n is \n, and a \r
// before the end of the input is dropped. st is the parse's state at the
// line's start: a line that takes the record past r.max is read on, with
// the rest of the record, by skip, and returned empty with r.tooLong set.
func (r *Reader) readLine(st scanState) ([]byte, error) {
	line, err := r.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.raw = append(r.raw[:0], line...)
		for err == bufio.ErrBufferFull {
			if r.size+len(r.raw) > r.max {
				r.numLine++
				return nil, r.skip(st, r.raw)
			}
			line, err = r.r.ReadSlice('\n')
			r.raw = append(r.raw, line...)
		}
		line = r.raw
	}
	n := len(line)
	r.size += n
	if n > 0 && err == io.EOF {
		err = nil
		if line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	r.numLine++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

func (r *Reader) readRecord() ([]string, error) {
	var line []byte
	var errRead error
	r.tooLong = false
	for errRead == nil {
		r.size, r.startLine = 0, r.numLine+1
		line, errRead = r.readLine(fieldStart)
		if errRead == nil && !r.tooLong && len(line) == lengthNL(line) {
			line = nil
			continue // an empty line
		}
		break
	}
	if errRead == io.EOF {
		return nil, errRead
	}
	var err error
	switch {
	case r.tooLong:
		r.rec = r.rec[:0]
	case r.size > r.max:
		// The line is whole, and the record ends with it or a quoted
		// field runs on.
		r.rec = r.rec[:0]
		if errRead == nil {
			errRead = r.skip(fieldStart, line)
		}
	case bytes.IndexByte(line, '"') < 0:
		// No quote: the fields are the line's, between commas.
		s := string(line[:len(line)-lengthNL(line)])
		r.rec = r.rec[:0]
		for {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				r.rec = append(r.rec, s)
				break
			}
			r.rec = append(r.rec, s[:i])
			s = s[i+1:]
		}
	default:
		err = r.parseQuoted(line, &errRead)
	}
	if err == nil {
		err = errRead
	}
	if r.tooLong && err == nil {
		return nil, &csv.ParseError{StartLine: r.startLine, Line: r.startLine, Column: 1, Err: ErrTooLong}
	}
	if r.fields > 0 {
		if len(r.rec) != r.fields && err == nil && !r.AnyWidth {
			err = &csv.ParseError{StartLine: r.startLine, Line: r.startLine, Column: 1, Err: csv.ErrFieldCount}
		}
	} else {
		r.fields = len(r.rec)
	}
	return r.rec, err
}

// parseQuoted parses a record whose first line, line, holds a quote, into
// r.rec, reading more lines while a quoted field runs on, and leaving an
// error reading them in *errRead: encoding/csv's parse, step for step.
func (r *Reader) parseQuoted(line []byte, errRead *error) (err error) {
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	col, numLine := 1, r.numLine
	defer func() {
		s := string(r.buf)
		r.rec = r.rec[:0]
		prev := 0
		for _, end := range r.ends {
			r.rec = append(r.rec, s[prev:end])
			prev = end
		}
	}()
	for {
		if len(line) == 0 || line[0] != '"' {
			// An unquoted field.
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				return &csv.ParseError{StartLine: r.startLine, Line: r.numLine, Column: col + j, Err: csv.ErrBareQuote}
			}
			r.buf = append(r.buf, field...)
			r.ends = append(r.ends, len(r.buf))
			if i < 0 {
				return nil
			}
			line = line[i+1:]
			col += i + 1
			continue
		}
		// A quoted field.
		line = line[1:]
		col++
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				r.buf = append(r.buf, line[:i]...)
				line = line[i+1:]
				col += i + 1
				switch {
				case len(line) > 0 && line[0] == '"': // "": a quote
					r.buf = append(r.buf, '"')
					line = line[1:]
					col++
					continue
				case len(line) > 0 && line[0] == ',': // the field ends
					line = line[1:]
					col++
					r.ends = append(r.ends, len(r.buf))
				case lengthNL(line) == len(line): // the record ends
					r.ends = append(r.ends, len(r.buf))
					return nil
				default:
					return &csv.ParseError{StartLine: r.startLine, Line: r.numLine, Column: col - 1, Err: csv.ErrQuote}
				}
			case len(line) > 0:
				// The field runs on past the line.
				r.buf = append(r.buf, line...)
				if *errRead != nil {
					return nil // the field is dropped; the caller returns *errRead
				}
				col += len(line)
				line, *errRead = r.readLine(quoted)
				if r.size > r.max && !r.tooLong && *errRead == nil {
					*errRead = r.skip(quoted, line)
				}
				if r.tooLong {
					return nil
				}
				if len(line) > 0 {
					numLine++
					col = 1
				}
				if *errRead == io.EOF {
					*errRead = nil
				}
				continue
			default:
				// The input ends inside the field.
				if *errRead == nil {
					return &csv.ParseError{StartLine: r.startLine, Line: numLine, Column: col, Err: csv.ErrQuote}
				}
				r.ends = append(r.ends, len(r.buf))
				return nil
			}
			break // to the next field
		}
	}
}

// A scanState is where encoding/csv's parse of a record stands, as far as
// where the record ends goes.
type scanState uint8

const (
	fieldStart scanState = iota // at a field's start
	unquoted                    // in a field not quoted
	quoted                      // in a quoted field
	quoteSeen                   // after a quote in a quoted field: it closes it, or a second one follows
	lineRest                    // after a quote out of place: the record ends with the line
	recordEnd                   // after the record's last byte
)

// scan returns the state after b, or recordEnd at the byte that ends the
// record, b's last.
func (st scanState) scan(b []byte) scanState {
	for _, c := range b {
		switch st {
		case fieldStart, unquoted:
			switch {
			case c == ',':
				st = fieldStart
			case c == '\n':
				return recordEnd
			case c == '"' && st == fieldStart:
				st = quoted
			case c == '"': // a bare quote
				st = lineRest
			default:
				st = unquoted
			}
		case quoted:
			if c == '"' {
				st = quoteSeen
			}
		case quoteSeen:
			switch c {
			case '"':
				st = quoted
			case ',':
				st = fieldStart
			case '\n':
				return recordEnd
			default: // text after a closing quote
				st = lineRest
			}
		case lineRest:
			if c == '\n' {
				return recordEnd
			}
		}
	}
	return st
}

// skip reads on to the end of a record too long to keep, where
// encoding/csv's parse would end it, keeping nothing, and sets r.tooLong.
// st is the parse's state before b, the record's bytes read last, which
// are counted in r.numLine. It returns an error reading, if any; the end
// of the input ends the record.
func (r *Reader) skip(st scanState, b []byte) error {
	r.tooLong = true
	for {
		if st = st.scan(b); st == recordEnd {
			return nil
		}
		newLine := len(b) > 0 && b[len(b)-1] == '\n'
		var err error
		b, err = r.r.ReadSlice('\n')
		if newLine && len(b) > 0 {
			r.numLine++
		}
		switch err {
		case nil, bufio.ErrBufferFull:
		case io.EOF:
			return nil
		default:
			return err
		}
	}
}
