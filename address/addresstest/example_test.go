package addresstest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
)

// reporter stands in for the *testing.T a test of your own passes: it
// prints the first line of what the test would report.
type reporter struct{ testing.TB }

func (reporter) Helper() {}

func (reporter) Errorf(format string, args ...any) {
	msg, _, _ := strings.Cut(fmt.Sprintf(format, args...), "\n")
	fmt.Println("FAIL:", msg)
}

func (r reporter) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

// In a test of a mail pipeline, assert that a batch it built has no piece
// addressed to a member's former address. Here the member moved from
// apartment 4B to 12C on 2019-10-03 and the second piece still goes to 4B;
// after the first line, the failure lists the offending pieces by id,
// member, status and detail.
func ExampleAssertNoStale() {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	src := addresstest.NewSource(address.History{MemberID: "M1", Versions: []address.Version{
		{EventID: "E1", Effective: day("2018-01-01"), Kind: address.Moved, Name: "Ada Lovelace",
			Address: address.MustParse("55 Park Ave Apt 4B, New York NY 10016")},
		{EventID: "E2", Effective: day("2019-10-03"), Kind: address.Moved,
			Address: address.MustParse("55 Park Ave Apt 12C, New York NY 10016")},
	}})
	pieces := []address.Piece{
		{ID: "P1", MemberID: "M1", Name: "Ada Lovelace", PHI: true,
			Address: address.MustParse("55 Park Avenue, Apartment 12C, New York, NY 10016")},
		{ID: "P2", MemberID: "M1", Name: "Ada Lovelace", PHI: true,
			Address: address.MustParse("55 Park Ave Apt 4B, New York NY 10016")},
	}

	var t testing.TB = reporter{} // in a test: its t
	addresstest.AssertNoStale(t, src, day("2020-06-01"), pieces)
	// Output:
	// FAIL: addresstest: 1 of 2 pieces stale (-want +got):
}
