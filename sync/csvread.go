package sync

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

// A csvReader reads CSV records as encoding/csv's Reader does with its
// defaults and ReuseRecord (comma-separated, no comment lines, strict
// quotes, every record as wide as the first), with the same records, lines
// and errors (a *csv.ParseError wrapping csv.ErrQuote, csv.ErrBareQuote or
// csv.ErrFieldCount), a record after a bad one included. It is what a feed
// of a million events spends most of its reading on, and it reads a line
// without a quote, most of a feed, in one pass: its fields are slices of
// one copy of the line. A line with a quote is read as encoding/csv reads
// it. FuzzCSVRecords checks the two against each other.
type csvReader struct {
	r         *bufio.Reader
	numLine   int    // lines read
	startLine int    // the line the last record read starts on
	fields    int    // fields per record: the first record's; 0 before it
	raw       []byte // a line longer than the bufio buffer
	buf       []byte // a quoted record's fields, back to back
	ends      []int  // where each of them ends in buf
	rec       []string
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Read returns the next record, valid until the next call, and the line it
// starts on; at the end of the input, io.EOF.
func (r *csvReader) Read() (rec []string, line int, err error) {
	rec, err = r.readRecord()
	return rec, r.startLine, err
}

// readLine reads a line, as encoding/csv does: \r\n is \n, and a \r
// before the end of the input is dropped.
func (r *csvReader) readLine() ([]byte, error) {
	line, err := r.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.raw = append(r.raw[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.r.ReadSlice('\n')
			r.raw = append(r.raw, line...)
		}
		line = r.raw
	}
	n := len(line)
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

func (r *csvReader) readRecord() ([]string, error) {
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = r.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			line = nil
			continue // an empty line
		}
		break
	}
	if errRead == io.EOF {
		return nil, errRead
	}
	r.startLine = r.numLine
	var err error
	if bytes.IndexByte(line, '"') < 0 {
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
	} else {
		err = r.parseQuoted(line, &errRead)
	}
	if err == nil {
		err = errRead
	}
	if r.fields > 0 {
		if len(r.rec) != r.fields && err == nil {
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
func (r *csvReader) parseQuoted(line []byte, errRead *error) (err error) {
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
				line, *errRead = r.readLine()
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
