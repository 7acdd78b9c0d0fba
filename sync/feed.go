package sync

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strings"

	"github.com/printgate/printgate/internal/csvhead"
	"github.com/printgate/printgate/internal/csvrec"
	"github.com/printgate/printgate/internal/lines"
)

// The columns of a change-event feed, in CSV and JSON Lines alike.
const (
	colEventID = iota
	colMemberID
	colEffective
	colRecorded
	colName
	colLine1
	colLine2
	colCity
	colState
	colZIP
	colKind
	nCols
)

var colNames = [nCols]string{"event_id", "member_id", "effective", "recorded", "name", "line1", "line2", "city", "state", "zip", "kind"}

// requiredCols must be in a CSV header; the others may be left out, and are
// then empty in every row.
var requiredCols = []int{colEventID, colMemberID, colEffective, colRecorded}

// ErrHeader is wrapped by the error a [CSVReader] returns for a header row
// it cannot use: a missing required column, an unknown or repeated one.
// Reading stops there.
var ErrHeader = errors.New("bad header")

// event builds an Event from the fields of a row, f indexed by column; a
// bad field is a *RowError. Text fields are taken as they are: the address
// package trims and standardizes.
func event(f *[nCols]string, line int) (Event, error) {
	ev := Event{
		ID:       f[colEventID],
		MemberID: f[colMemberID],
		Name:     f[colName],
		Line1:    f[colLine1],
		Line2:    f[colLine2],
		City:     f[colCity],
		State:    f[colState],
		ZIP:      f[colZIP],
		Line:     line,
	}
	bad := func(col int, err error) (Event, error) {
		re := rowError(line, colNames[col], ev.ID, ev.MemberID, err)
		if t, ok := parseTime(f[colEffective]); ok {
			re.Effective = t // for the hold, whatever else is wrong
		}
		return Event{}, re
	}
	switch {
	case ev.ID == "":
		return bad(colEventID, ErrMissing)
	case !validID(ev.ID):
		return bad(colEventID, ErrInvalidID)
	case ev.MemberID == "":
		return bad(colMemberID, ErrMissing)
	case !validID(ev.MemberID):
		return bad(colMemberID, ErrInvalidID)
	}
	for _, c := range [...]int{colEffective, colRecorded} {
		if f[c] == "" {
			return bad(c, ErrMissing)
		}
		t, ok := parseTime(f[c])
		if !ok {
			return bad(c, ErrInvalidTime)
		}
		if c == colEffective {
			ev.Effective = t
		} else {
			ev.Recorded = t
		}
	}
	var ok bool
	if ev.Kind, ok = parseKind(f[colKind]); !ok {
		return bad(colKind, ErrInvalidKind)
	}
	return ev, nil
}

// A CSVReader reads change events from CSV with a header row naming the
// columns, in any order:
//
//	event_id,member_id,effective,recorded,name,line1,line2,city,state,zip,kind
//
// event_id, member_id, effective and recorded are required; a column left
// out is empty in every row. Times are RFC 3339 or YYYY-MM-DD (midnight
// UTC); an empty kind is "address". Column names are matched without regard
// to case or surrounding spaces. A record longer than [MaxCSVRecord] is a
// bad row ([ErrLineTooLong]): it is read to its end without being kept,
// and reading goes on after it.
type CSVReader struct {
	r    *csvrec.Reader // encoding/csv's reading, faster
	cols []int          // column index of each CSV field, -1 for none
	err  error          // sticky: a header or I/O error
	f    [nCols]string
}

// MaxCSVRecord is the longest record a [CSVReader] or an [ExportReader]
// reads, in bytes, its line ends and the lines its quoted fields span
// included. A longer one is a bad row ([ErrLineTooLong]), and the reader
// goes on after it.
const MaxCSVRecord = 64 << 10

// NewCSVReader returns a reader of the CSV events in r.
func NewCSVReader(r io.Reader) *CSVReader {
	return &CSVReader{r: csvrec.NewReader(r, MaxCSVRecord)}
}

