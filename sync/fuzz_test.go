package sync_test

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// The fuzz targets check what must hold of every input to the readers of
// feeds and exports: no panic; every row rejected is a *RowError naming a
// line of the input and a field; and no error, of a row or of the input as
// a whole, holds the input's text (six characters or more), but for the
// well-formed event id a RowError may name.
//
//	go test ./sync -run '^$' -fuzz '^FuzzExportReader$' -fuzztime 60s

var feedSeeds = []string{
	"event_id,member_id,effective,recorded,name,line1,line2,city,state,zip,kind\n" +
		"E1,M1,2019-03-01,2019-03-02T10:00:00Z,Jane Roe,742 Evergreen Terrace,Apt 4B,Springfield,IL,62704,\n" +
		"E2,M1,2022-05-01,2022-05-02,,12 Lisbon Rd,,Hollis,NH,03049,address\n" +
		"E3,M1,2023-01-10,2023-01-11,,,,,,,undeliverable\n",
	"\ufeffMEMBER_ID, Event_ID ,recorded,effective\nM1,E1,2020-01-01,2020-01-01\n",
	"event_id,member_id,effective,recorded,line1\nE1,M1,yesterday,2020-01-01,\"unterminated\nE2,,2020-01-01,2020-01-01,x\n",
	"event_id,member_id,effective,recorded\nE1,M1,2020-01-01\nE 2,M1,2020-01-01,2020-01-01\n\"E3\"x,M1,2020-01-01,2020-01-01\n",
	"event_id,member_id,effective,recorded,kind\nE1,M1,2020-01-01,2020-01-01,moved\nE2,M2,1600-01-01,2020-01-01,\n",
	"event_id,event_id,member_id\n",
	"Jane Roe,742 Evergreen Terrace\n",
	"",
}

var jsonlSeeds = []string{
	`{"event_id":"E1","member_id":"M1","effective":"2019-03-01","recorded":"2019-03-02","name":"Jane Roe","line1":"742 Evergreen Terrace","line2":"Apt 4B","city":"Springfield","state":"IL","zip":"62704"}` + "\n" +
		`{"event_id":"E2","member_id":"M1","effective":"2023-01-10","recorded":"2023-01-11","kind":"undeliverable"}` + "\n",
	"\n  \n" + `{"event_id":"E1","member_id":"M1","effective":"2019-03-01","recorded":"2019-03-02","line_2":"Apt 4B"}` + "\r\n",
	`{"event_id":"E1","member_id":"M1","effective":2019,"recorded":"2019-03-02"}` + "\n" + `{"event_id":"E2",` + "\n" + `{"event_id":null}{}` + "\n",
	`["Jane Roe","742 Evergreen Terrace"]` + "\n" + `"Springfield"` + "\n" + `{"event_id":"E1","name":"\u0000Jane"}`,
	"",
}

var exportSeeds = []string{
	"member_id,name,line1,line2,city,state,zip\n" +
		"M1,Jane Roe,742 Evergreen Terrace,Apt 4B,Springfield,IL,62704\n" +
		"M2,John Doe,PO Box 12,,Hollis,NH,03049\n" +
		"M3,Ann Lee,Main Street,,Springfield,IL,62704\n",
	"\ufeffZIP, State ,city,LINE1,member_id\n62704,IL,Springfield,742 Evergreen Terrace, M1 \n",
	"member_id,line1,city,state,zip\nM1,742 Evergreen Terrace,Springfield,IL\n,1 Main St,Springfield,IL,62704\nJane Roe,1 Main St,Springfield,IL,62704\n",
	"member_id,line1,city,state,zip\nM1,\"742 Evergreen\" Terrace,Springfield,IL,62704\nM2,1 Main St,Spring\"field,IL,62704\nM3,\"1 Main St\n",
	"member_id,line1,city,state,zip,zip\n",
	"member_id,line1,line_2,city,state,zip\n",
	"Jane Roe,742 Evergreen Terrace,Springfield\n",
	"",
}

