package sync

// These tests are in package sync, not sync_test, to make the drift's
// sizes small (many runs, merge passes, block and batch boundaries) and to
// look at its temporary file. Everything else they do goes through the API.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

// driftAsOf is the time the tests' drifts are judged as of.
var driftAsOf = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

func driftDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// An addr is the fields of an address as a file holds them:
// line1, line2, city, state, zip.
type addr [5]string

var (
	addrA      = addr{"123 North Main Street", "Apartment 4B", "Springfield", "IL", "62704"}
	addrB      = addr{"500 Oak Ave", "", "Chicago", "IL", "60611"}
	addrC      = addr{"77 Elm St", "Unit 2", "Denver", "CO", "80202"}
	addrBad    = addr{"Main Street", "", "Springfield", "IL", "62704"} // no primary number
	addrBadZIP = addr{"500 Oak Ave", "", "Chicago", "IL", "6061X"}
)

// A histEvent is one version of a test member's history: an address from
// a day on, or (zero address) an undeliverable mark.
type histEvent struct {
	day string
	a   addr
}

func openDriftStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// load applies the histories of members to s.
func load(t testing.TB, s *Store, hists map[string][]histEvent) {
	t.Helper()
	var evs []Event
	for _, m := range slices.Sorted(mapKeys(hists)) {
		for i, h := range hists[m] {
			ev := Event{
				ID: fmt.Sprintf("E-%s-%d", m, i), MemberID: m, Name: "Secretname Person",
				Effective: driftDay(h.day), Recorded: driftDay(h.day).Add(24 * time.Hour),
				Line1: h.a[0], Line2: h.a[1], City: h.a[2], State: h.a[3], ZIP: h.a[4],
			}
			if h.a == (addr{}) {
				ev.Kind = address.Undeliverable
			}
			evs = append(evs, ev)
		}
	}
	rep, err := s.Apply(context.Background(), func(yield func(Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Errors.Err(); err != nil {
		t.Fatal(err)
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// exportCSV writes rows (member id and address) as an export, columns in
// an unusual order, and returns it with the line of each row.
func exportCSV(t testing.TB, rows []exportLine) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"zip", "state", "city", "line2", "line1", "name", "member_id"})
	for _, r := range rows {
		if r.raw != "" {
			w.Flush()
			b.WriteString(r.raw + "\n")
			continue
		}
		w.Write([]string{r.a[4], r.a[3], r.a[2], r.a[1], r.a[0], "Secretname Person", r.member})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// An exportLine is a row of a test export: a member and an address, or a
// raw line of CSV.
type exportLine struct {
	member string
	a      addr
	raw    string
}

// drift runs a drift of export against s and returns the results.
func drift(t testing.TB, s *Store, export string) ([]DriftResult, *DriftSummary) {
	t.Helper()
	var got []DriftResult
	sum, err := s.Drift(context.Background(), NewExportReader(strings.NewReader(export)).All(), driftAsOf, func(r DriftResult) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Drift: %v", err)
	}
	checkSummary(t, got, sum)
	return got, sum
}

// checkSummary checks the summary's accounting against the results.
func checkSummary(t testing.TB, got []DriftResult, sum *DriftSummary) {
	t.Helper()
	counts := map[DriftStatus]int{}
	rows, repeated := 0, 0
	for i, r := range got {
		if i > 0 && got[i-1].MemberID >= r.MemberID {
			t.Errorf("results out of order: %s before %s", got[i-1].MemberID, r.MemberID)
		}
		counts[r.Status]++
		rows += r.Rows
		repeated += max(r.Rows-1, 0)
	}
	for _, st := range DriftStatuses {
		if sum.Count(st) != counts[st] {
			t.Errorf("summary counts %d %s, results %d", sum.Count(st), st, counts[st])
		}
	}
	total := 0
	for _, st := range DriftStatuses {
		total += sum.Count(st)
	}
	if sum.Members != len(got) || total != sum.Members {
		t.Errorf("summary: %d members, %d counted, %d results", sum.Members, total, len(got))
	}
	if sum.Repeated != repeated || sum.Rows != rows+sum.NoMember || sum.Rows != sum.Members-sum.MissingInOther+sum.Repeated+sum.NoMember {
		t.Errorf("summary rows do not add up: %+v; results have %d rows, %d repeated", sum, rows, repeated)
	}
	if len(sum.Errors) != min(sum.Bad, MaxErrors) || sum.NoMember > sum.Bad {
		t.Errorf("summary: %d bad rows, %d without member, %d errors", sum.Bad, sum.NoMember, len(sum.Errors))
	}
	for i := 1; i < len(sum.Errors); i++ {
		if sum.Errors[i-1].Line >= sum.Errors[i].Line {
			t.Errorf("errors out of line order: %v before %v", sum.Errors[i-1], sum.Errors[i])
		}
	}
}

// A driftCase is a member, its history in the store, its rows in the
// export, and what Drift must find.
type driftCase struct {
	name   string
	hist   []histEvent
	rows   []addr
	judged int // the row judged, of several
	want   DriftResult
	detail string // the detail must hold this
	reason string
}

var (
	movedAB = []histEvent{{"2019-03-01", addrA}, {"2022-05-01", addrB}}
	onlyA   = []histEvent{{"2019-03-01", addrA}}
)

var driftCases = []driftCase{
	// in_sync
	{name: "current", hist: onlyA, rows: []addr{addrA},
		want:   DriftResult{Status: InSync, Classified: address.Current},
		detail: "current", reason: "the address in force, as the feed gave it"},
	{name: "variant", hist: onlyA, rows: []addr{{"123 N MAIN ST APT 4B", "", "SPRINGFIELD", "IL", "62704-1234"}},
		want:   DriftResult{Status: InSync, Classified: address.Current},
		detail: "current", reason: "Pub 28 standard form of the same address, with a ZIP+4"},
	{name: "variant-stale", hist: []histEvent{{"2018-01-01", addrC}, {"2019-03-01", addrA}}, rows: []addr{{"123 n. main st.", "# 4b", "springfield", "il", "62704"}},
		want:   DriftResult{Status: InSync, Classified: address.Current},
		detail: "current", reason: "lower case, periods, # for APT"},
	{name: "recent", hist: []histEvent{{"2019-03-01", addrA}, {"2025-06-20", addrB}}, rows: []addr{addrB},
		want:   DriftResult{Status: InSync, Classified: address.RecentlyChanged, Since: driftDay("2025-06-20")},
		detail: "recently_changed", reason: "moved ten days before: the new address is in force"},
	{name: "pending-current", hist: []histEvent{{"2019-03-01", addrA}, {"2025-07-10", addrB}}, rows: []addr{addrA},
		want:   DriftResult{Status: InSync, Classified: address.PendingChange, Since: driftDay("2025-07-10")},
		detail: "pending_change", reason: "the address in force, a move ten days ahead"},
	{name: "pending-next", hist: []histEvent{{"2019-03-01", addrA}, {"2025-07-10", addrB}}, rows: []addr{addrB},
		want:   DriftResult{Status: InSync, Classified: address.PendingChange, Since: driftDay("2025-07-10")},
		detail: "pending_change", reason: "the next address, already"},
	{name: "future-only", hist: []histEvent{{"2026-01-01", addrA}}, rows: []addr{addrA},
		want:   DriftResult{Status: InSync, Classified: address.PendingChange, Since: driftDay("2026-01-01")},
		detail: "pending_change", reason: "the member's first address, not yet in force"},
	{name: "undeliverable", hist: []histEvent{{"2019-03-01", addrA}, {"2025-01-10", addr{}}}, rows: []addr{addrA},
		want:   DriftResult{Status: InSync, Classified: address.UndeliverableAddress, Since: driftDay("2025-01-10")},
		detail: "undeliverable", reason: "the address in force, which mail came back from"},
	{name: "moved-back", hist: []histEvent{{"2018-01-01", addrA}, {"2020-01-01", addrB}, {"2023-01-01", addrA}}, rows: []addr{addrA},
		want:   DriftResult{Status: InSync, Classified: address.Current},
		detail: "current", reason: "a former address that is the one in force again"},

	// stale_in_other
	{name: "stale", hist: movedAB, rows: []addr{addrA},
		want:   DriftResult{Status: StaleInOther, Classified: address.Stale, Since: driftDay("2022-05-01")},
		detail: "former address", reason: "the address before the move, since the move"},
	{name: "stale-variant", hist: movedAB, rows: []addr{{"123 N Main St", "Apt 4B", "Springfield", "IL", "62704"}},
		want:   DriftResult{Status: StaleInOther, Classified: address.Stale, Since: driftDay("2022-05-01")},
		detail: "former address", reason: "a former address in another formatting is still former"},
	{name: "stale-moved-back", hist: []histEvent{{"2018-01-01", addrA}, {"2020-01-01", addrB}, {"2023-01-01", addrA}}, rows: []addr{addrB},
		want:   DriftResult{Status: StaleInOther, Classified: address.Stale, Since: driftDay("2023-01-01")},
		detail: "former address", reason: "stale since the member moved back"},
	{name: "stale-undeliverable", hist: []histEvent{{"2019-03-01", addrA}, {"2022-05-01", addrB}, {"2024-01-01", addr{}}}, rows: []addr{addrA},
		want:   DriftResult{Status: StaleInOther, Classified: address.Stale, Since: driftDay("2022-05-01")},
		detail: "former address", reason: "an undeliverable mark on the new address does not make the old one right"},

	// unknown_in_other
	{name: "unknown", hist: onlyA, rows: []addr{addrC},
		want:   DriftResult{Status: UnknownInOther, Classified: address.UnknownAddress},
		detail: "never the member's address; differs from the one in force in number", reason: "another address"},
	{name: "unknown-unit", hist: onlyA, rows: []addr{{"123 North Main Street", "Apartment 5B", "Springfield", "IL", "62704"}},
		want:   DriftResult{Status: UnknownInOther, Classified: address.UnknownAddress},
		detail: "differs from the one in force in unit_number", reason: "APT 4B and APT 5B are different units"},
	{name: "unknown-dir", hist: onlyA, rows: []addr{{"123 South Main Street", "Apartment 4B", "Springfield", "IL", "62704"}},
		want:   DriftResult{Status: UnknownInOther, Classified: address.UnknownAddress},
		detail: "in predir", reason: "N MAIN and S MAIN are different streets"},
	{name: "unknown-typo", hist: onlyA, rows: []addr{{"123 North Mian Street", "Apartment 4B", "Springfield", "IL", "62704"}},
		want:   DriftResult{Status: UnknownInOther, Classified: address.UnknownAddress},
		detail: "similar to the one in force, differs in street", reason: "similar is not the same address"},
	{name: "unknown-no-address", hist: []histEvent{{"2026-01-01", addrA}}, rows: []addr{addrC},
		want:   DriftResult{Status: UnknownInOther, Classified: address.UnknownAddress},
		detail: "no address in force", reason: "nothing in force to compare with"},

	// invalid_in_other
	{name: "invalid", hist: onlyA, rows: []addr{addrBad},
		want:   DriftResult{Status: InvalidInOther},
		detail: "address cannot be read: line1", reason: "no primary number"},
	{name: "invalid-zip", hist: onlyA, rows: []addr{addrBadZIP},
		want:   DriftResult{Status: InvalidInOther},
		detail: "zip", reason: "a ZIP code with a letter"},

	// missing_in_other, and not missing
	{name: "missing", hist: onlyA,
		want:   DriftResult{Status: MissingInOther},
		detail: "not in the export", reason: "in the store, not in the export"},
	{name: "missing-undeliverable", hist: []histEvent{{"2019-03-01", addrA}, {"2025-01-10", addr{}}},
		want:   DriftResult{Status: MissingInOther},
		detail: "not in the export", reason: "an undeliverable address is still in force"},
	{name: "not-yet", hist: []histEvent{{"2026-01-01", addrA}},
		reason: "a member whose first address is not in force yet is not missing"},

	// missing_in_store
	{name: "not-in-store", rows: []addr{addrA},
		want:   DriftResult{Status: MissingInStore},
		detail: "not in the store", reason: "the store never heard of the member"},
	{name: "not-in-store-invalid", rows: []addr{addrBad, addrB},
		want:   DriftResult{Status: MissingInStore},
		detail: "not in the store; 2 rows", reason: "what the rows hold does not matter"},

	// several rows: the worst, the first of equals
	{name: "rows-stale", hist: movedAB, rows: []addr{addrB, addrA, addrC}, judged: 1,
		want:   DriftResult{Status: StaleInOther, Classified: address.Stale, Since: driftDay("2022-05-01")},
		detail: "; 3 rows in the export, the one judged on line", reason: "stale anywhere is stale"},
	{name: "rows-unknown", hist: movedAB, rows: []addr{addrB, addrBad, addrC, addrC}, judged: 2,
		want:   DriftResult{Status: UnknownInOther, Classified: address.UnknownAddress},
		detail: "4 rows in the export", reason: "unknown is worse than invalid; the first unknown"},
	{name: "rows-invalid", hist: movedAB, rows: []addr{addrB, addrBad}, judged: 1,
		want:   DriftResult{Status: InvalidInOther},
		detail: "address cannot be read", reason: "a row that cannot be read is not in sync"},
	{name: "rows-sync", hist: movedAB, rows: []addr{addrB, {"500 OAK AVENUE", "", "CHICAGO", "IL", "60611"}},
		want:   DriftResult{Status: InSync, Classified: address.Current},
		detail: "current; 2 rows", reason: "two formattings of the address in force"},
}

// driftCaseWorld builds the store and the export of the cases: member
// "D<n>-<name>" for case n, its rows shuffled into the export by seed,
// and rows that name no member at the end.
func driftCaseWorld(t *testing.T, seed uint64) (*Store, string, map[string]int) {
	t.Helper()
	hists := map[string][]histEvent{}
	var rows []exportLine
	for i, c := range driftCases {
		m := fmt.Sprintf("D%02d-%s", i, c.name)
		if len(c.hist) > 0 {
			hists[m] = c.hist
		}
		for _, a := range c.rows {
			rows = append(rows, exportLine{member: m, a: a})
		}
	}
	// Shuffle, keeping each member's rows in their order.
	r := rand.New(rand.NewPCG(seed, seed))
	order := make([]exportLine, 0, len(rows))
	for len(rows) > 0 {
		k := r.IntN(len(rows))
		first := slices.IndexFunc(rows, func(x exportLine) bool { return x.member == rows[k].member })
		order = append(order, rows[first])
		rows = slices.Delete(rows, first, first+1)
	}
	lines := map[string]int{} // "member/row" -> line
	seen := map[string]int{}
	for i, l := range order {
		lines[fmt.Sprintf("%s/%d", l.member, seen[l.member])] = i + 2
		seen[l.member]++
	}
	order = append(order, badRows...)
	s := openDriftStore(t)
	load(t, s, hists)
	return s, exportCSV(t, order), lines
}

// badRows name no member. Their lines are after the cases'.
var badRows = []exportLine{
	{raw: `62704,IL,Springfield,,1 Main St,Secretname Person,`},                                                  // member_id missing
	{raw: `62704,IL,Springfield,,1 Main St,Secretname Person,Bad Member`},                                        // member_id malformed
	{raw: `62704,IL,Springfield,,1 Main St,Secretname, Person,M77`},                                              // a field too many
	{raw: `62704,IL,Spring"field,,1 Main St,Secretname Person,M78`},                                              // a bare quote in city
	{raw: `62704,IL,Springfield,,` + strings.Repeat("1 Main St ", MaxCSVRecord/10+1) + `,Secretname Person,M79`}, // over MaxCSVRecord
}

var badRowErrors = []struct {
	field string
	err   error
}{
	{"member_id", ErrMissing},
	{"member_id", ErrInvalidID},
	{"record", csv.ErrFieldCount},
	{"city", csv.ErrBareQuote},
	{"record", ErrLineTooLong},
}

func TestDriftStatuses(t *testing.T) {
	for _, small := range []bool{false, true} {
		for _, seed := range []uint64{1, 2} {
			t.Run(fmt.Sprintf("small=%v/seed=%d", small, seed), func(t *testing.T) {
				if small {
					// Runs of 3 rows merged 2 at a time, blocks of a row or
					// two, batches of 2 histories: every boundary is crossed.
					defer func(z sizes) { driftSizes = z }(driftSizes)
					driftSizes = sizes{runRows: 3, block: 64, mergeRuns: 2, histBatch: 2}
				}
				testDriftStatuses(t, seed)
			})
		}
	}
}

func testDriftStatuses(t *testing.T, seed uint64) {
	s, export, lines := driftCaseWorld(t, seed)
	got, sum := drift(t, s, export)
	byMember := map[string]DriftResult{}
	for _, r := range got {
		byMember[r.MemberID] = r
	}
	wantCounts := map[DriftStatus]int{}
	for i, c := range driftCases {
		m := fmt.Sprintf("D%02d-%s", i, c.name)
		r, ok := byMember[m]
		if c.want.Status == 0 {
			if ok {
				t.Errorf("%s: got %s (%s), want no result: %s", c.name, r.Status, r.Detail, c.reason)
			}
			continue
		}
		wantCounts[c.want.Status]++
		if !ok {
			t.Errorf("%s: no result, want %s: %s", c.name, c.want.Status, c.reason)
			continue
		}
		want := c.want
		want.MemberID, want.Rows, want.Detail = m, len(c.rows), r.Detail
		if len(c.rows) > 0 {
			want.Line = lines[fmt.Sprintf("%s/%d", m, c.judged)]
		}
		if d := cmp.Diff(want, r); d != "" {
			t.Errorf("%s (%s): mismatch (-want +got):\n%s", c.name, c.reason, d)
		}
		if !strings.Contains(r.Detail, c.detail) {
			t.Errorf("%s: detail %q lacks %q", c.name, r.Detail, c.detail)
		}
		noInputText(t, r.Detail)
	}
	for _, st := range DriftStatuses {
		if sum.Count(st) != wantCounts[st] {
			t.Errorf("%d %s, want %d", sum.Count(st), st, wantCounts[st])
		}
	}

	// The bad rows: those that name no member, and those whose address
	// cannot be parsed, in line order.
	if sum.NoMember != len(badRows) {
		t.Errorf("NoMember = %d, want %d", sum.NoMember, len(badRows))
	}
	var invalid int
	for _, c := range driftCases {
		for _, a := range c.rows {
			if a == addrBad || a == addrBadZIP {
				invalid++
			}
		}
	}
	if sum.Bad != len(badRows)+invalid {
		t.Errorf("Bad = %d, want %d", sum.Bad, len(badRows)+invalid)
	}
	firstBad := len(lines) + 2
	var tail []*RowError
	for _, re := range sum.Errors {
		noInputText(t, re.Error())
		if re.Line >= firstBad {
			tail = append(tail, re)
			continue
		}
		var pe *address.ParseError
		if !errors.As(re, &pe) || re.Field != "line1" && re.Field != "zip" {
			t.Errorf("error %v: want a parse error of line1 or zip", re)
		}
	}
	if len(tail) != len(badRows) {
		t.Fatalf("%d errors for the rows that name no member, want %d: %v", len(tail), len(badRows), tail)
	}
	for i, re := range tail {
		want := badRowErrors[i]
		if re.Line != firstBad+i || re.Field != want.field || !errors.Is(re, want.err) {
			t.Errorf("error %d: %v (line %d, field %q); want line %d, field %q, %v", i, re, re.Line, re.Field, firstBad+i, want.field, want.err)
		}
	}
	if r := byMember[fmt.Sprintf("D%02d-missing", slices.IndexFunc(driftCases, func(c driftCase) bool { return c.name == "missing" }))]; !strings.Contains(r.Detail, fmt.Sprintf("%d rows of the export have no readable member id", len(badRows))) {
		t.Errorf("missing_in_other detail %q does not mention the rows that name no member", r.Detail)
	}
}

// noInputText fails if msg holds text of the test exports: names and
// address words of six letters or more.
func noInputText(t testing.TB, msg string) {
	t.Helper()
	for _, w := range []string{"Secretname", "Person", "Springfield", "Chicago", "Denver", "Apartment", "Mian"} {
		if len(w) >= 4 && strings.Contains(strings.ToUpper(msg), strings.ToUpper(w)) {
			t.Errorf("%q holds input text %q", msg, w)
		}
	}
}

// TestDriftVariants checks that a formatting variant of the address in
// force is in sync, and that an address that is close but not the same
// delivery point is not (address/doc.go: "Equivalent is not similar").
func TestDriftVariants(t *testing.T) {
	store := []struct {
		member string
		a      addr
	}{
		{"V1", addr{"123 North Main Street", "Apartment 4B", "Springfield", "IL", "62704"}},
		{"V2", addr{"100 Saint James Place", "", "Brooklyn", "NY", "11238"}},
		{"V3", addr{"1 Fifth Avenue", "", "New York", "NY", "10003"}},
		{"V4", addr{"PO Box 123", "", "Springfield", "IL", "62704"}},
		{"V5", addr{"55 Park Ave", "Suite 200", "Boston", "MA", "02108"}},
		{"V6", addr{"842 E 1700 S", "", "Salt Lake City", "UT", "84105"}},
		{"V7", addr{"123 Calle Peñuelas", "2nd Floor", "Cataño", "PR", "00962"}},
		{"V8", addr{"12 Avenue C", "Apt 3", "New York", "NY", "10009"}},
	}
	tests := []struct {
		member string
		a      addr
		want   DriftStatus
		reason string
	}{
		{"V1", addr{"123 N MAIN ST APT 4B", "", "SPRINGFIELD", "IL", "62704"}, InSync, "Pub 28 abbreviations, unit on line1"},
		{"V1", addr{"Apt 4B", "123 N. Main St.", "springfield", "il", "62704-1234"}, InSync, "unit above the delivery line, ZIP+4"},
		{"V1", addr{"123 north main street #4B", "", "Springfield", "Illinois", "62704"}, InSync, "# for APT, state spelled out"},
		{"V1", addr{"123 N Main St", "Unit 4B", "Springfield", "IL", "62704"}, InSync, "APT, UNIT and # are one designator"},
		{"V1", addr{"123 N Main St", "Apt 5B", "Springfield", "IL", "62704"}, UnknownInOther, "another unit"},
		{"V1", addr{"132 N Main St", "Apt 4B", "Springfield", "IL", "62704"}, UnknownInOther, "123 and 132"},
		{"V1", addr{"123 S Main St", "Apt 4B", "Springfield", "IL", "62704"}, UnknownInOther, "N and S"},
		{"V1", addr{"123 N Main Ave", "Apt 4B", "Springfield", "IL", "62704"}, UnknownInOther, "ST and AVE"},
		{"V1", addr{"123 N Main St", "", "Springfield", "IL", "62704"}, UnknownInOther, "a unit on one side only"},
		{"V1", addr{"123 N Main St", "Apt 4B", "Springfield", "IL", "62701"}, UnknownInOther, "another ZIP code"},
		{"V2", addr{"100 St James Pl", "", "Brooklyn", "NY", "11238"}, InSync, "SAINT and ST"},
		{"V3", addr{"1 5th Ave", "", "New York", "NY", "10003"}, InSync, "FIFTH and 5TH"},
		{"V4", addr{"P.O. Box 123", "", "Springfield", "IL", "62704"}, InSync, "PO Box spelling"},
		{"V4", addr{"Post Office Box 123", "", "Springfield", "IL", "2704"}, UnknownInOther, "a 4-digit ZIP is padded: 02704 is another ZIP"},
		{"V4", addr{"PO Box 132", "", "Springfield", "IL", "62704"}, UnknownInOther, "another box"},
		{"V5", addr{"55 Park Avenue Ste 200", "", "Boston", "MA", "2108"}, InSync, "a ZIP whose leading zero was dropped"},
		{"V5", addr{"55 Park Ave", "Suite 200", "Boston", "MA", "02108-1234"}, InSync, "ZIP+4 takes no part"},
		{"V6", addr{"842 East 1700 South", "", "Salt Lake City", "Utah", "84105"}, InSync, "grid address, words spelled out"},
		{"V7", addr{"123 CALLE PENUELAS FL 2", "", "CATANO", "PR", "00962"}, InSync, "accents dropped, a floor written designator first"},
		{"V7", addr{"123 Calle Peñuelas", "3rd Floor", "Cataño", "PR", "00962"}, UnknownInOther, "another floor"},
		{"V8", addr{"12 Ave C # 3", "", "New York", "NY", "10009"}, InSync, "AVENUE first in a street name abbreviated"},
		{"V8", addr{"12 Ave D", "Apt 3", "New York", "NY", "10009"}, UnknownInOther, "another avenue"},
	}
	s := openDriftStore(t)
	hists := map[string][]histEvent{}
	for _, m := range store {
		hists[m.member] = []histEvent{{"2019-03-01", m.a}}
	}
	load(t, s, hists)
	for _, tt := range tests {
		export := exportCSV(t, []exportLine{{member: tt.member, a: tt.a}})
		got, _ := drift(t, s, export)
		var r DriftResult
		for _, x := range got {
			if x.MemberID == tt.member {
				r = x
			}
		}
		if r.Status != tt.want {
			t.Errorf("%s %q: %s (%s), want %s: %s", tt.member, tt.a, r.Status, r.Detail, tt.want, tt.reason)
		}
		if len(got) != len(store) {
			t.Errorf("%d results, want one per member of the store, %d", len(got), len(store))
		}
	}
}

func TestDriftEmptyExport(t *testing.T) {
	s := openDriftStore(t)
	load(t, s, map[string][]histEvent{"M1": onlyA, "M2": movedAB, "M3": {{"2027-01-01", addrA}}})
	for _, export := range []string{"", "member_id,line1,city,state,zip\n"} {
		got, sum := drift(t, s, export)
		if sum.Members != 2 || sum.MissingInOther != 2 || sum.Rows != 0 || len(got) != 2 {
			t.Errorf("export %q: %+v", export, sum)
		}
	}
}

func TestDriftEmptyStore(t *testing.T) {
	s := openDriftStore(t)
	export := exportCSV(t, []exportLine{{member: "M2", a: addrA}, {member: "M1", a: addrB}, {member: "M2", a: addrC}})
	got, sum := drift(t, s, export)
	want := []DriftResult{
		{MemberID: "M1", Status: MissingInStore, Detail: "not in the store", Line: 3, Rows: 1},
		{MemberID: "M2", Status: MissingInStore, Detail: "not in the store; 2 rows in the export, the one judged on line 2", Line: 2, Rows: 2},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mismatch (-want +got):\n%s", d)
	}
	if sum.Repeated != 1 {
		t.Errorf("Repeated = %d, want 1", sum.Repeated)
	}
}

func TestDriftAsOf(t *testing.T) {
	s := openDriftStore(t)
	s.Now = func() time.Time { return driftDay("2021-01-01") }
	load(t, s, map[string][]histEvent{"M1": movedAB})
	export := exportCSV(t, []exportLine{{member: "M1", a: addrA}})
	for _, tt := range []struct {
		asOf time.Time
		want DriftStatus
	}{
		{time.Time{}, InSync}, // the store's Now: before the move
		{driftDay("2022-04-30"), InSync},
		{driftDay("2022-05-01"), StaleInOther},
	} {
		var got []DriftResult
		sum, err := s.Drift(context.Background(), NewExportReader(strings.NewReader(export)).All(), tt.asOf, func(r DriftResult) error {
			got = append(got, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Status != tt.want {
			t.Errorf("as of %v: %+v, want %s", tt.asOf, got, tt.want)
		}
		if want := cmpOr(tt.asOf, driftDay("2021-01-01")); !sum.AsOf.Equal(want) {
			t.Errorf("summary as of %v, want %v", sum.AsOf, want)
		}
	}
}

func cmpOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

func TestDriftErrors(t *testing.T) {
	s := openDriftStore(t)
	load(t, s, map[string][]histEvent{"M1": onlyA, "M2": onlyA, "M3": onlyA})
	export := exportCSV(t, []exportLine{{member: "M1", a: addrA}, {member: "M2", a: addrA}})
	ctx := context.Background()

	// A header the reader cannot use is returned as it is; out is not
	// called.
	calls := 0
	count := func(DriftResult) error { calls++; return nil }
	_, err := s.Drift(ctx, NewExportReader(strings.NewReader("member_id,line_1,city,state,zip\nM1,1 Main St,X,IL,62704\n")).All(), driftAsOf, count)
	if !errors.Is(err, ErrHeader) || calls != 0 {
		t.Errorf("bad header: err %v, %d calls; want ErrHeader, no call", err, calls)
	}
	noInputText(t, err.Error())

	// An I/O error of the export, after some rows.
	ioErr := errors.New("disk on fire")
	_, err = s.Drift(ctx, NewExportReader(io.MultiReader(strings.NewReader(export), errReader{ioErr})).All(), driftAsOf, count)
	if !errors.Is(err, ioErr) || calls != 0 {
		t.Errorf("I/O error: err %v, %d calls; want %v, no call", err, calls, ioErr)
	}

	// An error from out stops the calls and is returned as it is.
	stop := errors.New("stop")
	calls = 0
	sum, err := s.Drift(ctx, NewExportReader(strings.NewReader(export)).All(), driftAsOf, func(DriftResult) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 || sum.Members != 1 {
		t.Errorf("out error: err %v, %d calls, %d members; want stop, 1, 1", err, calls, sum.Members)
	}

	// A canceled context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Drift(cctx, NewExportReader(strings.NewReader(export)).All(), driftAsOf, count)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err %v", err)
	}
	cctx, cancel = context.WithCancel(ctx)
	calls = 0
	_, err = s.Drift(cctx, NewExportReader(strings.NewReader(export)).All(), driftAsOf, func(DriftResult) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("canceled in out: err %v, %d calls", err, calls)
	}

	// A closed store.
	s.Close()
	_, err = s.Drift(ctx, NewExportReader(strings.NewReader(export)).All(), driftAsOf, count)
	if err == nil || !strings.HasPrefix(err.Error(), "pgsync: drift: ") {
		t.Errorf("closed store: err %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestDriftRowsOfUser checks Drift with rows that do not come from an
// ExportReader: no line numbers, bad member ids, RowErrors of the
// caller's own.
func TestDriftRowsOfUser(t *testing.T) {
	s := openDriftStore(t)
	load(t, s, map[string][]histEvent{"M1": onlyA})
	rows := func(yield func(ExportRow, error) bool) {
		_ = yield(ExportRow{MemberID: "M1", Line1: addrA[0], Line2: addrA[1], City: addrA[2], State: addrA[3], ZIP: addrA[4]}, nil) &&
			yield(ExportRow{MemberID: "not an id", Line1: "1 Main St"}, nil) &&
			yield(ExportRow{}, &RowError{Line: 9, Field: "zip", Err: ErrMissing})
	}
	var got []DriftResult
	sum, err := s.Drift(context.Background(), rows, driftAsOf, func(r DriftResult) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, got, sum)
	if len(got) != 1 || got[0].Status != InSync || sum.Bad != 2 || sum.NoMember != 2 {
		t.Errorf("got %+v, summary %+v", got, sum)
	}
	if len(sum.Errors) != 2 || !errors.Is(sum.Errors[0], ErrInvalidID) || sum.Errors[1].Line != 9 {
		t.Errorf("errors %v", sum.Errors)
	}
}

// TestSpillEncrypted checks that the drift's temporary file holds no
// plain text, and reads back what was written.
func TestSpillEncrypted(t *testing.T) {
	sp, err := newSpill(100)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	var w runWriter
	w.reset(sp)
	var want [][]byte
	for i := range 50 {
		rec := fmt.Appendf(nil, "\x02M%d\x00\x07\x01SECRET STREET %d", i, i)
		want = append(want, rec)
		if err := w.add(rec); err != nil {
			t.Fatal(err)
		}
	}
	r, err := w.finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(r) < 10 {
		t.Errorf("%d blocks of about 100 bytes for 50 records of 20", len(r))
	}
	raw := make([]byte, sp.end)
	if _, err := sp.f.ReadAt(raw, 0); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("SECRET")) {
		t.Error("the temporary file holds plain text")
	}
	c := &cursor{sp: sp, run: r}
	for i := 0; ; i++ {
		ok, err := c.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if i != len(want) {
				t.Errorf("read %d records, wrote %d", i, len(want))
			}
			break
		}
		if !bytes.Equal(c.rec, want[i]) {
			t.Fatalf("record %d: %q, want %q", i, c.rec, want[i])
		}
	}
	// A block changed on disk is an error, not wrong data.
	if _, err := sp.f.WriteAt([]byte{raw[0] ^ 1}, 0); err != nil {
		t.Fatal(err)
	}
	c = &cursor{sp: sp, run: r}
	if _, err := c.next(); err == nil {
		t.Error("a tampered block was read")
	}
}

// TestDriftHolds: a member for whom the store holds an event it could not
// apply is held_in_store where it would be in sync or unknown in the
// other system, since the store may lack the move the other system holds;
// a stale or missing row stands. The detail names the event, never its
// text; a cleared hold counts no more.
func TestDriftHolds(t *testing.T) {
	s := openDriftStore(t)
	load(t, s, map[string][]histEvent{
		"H1": onlyA, "H2": onlyA, "H3": movedAB, "H4": onlyA, "H5": onlyA, "H6": onlyA, "H7": onlyA,
	})
	// A later move of each of H1-H5 that the store cannot apply: a ZIP
	// code with a letter.
	feed := "event_id,member_id,effective,recorded,name,line1,line2,city,state,zip\n"
	for _, m := range []string{"H1", "H2", "H3", "H4", "H5"} {
		feed += "X-" + m + "," + m + ",2025-06-01,2025-06-02,Secretname Person,77 Elm St,Unit 2,Denver,CO,8020X\n"
	}
	feed += "Y-H2,H2,2025-06-03,2025-06-04,Secretname Person,77 Elm St,,Denver,ZZ,80202\n"
	// H7's bad move, and a later one the store applies: it supersedes it.
	feed += "X-H7,H7,2025-06-01,2025-06-02,Secretname Person,77 Elm St,Unit 2,Denver,CO,8020X\n"
	feed += "W-H7,H7,2025-06-05,2025-06-06,Secretname Person,77 Elm St,Unit 2,Denver,CO,80202\n"
	// Two moves of no member the store can tell: they hold every member.
	feed += "Z-1,,2025-06-03,2025-06-04,Secretname Person,77 Elm St,,Denver,CO,80202\n"
	feed += "Z-2,H 6,2025-06-03,2025-06-04,Secretname Person,77 Elm St,,Denver,CO,80202\n"
	rep, err := s.Apply(context.Background(), NewCSVReader(strings.NewReader(feed)).All(), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors.Err() == nil {
		t.Fatal("the feed's bad rows were applied")
	}
	if err := s.ClearHold(context.Background(), "H5", "X-H5", "ann", "the move was sent again"); err != nil {
		t.Fatal(err)
	}
	export := exportCSV(t, []exportLine{
		{member: "H1", a: addrA}, // the store's address in force
		{member: "H2", a: addrC}, // the move the store could not apply
		{member: "H3", a: addrA}, // a former address
		{member: "H5", a: addrA}, // its hold cleared
		{member: "H6", a: addrA}, // no hold
		{member: "H7", a: addrC}, // the move that supersedes its hold
	})
	got, sum := drift(t, s, export)
	want := map[string]struct {
		status     DriftStatus
		classified address.Status
		detail     string
	}{
		"H1": {HeldInStore, address.Current, "current; a change event for the member could not be applied: event X-H1, field zip"},
		"H2": {HeldInStore, address.UnknownAddress, "never the member's address; differs from the one in force in number predir street unit_number city state zip; a change event for the member could not be applied: event X-H2, field zip (and 1 more)"},
		"H3": {StaleInOther, address.Stale, "former address; differs from the one in force in number predir street suffix unit unit_number city zip; a change event for the member could not be applied: event X-H3, field zip"},
		"H4": {MissingInOther, 0, "not in the export; a change event for the member could not be applied: event X-H4, field zip"},
		"H5": {InSync, address.Current, "current"},
		"H6": {InSync, address.Current, "current"},
		"H7": {InSync, address.RecentlyChanged, "recently_changed"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(got), len(want), got)
	}
	for _, r := range got {
		w := want[r.MemberID]
		if r.Status != w.status || r.Classified != w.classified || r.Detail != w.detail {
			t.Errorf("%s: %s, %s, %q\nwant %s, %s, %q", r.MemberID, r.Status, r.Classified, r.Detail, w.status, w.classified, w.detail)
		}
		if strings.Contains(r.Detail, "Elm") || strings.Contains(r.Detail, "8020X") || strings.Contains(r.Detail, "Secretname") {
			t.Errorf("%s: the detail holds input text: %q", r.MemberID, r.Detail)
		}
	}
	if sum.HeldInStore != 2 || sum.UnattributedInStore != 2 {
		t.Errorf("summary: %d held_in_store, %d unattributed; want 2 and 2", sum.HeldInStore, sum.UnattributedInStore)
	}
}

// TestDriftStatusText: each status marshals as its name in outputs and
// parses back; the zero status and one out of range do not marshal, and
// no other word parses.
func TestDriftStatusText(t *testing.T) {
	want := []string{"in_sync", "stale_in_other", "unknown_in_other", "invalid_in_other", "missing_in_other", "missing_in_store", "held_in_store"}
	if len(DriftStatuses) != len(want) {
		t.Fatalf("%d statuses, want %d", len(DriftStatuses), len(want))
	}
	for i, s := range DriftStatuses {
		b, err := s.MarshalText()
		if err != nil || string(b) != want[i] || s.String() != want[i] {
			t.Errorf("%d: marshals as %q, %v, prints %q; want %q", s, b, err, s, want[i])
		}
		var back DriftStatus
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%q parses as %d, %v; want %d", b, back, err, s)
		}
	}
	for _, s := range []DriftStatus{0, HeldInStore + 1} {
		if b, err := s.MarshalText(); err == nil {
			t.Errorf("DriftStatus(%d) marshals as %q, want an error", s, b)
		}
	}
	for _, text := range []string{"", "In_Sync", "stale", strings.Repeat("x", 100)} {
		var s DriftStatus
		err := s.UnmarshalText([]byte(text))
		if err == nil {
			t.Errorf("%q parses as %v, want an error", text, s)
		} else if len(err.Error()) > 80 {
			t.Errorf("the error of a long word is %d bytes: %q", len(err.Error()), err)
		}
	}
}
