package address_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
)

// The gate judges each piece against the member's address history: the
// first piece goes to the address in force (written differently) and is
// released; the second goes to the apartment the member left and is
// blocked.
func ExampleGate_Check() {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	src := addresstest.NewSource(address.History{MemberID: "M1", Versions: []address.Version{
		{EventID: "E1", Effective: day("2018-01-01"), Kind: address.Moved, Name: "Ada Lovelace",
			Address: address.MustParse("55 Park Ave Apt 4B, New York NY 10016")},
		{EventID: "E2", Effective: day("2019-10-03"), Kind: address.Moved,
			Address: address.MustParse("55 Park Ave Apt 12C, New York NY 10016")},
	}})
	pieces := []address.Piece{
		{ID: "P1", MemberID: "M1", Name: "ADA LOVELACE", PHI: true,
			Address: address.MustParse("55 Park Avenue, Apartment 12C, New York, NY 10016-1234")},
		{ID: "P2", MemberID: "M1", Name: "Ada Lovelace", PHI: true,
			Address: address.MustParse("55 Park Ave Apt 4B, New York NY 10016")},
	}
	gate := &address.Gate{Source: src, AsOf: day("2020-06-01")}
	sink := &addresstest.Sink{}
	out, err := gate.Check(context.Background(), addresstest.Pieces(pieces), sink)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range sink.Got {
		fmt.Println(strings.TrimSpace(fmt.Sprint(v.Piece.ID, " ", v.Status, " ", v.Decision, " ", v.Detail)))
	}
	fmt.Println(out.Pieces, "pieces:", out.Released, "released,", out.Blocked, "blocked")
	// Output:
	// P1 current release
	// P2 stale block stale since 2019-10-03
	// 2 pieces: 1 released, 1 blocked
}

// A batch file is read a line at a time. A row that cannot be read is still
// a piece, with an error naming its line and field: the gate holds it as
// invalid. Here the second row's ZIP code has a letter O for a zero, and
// the third row has a field too many.
func ExampleNewBatchReader() {
	batch := `piece_id,member_id,name,line1,line2,city,state,zip,phi,contents
P1,M1,Ada Lovelace,55 Park Ave Apt 12C,,New York,NY,10016,true,
P2,M2,Alan Turing,9 Elm St,,Springfield,IL,627O4,false,
P3,M3,Grace Hopper,1 Main St,,Springfield,IL,62704,true,M3,extra
`
	br := address.NewBatchReader(strings.NewReader(batch))
	for p, err := range br.All() {
		if err != nil { // the file itself could not be read
			fmt.Println(err)
			return
		}
		if p.Err != nil {
			fmt.Println(p.Err) // names the line, piece and field, never the text
			continue
		}
		fmt.Printf("line %d, piece %s: member %s, PHI %t, %s\n", p.Line, p.ID, p.MemberID, p.PHI, p.Address)
	}
	// Output:
	// line 2, piece P1: member M1, PHI true, 55 PARK AVE APT 12C, NEW YORK NY 10016
	// line 3, piece P2, field zip: address: zip: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits
	// line 4, piece P3: wrong number of fields
}
