package address_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/printgate/printgate/address"
)

func ExampleParse() {
	a, err := address.Parse("123 North Main Street Apartment 4B, Springfield, Illinois 62704-1234")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a)
	fmt.Printf("number=%s predir=%s street=%s suffix=%s unit=%s %s zip=%s\n",
		a.Number, a.PreDir, a.Street, a.Suffix, a.Unit, a.UnitNum, a.ZIP)
	// Output:
	// 123 N MAIN ST APT 4B, SPRINGFIELD IL 62704-1234
	// number=123 predir=N street=MAIN suffix=ST unit=APT 4B zip=62704
}

func ExampleParseFields() {
	// The unit may stand above the delivery line; care-of lines are set aside.
	a, _ := address.ParseFields("Apt 4B", "123 n. main st.", "springfield", "IL", "627041234")
	fmt.Println(a)
	b, _ := address.ParseFields("c/o Jane Doe", "P.O. Box 77", "Springfield", "IL", "62704")
	fmt.Println(b)
	// Output:
	// 123 N MAIN ST APT 4B, SPRINGFIELD IL 62704-1234
	// PO BOX 77, SPRINGFIELD IL 62704
}

func ExampleParseFields_error() {
	_, err := address.ParseFields("123 Main St", "", "Springfield", "IL", "6270X")
	var pe *address.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Field, errors.Is(err, address.ErrInvalidZIP))
	}
	fmt.Println(err) // never the address text
	// Output:
	// zip true
	// address: zip: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits
}

func ExampleCompare() {
	printed, _ := address.Parse("123 N MAIN ST # 4B, SPRINGFIELD IL 62704")
	for _, other := range []string{
		"123 North Main Street Apartment 4B, Springfield IL 62704-1234",
		"123 N Main St Apt 5B, Springfield IL 62704",
		"123 N Main St Apt 4B, Springfeild IL 62704",
	} {
		b, _ := address.Parse(other)
		m := address.Compare(printed, b)
		fmt.Printf("%s %.3f %v\n", m.Kind, m.Score, m.Differs)
	}
	// Output:
	// equivalent 1.000 []
	// different 0.889 [unit_number]
	// similar 0.998 [city]
}

// An address may name a building of a complex and a unit in it. The two
// units are a set: written in either order they are one delivery point, and
// the same unit number in another building is not.
func ExampleCompare_twoUnits() {
	onFile, _ := address.Parse("400 Cedar Ln Bldg 3 Apt 4, Springfield IL 62704")
	fmt.Println(onFile.Unit, onFile.UnitNum, "|", onFile.Unit2, onFile.Unit2Num)
	for _, printed := range []string{
		"400 Cedar Lane, Apartment 4, Building 3, Springfield IL 62704",
		"400 Cedar Ln Bldg 5 Apt 4, Springfield IL 62704",
		"400 Cedar Ln Apt 4, Springfield IL 62704",
	} {
		b, _ := address.Parse(printed)
		m := address.Compare(onFile, b)
		fmt.Println(b, "|", m.Kind, m.Differs)
	}
	// Output:
	// BLDG 3 | APT 4
	// 400 CEDAR LN APT 4 BLDG 3, SPRINGFIELD IL 62704 | equivalent []
	// 400 CEDAR LN BLDG 5 APT 4, SPRINGFIELD IL 62704 | different [unit_number]
	// 400 CEDAR LN APT 4, SPRINGFIELD IL 62704 | different [unit2 unit2_number]
}

func ExampleAddress_Key() {
	a, _ := address.Parse("100 Saint James Pl Unit 2, Brooklyn NY 11238")
	b, _ := address.Parse("100 St. James Place #2, Brooklyn, NY 11238-1234")
	fmt.Println(a.Key() == b.Key())
	fmt.Println(a == b) // == compares the standard forms, not the delivery point
	// Output:
	// true
	// false
}

func ExampleUnappliedDetail() {
	// What a report on a member says of the events the source of truth
	// could not apply: ids and fields, never the rows' text.
	fmt.Println(address.UnappliedDetail([]address.UnappliedEvent{
		{EventID: "E7", Field: "zip"},
		{EventID: "E9", Field: "line1"},
	}))
	// Output: a change event for the member could not be applied: event E7, field zip (and 1 more)
}

func ExampleBuildingsAgree() {
	// Two halls of a college at one street address: the same delivery
	// point, two buildings.
	smith, _ := address.Parse("Smith Hall, 123 College Ave Rm 5, Springfield IL 62704")
	jones, _ := address.Parse("Jones Hall, 123 College Ave Rm 5, Springfield IL 62704")
	fmt.Println(smith.Building, address.Compare(smith, jones).Kind)
	fmt.Println(address.BuildingsAgree(smith.Building, jones.Building))
	fmt.Println(address.BuildingsAgree("SUNSET TOWERS APARTMENTS", "THE SUNSET TOWERS"))
	fmt.Println(address.BuildingsAgree("SMITH HALL", "")) // a system that leaves it out
	// Output:
	// SMITH HALL equivalent
	// false
	// true
	// true
}

// A member who moved within one building: the old unit is stale from the
// day of the move, the new one recently changed for the recent window
// after it, and current from then on. A written form of the current
// address is the current address; an address the member never had is
// unknown.
func ExampleClassify() {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	h := address.History{MemberID: "M1", Versions: []address.Version{
		{EventID: "E1", Effective: day("2018-01-01"), Kind: address.Moved, Address: address.MustParse("55 Park Ave Apt 4B, New York NY 10016")},
		{EventID: "E2", Effective: day("2019-10-03"), Kind: address.Moved, Address: address.MustParse("55 Park Ave Apt 12C, New York NY 10016")},
	}}
	for _, c := range []struct{ printed, asOf string }{
		{"55 PARK AVENUE APARTMENT 4B, NEW YORK NY 10016", "2020-06-01"},
		{"55 Park Ave # 12C, New York NY 10016-1234", "2020-06-01"},
		{"55 Park Ave Apt 12C, New York NY 10016", "2019-10-20"},
		{"55 Park Ave Apt 12D, New York NY 10016", "2020-06-01"},
	} {
		f := address.Classify(address.MustParse(c.printed), h, day(c.asOf), address.DefaultRecent)
		fmt.Printf("%s: %s", c.asOf, f.Status)
		if !f.Since.IsZero() {
			fmt.Printf(" since %s", f.Since.Format(time.DateOnly))
		}
		if f.Status == address.UnknownAddress {
			fmt.Printf(", %s to the address in force (event %s), differs: %v", f.Match.Kind, h.Versions[f.Version].EventID, f.Match.Differs)
		}
		fmt.Println()
	}
	// Output:
	// 2020-06-01: stale since 2019-10-03
	// 2020-06-01: current
	// 2019-10-20: recently_changed since 2019-10-03
	// 2020-06-01: unknown_address, different to the address in force (event E2), differs: [unit_number]
}

// SameName tolerates what printing does to a name, and nothing that names
// another person.
func ExampleSameName() {
	for _, printed := range []string{
		"SMITH, JOHN A",
		"J. Smith",
		"Mr John Smith Jr",
		"Estate of John Smith",
		"Jane Smith",
		"John Smyth",
		"John Smith Sr",
		"John and Mary Smith",
	} {
		fmt.Printf("%-22s %v\n", printed, address.SameName(printed, "John Andrew Smith Jr"))
	}
	// Output:
	// SMITH, JOHN A          true
	// J. Smith               true
	// Mr John Smith Jr       true
	// Estate of John Smith   true
	// Jane Smith             false
	// John Smyth             false
	// John Smith Sr          false
	// John and Mary Smith    false
}
