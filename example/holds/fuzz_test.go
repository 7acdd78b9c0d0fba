package main

import (
	"encoding/csv"
	"strings"
	"testing"
)

// FuzzReadHolds reads any text as a -clear-file. It either fails, naming
// no text of the file, or returns a hold for each row after the header
// (one with an empty member_id names a hold of no member).
func FuzzReadHolds(f *testing.F) {
	f.Add("member_id,event_id,line,field,reason,received\nM1,E2,3,zip,bad,2024-03-04T05:00:00Z\nM2,,4,event_id,missing,2024-03-04T05:00:00Z\n")
	f.Add("event_id,member_id\nE1,M1\n")
	f.Add("member_id,event_id\n,E2\n")
	f.Add("member_id,event_id\nM\"1,E2\n")
	f.Fuzz(func(t *testing.T, text string) {
		holds, err := readHolds("-", strings.NewReader(text))
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "-: header: ") && !strings.HasPrefix(msg, "-: row ") {
				t.Fatalf("error %q names no header or row", msg)
			}
			return
		}
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil || len(recs) == 0 {
			t.Fatalf("read %d holds from a file encoding/csv reads with error %v", len(holds), err)
		}
		if len(holds) != len(recs)-1 {
			t.Fatalf("%d holds from %d rows after the header", len(holds), len(recs)-1)
		}
	})
}
