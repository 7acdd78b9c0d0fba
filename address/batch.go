package address

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/printgate/printgate/internal/csvhead"
	"github.com/printgate/printgate/internal/lines"
)

// BatchColumns are the columns of a batch file, in the order BatchReader
// writes them back; a batch may hold them in any order, with a header row.
var BatchColumns = []string{"piece_id", "member_id", "name", "line1", "line2", "city", "state", "zip", "phi", "contents"}

// These are the errors that can be in a batch Piece's Err, within a
// [*RowError].
var (
	ErrFieldCount = errors.New("wrong number of fields")
	ErrQuote      = errors.New("malformed quoted field")
	ErrPHIFlag    = errors.New("phi must be true or false")
	ErrMissing    = errors.New("missing")
	ErrLineLength = errors.New("line too long")
	ErrContents   = errors.New("contents names no member: only separators")
)

// A RowError is what is wrong with one row of a batch: its line, the column
// at fault, the piece id when it could be read, and the reason. It never
// holds the row's text.
type RowError struct {
	Line    int
	Field   string // a column name, or "" for the row as a whole
	PieceID string
	Err     error
}

func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString("line ")
	b.WriteString(strconv.Itoa(e.Line))
	if e.PieceID != "" {
		b.WriteString(", piece ")
		b.WriteString(e.PieceID)
	}
	if e.Field != "" {
		b.WriteString(", field ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *RowError) Unwrap() error { return e.Err }

// MaxBatchLine is the longest batch line read, its end not counted; a
// longer one is an invalid piece, keyed by its line, and the batch is read
// on past it.
const MaxBatchLine = 64 << 10

// A BatchReader reads the pieces of a batch file: CSV with a header row
// naming the columns (BatchColumns, in any order; piece_id and member_id
// required), one piece per line. A line ends in "\n", "\r\n" or a bare "\r"
// (as old Macs and some spreadsheets write), in any mix: "\r\n" is one end,
// not two, and line numbers count lines so. The header is the first line
// alone; no row is ever read as part of it. It reads lines, never the whole
// file, and never loses one: every line after the header that is not blank
// is one Piece, and a line that cannot be read, too long ones included, is a
// Piece whose Err is a [*RowError] (the gate finds it invalid). A quoted
// field may not span lines: a line end inside quotes, "\r" included, ends
// the row there, and both parts are invalid pieces.
//
// A row that cannot be read is keyed by its piece id only when that id can
// be trusted to be the piece id, and by its line ("line N") otherwise, so
// that no name or address text becomes a key:
//   - A row with the wrong number of fields keeps the field at the piece_id
//     column's index as its id only if every column before piece_id in the
//     header is member_id, phi, state or zip, which hold no comma, and only
//     if the row does not begin inside quotes opened on an earlier line. An
//     unquoted comma in a name or an address ("SMITH, JOHN") shifts the
//     fields after it, and the middle lines of a quoted field that spans
//     lines are address text: a field read there is not the id. contents is
//     not among those columns: a list of ids written with commas is too
//     likely. Such a row's member_id is not read at all.
//   - A row with a malformed quote is keyed by its line: the fields before
//     the fault may be the tail of a quoted field begun on the line before.
//
// phi is "true" or "false" (also 1/0, yes/no, any case); a piece whose phi
// is missing or cannot be read is taken to carry PHI. contents is member ids
// separated by ";" (empty ones, as after a last ";", are left out); empty,
// it means the addressee's documents alone, but a contents of separators
// alone (";;") is an error: what is inside is not known.
type BatchReader struct {
	// KeepText, when set, keeps each piece's row as read, every column in
	// the input's order (see Header), in Piece.Text, for outputs that
	// write the input back. Set it before the first call to Read.
	KeepText bool

	r      *lines.Reader
	line   int
	col    [10]int // index in the row of each of BatchColumns; -1: absent
	ncols  int
	head   []string
	fields []string
	slab   []string // where pieces' Contents are cut from
	header bool
	err    error
	// idOK: the header puts before piece_id only columns that hold no
	// comma, so a row with the wrong number of fields still has its id
	// at piece_id's index.
	idOK bool
	// inQuote: the quotes of the lines read so far leave one open, so
	// the next line may be inside a quoted field that spans lines.
	inQuote bool
}

// NewBatchReader returns a BatchReader reading from r.
func NewBatchReader(r io.Reader) *BatchReader {
	lr := lines.NewReader(r, MaxBatchLine)
	lr.CR = true
	return &BatchReader{r: lr}
}

// Line returns the line number of the piece Read returned last.
func (b *BatchReader) Line() int { return b.line }

// Read returns the next piece, or io.EOF after the last. A row it cannot
// read is returned as a Piece with Err set and a nil error; a non-nil error
// means the batch as a whole cannot be read (a missing header, an I/O
// error).
func (b *BatchReader) Read() (Piece, error) {
	if b.err != nil {
		return Piece{}, b.err
	}
	if !b.header {
		if err := b.readHeader(); err != nil {
			b.err = err
			return Piece{}, err
		}
	}
	for {
		text, tooLong, err := b.r.Next()
		if err != nil {
			b.err = err
			return Piece{}, err
		}
		b.line++
		if tooLong {
			// The line is read past, and lost, but not its piece.
			return Piece{Line: b.line, PHI: true, Err: &RowError{Line: b.line, Err: ErrLineLength}}, nil
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue // a blank line holds no piece
		}
		return b.piece(text), nil
	}
}

// All returns the pieces of the batch as a sequence, for Gate.Check. A
// batch-level error is yielded once and ends the sequence.
func (b *BatchReader) All() iter.Seq2[Piece, error] {
	return func(yield func(Piece, error) bool) {
		for {
			p, err := b.Read()
			if err == io.EOF {
				return
			}
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}

func (b *BatchReader) readHeader() error {
	text, tooLong, err := b.r.Next()
	switch {
	case err == io.EOF:
		return errors.New("batch: empty file, no header")
	case err != nil:
		return fmt.Errorf("batch header: %w", err)
	case tooLong:
		return fmt.Errorf("batch header, line 1: %w (more than %d bytes)", ErrLineLength, MaxBatchLine)
	}
	b.line++
	b.header = true
	fields, err := splitCSV(string(text), b.fields[:0])
	if err != nil {
		return fmt.Errorf("batch header, line 1: %w", err)
	}
	for i := range b.col {
		b.col[i] = -1
	}
	for i, f := range fields {
		name := csvhead.Name(f)
		for j, c := range BatchColumns {
			if name == c {
				if b.col[j] >= 0 {
					return fmt.Errorf("batch header: column %s appears twice", c)
				}
				b.col[j] = i
			}
		}
	}
	for _, req := range []int{0, 1} {
		if b.col[req] < 0 {
			return fmt.Errorf("batch header: no %s column", BatchColumns[req])
		}
	}
	b.ncols = len(fields)
	b.head = slices.Clone(fields)
	b.idOK = true
	for _, f := range fields[:b.col[0]] {
		switch csvhead.Name(f) {
		case "member_id", "phi", "state", "zip":
		default:
			b.idOK = false
		}
	}
	return nil
}

// Header returns the batch's header row, its columns in the input's order
// as written (extra columns included), reading it if Read has not yet.
func (b *BatchReader) Header() ([]string, error) {
	if !b.header && b.err == nil {
		if err := b.readHeader(); err != nil {
			b.err = err
		}
	}
	if b.head == nil {
		return nil, b.err
	}
	return slices.Clone(b.head), nil
}

// piece reads one row.
func (b *BatchReader) piece(text []byte) Piece {
	p := Piece{Line: b.line}
	// One copy of the line, of which the fields are slices.
	row := string(text)
	if b.KeepText {
		p.Text = row
	}
	fields, err := splitCSV(row, b.fields[:0])
	b.fields = fields[:0]
	continued := b.inQuote // the line may be inside quotes opened before it
	if strings.Count(row, `"`)%2 == 1 {
		b.inQuote = !b.inQuote
	}
	get := func(j int) string {
		if i := b.col[j]; i >= 0 && i < len(fields) {
			return strings.TrimSpace(fields[i])
		}
		return ""
	}
	if err == nil && len(fields) != b.ncols {
		err = ErrFieldCount
	}
	p.PHI = true // until the row says otherwise: a piece not read is taken to carry PHI
	if err != nil {
		// Keep the id only if the row was split and the field at its
		// column's index is the id (see BatchReader): never name or
		// address text.
		if err == ErrFieldCount && b.idOK && !continued {
			p.ID = get(0)
		}
		p.Err = &RowError{Line: b.line, PieceID: p.ID, Err: err}
		return p
	}
	p.ID, p.MemberID, p.Name = get(0), get(1), get(2)
	bad := func(field string, err error) Piece {
		p.Err = &RowError{Line: b.line, Field: field, PieceID: p.ID, Err: err}
		return p
	}
	phi := strings.ToLower(get(8))
	switch phi {
	case "false", "0", "no", "n", "f":
		p.PHI = false
	}
	switch {
	case p.ID == "":
		return bad("piece_id", ErrMissing)
	case p.MemberID == "":
		return bad("member_id", ErrMissing)
	}
	switch phi {
	case "true", "1", "yes", "y", "t", "false", "0", "no", "n", "f":
	case "":
		if b.col[8] >= 0 {
			return bad("phi", ErrPHIFlag)
		}
		// No phi column: every piece is taken to carry PHI.
	default:
		return bad("phi", ErrPHIFlag)
	}
	if c := get(9); c != "" {
		p.Contents = b.strings(strings.Count(c, ";") + 1)[:0]
		for m := range strings.SplitSeq(c, ";") {
			if m = strings.TrimSpace(m); m != "" {
				p.Contents = append(p.Contents, m)
			}
		}
		if len(p.Contents) == 0 {
			p.Contents = nil
			return bad("contents", ErrContents)
		}
	}
	a, err := ParseFields(get(3), get(4), get(5), get(6), get(7))
	if err != nil {
		var pe *ParseError
		field := "address"
		if errors.As(err, &pe) {
			switch pe.Field {
			case FieldLine1, FieldLine2, FieldCity, FieldState, FieldZIP:
				field = pe.Field.String()
			}
		}
		return bad(field, err)
	}
	p.Address = a
	return p
}

// SplitRow splits a row of a batch, as a BatchReader reads it
// (Piece.Text), into its fields. A row whose quotes do not close, or are
// followed by more than a comma, yields the fields before the fault and
// ErrQuote.
func SplitRow(text string) ([]string, error) { return splitCSV(text, nil) }

// strings returns n strings cut from a slab shared by many pieces, so that
// a piece's slices cost no allocation of their own. The slice is full:
// appending to it copies.
func (b *BatchReader) strings(n int) []string {
	if n > cap(b.slab)-len(b.slab) {
		b.slab = make([]string, 0, max(slabStrings, n))
	}
	k := len(b.slab)
	b.slab = b.slab[:k+n]
	return b.slab[k : k+n : k+n]
}

// slabStrings is the size of a slab of strings: a few hundred rows'.
const slabStrings = 4096

// splitCSV splits one CSV line into fields, appending to dst: fields are
// separated by commas; a field that starts with a double quote runs to the
// closing quote, with "" for a quote inside it. The fields are slices of
// line, but for a quoted field with a quote inside, which is a copy.
func splitCSV(line string, dst []string) ([]string, error) {
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			j := i + 1
			var f string
			var b []byte // the field unquoted, once a "" is found in it
			for {
				k := strings.IndexByte(line[j:], '"')
				if k < 0 {
					return dst, ErrQuote
				}
				if j+k+1 < len(line) && line[j+k+1] == '"' {
					b = append(b, line[j:j+k+1]...)
					j += k + 2
					continue
				}
				if b != nil {
					f = string(append(b, line[j:j+k]...))
				} else {
					f = line[j : j+k]
				}
				j += k + 1
				break
			}
			dst = append(dst, f)
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
		k := strings.IndexByte(line[i:], ',')
		if k < 0 {
			f := line[i:]
			if strings.IndexByte(f, '"') >= 0 {
				return dst, ErrQuote
			}
			return append(dst, f), nil
		}
		f := line[i : i+k]
		if strings.IndexByte(f, '"') >= 0 {
			return dst, ErrQuote
		}
		dst = append(dst, f)
		i += k + 1
		if i == len(line) {
			return append(dst, ""), nil
		}
	}
}