// Read returns the next event. At the end of the input it returns io.EOF.
// A bad row yields a *RowError, and the next call reads the next row; any
// other error (the header, the underlying reader) ends the input and is
// returned again by every later call.
func (r *CSVReader) Read() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	if r.cols == nil {
		if err := r.header(); err != nil {
			r.err = err
			return Event{}, err
		}
	}
	rec, line, err := r.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// encoding/csv's errors name no input text, and reading goes
			// on with the next record.
			return Event{}, &RowError{Line: pe.StartLine, Err: pe.Err}
		}
		r.err = err
		return Event{}, err
	}
	for i, c := range r.cols {
		if c >= 0 {
			r.f[c] = rec[i]
		}
	}
	return event(&r.f, line)
}

func (r *CSVReader) header() error {
	rec, _, err := r.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("pgsync: line %d: %w: %w", pe.StartLine, ErrHeader, pe.Err)
		}
		return err // io.EOF for empty input: no events
	}
	cols := make([]int, len(rec))
	seen := [nCols]bool{}
	for i, name := range rec {
		name = csvhead.Name(name)
		cols[i] = -1
		for c, n := range colNames {
			if n == name {
				cols[i] = c
			}
		}
		switch {
		case cols[i] < 0:
			// Not quoted: a file with no header has a row of PHI here.
			return fmt.Errorf("pgsync: line 1: %w: column %d is not one of %s", ErrHeader, i+1, strings.Join(colNames[:], ","))
		case seen[cols[i]]:
			return fmt.Errorf("pgsync: line 1: %w: column %s repeated", ErrHeader, colNames[cols[i]])
		}
		seen[cols[i]] = true
	}
	for _, c := range requiredCols {
		if !seen[c] {
			return fmt.Errorf("pgsync: line 1: %w: no %s column", ErrHeader, colNames[c])
		}
	}
	r.cols = cols
	return nil
}

// All returns the events of the input as a sequence, as Read returns them:
// a bad row is a (zero Event, *RowError) pair and the sequence goes on; a
// header or I/O error is the last pair. io.EOF is not yielded.
func (r *CSVReader) All() iter.Seq2[Event, error] { return all(r.Read) }

func all(read func() (Event, error)) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := read()
			if err == io.EOF {
				return
			}
			var re *RowError
			if !yield(ev, err) || err != nil && !errors.As(err, &re) {
				return
			}
		}
	}
}

// MaxJSONLine is the longest line a [JSONLReader] reads; a longer one is a
// bad row ([ErrLineTooLong]).
const MaxJSONLine = 64 << 10

// A JSONLReader reads change events from JSON Lines: one JSON object per
// line, with the field names of the CSV header, every value a string (or
// null, the same as absent). Blank lines are skipped. A field that is not
// one of the names is a bad row: a misspelled "line2" must not drop a unit
// silently.
type JSONLReader struct {
	r    *lines.Reader
	line int
	err  error
}

// NewJSONLReader returns a reader of the JSON Lines events in r.
func NewJSONLReader(r io.Reader) *JSONLReader {
	return &JSONLReader{r: lines.NewReader(r, MaxJSONLine)}
}

type jsonEvent struct {
	EventID   string `json:"event_id"`
	MemberID  string `json:"member_id"`
	Effective string `json:"effective"`
	Recorded  string `json:"recorded"`
	Name      string `json:"name"`
	Line1     string `json:"line1"`
	Line2     string `json:"line2"`
	City      string `json:"city"`
	State     string `json:"state"`
	ZIP       string `json:"zip"`
	Kind      string `json:"kind"`
}