func FuzzCSVReader(f *testing.F) {
	for _, s := range feedSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := pgsync.NewCSVReader(strings.NewReader(in))
		checkRows(t, in, func() (int, error) {
			ev, err := r.Read()
			return ev.Line, err
		}, feedWholeRow)
	})
}

func FuzzJSONLReader(f *testing.F) {
	for _, s := range jsonlSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := pgsync.NewJSONLReader(strings.NewReader(in))
		checkRows(t, in, func() (int, error) {
			ev, err := r.Read()
			return ev.Line, err
		}, feedWholeRow)
	})
}

// FuzzExportReader reads the input as an export, and runs a drift of it
// against a small store: the drift's accounting must add up, and its
// details hold no input text either.
func FuzzExportReader(f *testing.F) {
	for _, s := range exportSeeds {
		f.Add(s)
	}
	s, err := pgsync.Open(context.Background(), filepath.Join(f.TempDir(), "store.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	day := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t }
	evs := []pgsync.Event{
		{ID: "E1", MemberID: "M1", Effective: day("2019-03-01"), Recorded: day("2019-03-02"), Name: "Jane Roe",
			Line1: "742 Evergreen Terrace", Line2: "Apt 4B", City: "Springfield", State: "IL", ZIP: "62704"},
		{ID: "E2", MemberID: "M1", Effective: day("2022-05-01"), Recorded: day("2022-05-02"),
			Line1: "12 Lisbon Rd", City: "Hollis", State: "NH", ZIP: "03049"},
		{ID: "E3", MemberID: "M2", Effective: day("2019-03-01"), Recorded: day("2019-03-02"), Name: "John Doe",
			Line1: "PO Box 12", City: "Hollis", State: "NH", ZIP: "03049"},
		{ID: "E4", MemberID: "M4", Effective: day("2019-03-01"), Recorded: day("2019-03-02"), Name: "Ann Lee",
			Line1: "1 Main St", City: "Springfield", State: "IL", ZIP: "62704"},
	}
	if _, err := s.Apply(context.Background(), func(yield func(pgsync.Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}, pgsync.ApplyOptions{}); err != nil {
		f.Fatal(err)
	}
	asOf := day("2025-06-30")

	f.Fuzz(func(t *testing.T, in string) {
		r := pgsync.NewExportReader(strings.NewReader(in))
		checkRows(t, in, func() (int, error) {
			row, err := r.Read()
			return row.Line, err
		}, nil)

		members := 0
		sum, err := s.Drift(context.Background(), pgsync.NewExportReader(strings.NewReader(in)).All(), asOf, func(r pgsync.DriftResult) error {
			members++
			if r.Status < pgsync.InSync || r.Status > pgsync.MissingInStore {
				t.Fatalf("member %s: status %d", r.MemberID, r.Status)
			}
			checkNoText(t, in, r.Detail, r.MemberID)
			return nil
		})
		if err != nil {
			if errors.Is(err, pgsync.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
				checkNoText(t, in, err.Error(), "")
				return
			}
			t.Fatalf("Drift: %v", err)
		}
		total := 0
		for _, st := range pgsync.DriftStatuses {
			total += sum.Count(st)
		}
		if members != sum.Members || total != sum.Members ||
			sum.Rows != sum.Members-sum.MissingInOther+sum.Repeated+sum.NoMember || len(sum.Errors) != sum.Bad {
			t.Fatalf("summary does not add up: %d results, %+v", members, sum)
		}
		for _, re := range sum.Errors {
			checkRowError(t, in, re, nil)
		}
	})
}

// checkRows reads the input to its end, checking every row. wholeRow
// reports the reasons for which a reader names no field, as the fault is
// the row's as a whole; nil means none.
func checkRows(t *testing.T, in string, read func() (line int, err error), wholeRow func(error) bool) {
	t.Helper()
	lines := strings.Count(in, "\n") + 1
	for i := 0; ; i++ {
		if i > lines {
			t.Fatalf("more than %d rows from %d lines", i, lines)
		}
		line, err := read()
		if err == io.EOF {
			return
		}
		var re *pgsync.RowError
		switch {
		case err == nil:
			if line < 1 || line > lines {
				t.Fatalf("row on line %d of %d", line, lines)
			}
		case errors.As(err, &re):
			if re.Line > lines {
				t.Fatalf("error %v on line %d of %d", err, re.Line, lines)
			}
			checkRowError(t, in, re, wholeRow)
		default:
			// The input as a whole: a header, a line too long to read.
			checkNoText(t, in, err.Error(), "")
			if _, err2 := read(); err2 != err {
				t.Fatalf("error %v, then %v: want the same error again", err, err2)
			}
			return
		}
	}
}

func checkRowError(t *testing.T, in string, re *pgsync.RowError, wholeRow func(error) bool) {
	t.Helper()
	if re.Line < 1 {
		t.Fatalf("error %v on line %d", re, re.Line)
	}
	if re.Field == "" && (wholeRow == nil || !wholeRow(re.Err)) {
		t.Fatalf("error %v names no field", re)
	}
	checkNoText(t, in, re.Error(), re.EventID)
	// A member id, which places a hold, is a well-formed one.
	if re.MemberID != "" && (len(re.MemberID) > 64 || strings.TrimLeft(re.MemberID, idChars) != "") {
		t.Fatalf("error %v names member %q", re, re.MemberID)
	}
}

const idChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/"

// feedWholeRow reports the reasons for which the feed readers name no
// field: a CSV record that is not well-formed, a JSON line that is not
// one object of strings, or one too long.
func feedWholeRow(err error) bool {
	for _, e := range []error{csv.ErrQuote, csv.ErrBareQuote, csv.ErrFieldCount, pgsync.ErrInvalidJSON, pgsync.ErrUnknownField, pgsync.ErrLineTooLong} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// checkNoText fails if msg holds a word of six characters or more of in
// that is not a word of the messages themselves, nor id (the well-formed
// id an error may name).
func checkNoText(t *testing.T, in, msg, id string) {
	t.Helper()
	if id != "" {
		msg = strings.ReplaceAll(msg, id, "")
	}
	words := strings.FieldsFunc(in, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if len(w) >= 6 && strings.Contains(msg, w) && !strings.Contains(staticText, w) {
			t.Fatalf("%q holds input text %q", msg, w)
		}
	}
}

// staticText is every word the package's messages use.
var staticText = func() string {
	var b strings.Builder
	for _, e := range []error{
		pgsync.ErrMissing, pgsync.ErrInvalidID, pgsync.ErrInvalidTime, pgsync.ErrInvalidKind, pgsync.ErrInvalidName,
		pgsync.ErrInvalidJSON, pgsync.ErrNotString, pgsync.ErrUnknownField, pgsync.ErrLineTooLong, pgsync.ErrConflict,
		pgsync.ErrHeader, csv.ErrQuote, csv.ErrBareQuote, csv.ErrFieldCount,
		address.ErrEmpty, address.ErrTooLong, address.ErrInvalidText, address.ErrInvalidZIP, address.ErrInvalidCity,
		address.ErrUnknownState, address.ErrNoNumber, address.ErrNoStreet, address.ErrInvalidUnit, address.ErrInvalidBox,
		address.ErrIncomplete, address.ErrAmbiguous, address.ErrUnrecognized, address.ErrMilitaryState,
	} {
		b.WriteString(e.Error() + " ")
	}
	for _, st := range pgsync.DriftStatuses {
		b.WriteString(st.String() + " ")
	}
	for f := address.FieldNone; f <= address.FieldLine; f++ {
		b.WriteString(f.String() + " ")
	}
	for s := address.Current; s <= address.UnappliedChange; s++ {
		b.WriteString(s.String() + " ")
	}
	b.WriteString("event_id member_id effective recorded name line1 line2 city state zip kind record " +
		"pgsync export column repeated is not one of bad header trailing data " +
		"address cannot be read at byte not in the export not in the store rows of the export have no readable member id row has " +
		"rows in the export the one judged on line former address differs from the one in force in similar to " +
		"never the member's address no address in force unexpected EOF")
	return b.String()
}()