// Read returns the next event. At the end of the input it returns io.EOF.
// A bad row yields a *RowError, and the next call reads the next line; an
// error of the underlying reader ends the input and is returned again by
// every later call.
func (r *JSONLReader) Read() (Event, error) {
	for {
		if r.err != nil {
			return Event{}, r.err
		}
		line, tooLong, err := r.r.Next()
		if err != nil {
			r.err = err
			return Event{}, err
		}
		r.line++
		if tooLong {
			return Event{}, &RowError{Line: r.line, Err: ErrLineTooLong}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return r.decode(line)
	}
}

func (r *JSONLReader) decode(line []byte) (Event, error) {
	var je jsonEvent
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	err := d.Decode(&je)
	if err == nil && d.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		// encoding/json keeps the last of a field given twice, in any
		// case: "line2":"APT 4B", … "LINE2":"" would drop the unit.
		if c, ok := repeatedField(line); !ok || c >= 0 {
			re := rowError(r.line, "", je.EventID, je.MemberID, ErrInvalidJSON)
			if c >= 0 {
				re.Field, re.Err = colNames[c], ErrRepeatedField
				// Which of the two ids the row meant is unknown.
				switch c {
				case colEventID:
					re.EventID = ""
				case colMemberID:
					re.MemberID = ""
				}
			}
			if t, ok := parseTime(je.Effective); ok && c != colEffective {
				re.Effective = t // for the hold
			}
			return Event{}, re
		}
	}
	if err != nil {
		re := rowError(r.line, "", je.EventID, je.MemberID, ErrInvalidJSON)
		// encoding/json's messages quote the input; keep only what is ours.
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && jsonField(te.Field) != "":
			re.Field, re.Err = jsonField(te.Field), ErrNotString
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			re.Err = ErrUnknownField
		}
		return Event{}, re
	}
	f := [nCols]string{je.EventID, je.MemberID, je.Effective, je.Recorded, je.Name, je.Line1, je.Line2, je.City, je.State, je.ZIP, je.Kind}
	return event(&f, r.line)
}

// repeatedField returns the first column that the JSON object line, which
// encoding/json has decoded into a jsonEvent, names twice, matching names
// as encoding/json does (exactly, or else without regard to case, by
// Unicode case folding); -1 if none. It reports false if line is not the
// object it expects: an object of names and strings or nulls.
func repeatedField(line []byte) (col int, ok bool) {
	var seen [nCols]bool
	i := 0
	skipSpace := func() {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n') {
			i++
		}
	}
	// str reads the JSON string at i and returns its raw text between the
	// quotes, and whether it holds an escape.
	str := func() (raw []byte, escaped, ok bool) {
		if i >= len(line) || line[i] != '"' {
			return nil, false, false
		}
		start := i + 1
		for i = start; i < len(line); i++ {
			switch line[i] {
			case '\\':
				escaped = true
				i++
			case '"':
				raw = line[start:i]
				i++
				return raw, escaped, true
			}
		}
		return nil, false, false
	}
	skipSpace()
	if i >= len(line) || line[i] != '{' {
		return -1, false
	}
	i++
	skipSpace()
	if i < len(line) && line[i] == '}' {
		return -1, true
	}
	for {
		skipSpace()
		raw, escaped, ok := str()
		if !ok {
			return -1, false
		}
		name := string(raw)
		if escaped {
			if err := json.Unmarshal(line[i-len(raw)-2:i], &name); err != nil {
				return -1, false
			}
		}
		c := -1
		for k, n := range colNames {
			if strings.EqualFold(name, n) {
				c = k
				break
			}
		}
		if c < 0 {
			return -1, false
		}
		if seen[c] {
			return c, true
		}
		seen[c] = true
		skipSpace()
		if i >= len(line) || line[i] != ':' {
			return -1, false
		}
		i++
		skipSpace()
		if bytes.HasPrefix(line[i:], []byte("null")) {
			i += len("null")
		} else if _, _, ok := str(); !ok {
			return -1, false
		}
		skipSpace()
		if i >= len(line) {
			return -1, false
		}
		switch line[i] {
		case ',':
			i++
		case '}':
			return -1, true
		default:
			return -1, false
		}
	}
}

// jsonField returns the column an UnmarshalTypeError names, if it is one of
// ours.
func jsonField(f string) string {
	for _, n := range colNames {
		if n == f {
			return n
		}
	}
	return ""
}

// All returns the events of the input as a sequence, as Read returns them:
// a bad row is a (zero Event, *RowError) pair and the sequence goes on; an
// I/O error is the last pair. io.EOF is not yielded.
func (r *JSONLReader) All() iter.Seq2[Event, error] { return all(r.Read) }

// FeedEvents returns the events of the feed file named name, read from r:
// JSON Lines ([JSONLReader]) when the name ends in .jsonl or .ndjson, in
// any case, and CSV ([CSVReader]) otherwise.
func FeedEvents(name string, r io.Reader) iter.Seq2[Event, error] {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return NewJSONLReader(r).All()
	}
	return NewCSVReader(r).All()
}
