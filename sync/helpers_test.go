package sync_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver, for dumps

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// MustOpen opens a new store in a file under tb.TempDir, closed at the end
// of the test.
func MustOpen(tb testing.TB) *pgsync.Store {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "store.db"))
}

func mustOpenPath(tb testing.TB, path string) *pgsync.Store {
	tb.Helper()
	s, err := pgsync.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// seq turns events into a feed.
func seq(evs []pgsync.Event) iter.Seq2[pgsync.Event, error] {
	return func(yield func(pgsync.Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}
}

func mustApply(tb testing.TB, s *pgsync.Store, evs []pgsync.Event, opt pgsync.ApplyOptions) *pgsync.ApplyReport {
	tb.Helper()
	rep, err := s.Apply(context.Background(), seq(evs), opt)
	if err != nil {
		tb.Fatalf("Apply: %v", err)
	}
	return rep
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Synthetic but realistic addresses, a function of an integer.
var (
	streets  = []string{"Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine", "Walnut", "Sunset", "Lincoln", "Jackson", "Highland", "Martin Luther King Jr", "Peachtree", "Lake Shore"}
	suffixes = []string{"Street", "St", "Ave", "Avenue", "Rd", "Dr", "Ln", "Ct", "Blvd", "Pl", "Way", "Pkwy"}
	dirs     = []string{"", "", "", "N", "South", "E", "W."}
	units    = []string{"Apt", "Apartment", "Unit", "#", "Ste"}
	places   = [][3]string{{"Springfield", "IL", "62704"}, {"Chicago", "IL", "60611"}, {"Atlanta", "GA", "30303"}, {"Denver", "CO", "80202"},
		{"Portland", "OR", "97201"}, {"Austin", "TX", "78701"}, {"Boston", "MA", "02108"}, {"Columbus", "OH", "43215"},
		{"Salt Lake City", "UT", "84105"}, {"Saint Louis", "MO", "63101"}, {"New York", "NY", "10001"}, {"San Juan", "PR", "00901"}}
	firsts = []string{"Mary", "James", "Ana", "Wei", "Fatima", "John", "Olga", "Luis", "Grace", "Omar"}
	lasts  = []string{"Smith", "Garcia", "Nguyen", "Okafor", "Kowalski", "O'Brien", "Johnson", "Haddad", "Lee", "Martinez"}
)

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// addressFields returns the fields of address number k.
func addressFields(k uint64) (line1, line2, city, state, zip string) {
	h := mix(k)
	line1 = fmt.Sprint(1 + h%9899)
	h /= 9899
	if d := dirs[h%uint64(len(dirs))]; d != "" {
		line1 += " " + d
	}
	h /= uint64(len(dirs))
	line1 += " " + streets[h%uint64(len(streets))]
	h /= uint64(len(streets))
	line1 += " " + suffixes[h%uint64(len(suffixes))]
	h /= uint64(len(suffixes))
	if h%4 == 0 {
		line2 = fmt.Sprintf("%s %d", units[h/4%uint64(len(units))], 1+h/64%400)
	}
	h /= 25600
	p := places[h%uint64(len(places))]
	return line1, line2, p[0], p[1], p[2]
}

func nameFor(k uint64) string {
	h := mix(k ^ 0xabcdef)
	return firsts[h%uint64(len(firsts))] + " " + lasts[h/16%uint64(len(lasts))]
}

// move is an address event: member moves to address k on the day eff.
func move(id, member, eff string, k uint64) pgsync.Event {
	ev := pgsync.Event{ID: id, MemberID: member, Effective: day(eff), Recorded: day(eff).Add(36 * time.Hour), Name: nameFor(k)}
	ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP = addressFields(k)
	return ev
}

// writeCSV writes events as a CSV feed in the standard column order.
func writeCSV(w io.Writer, evs []pgsync.Event) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"event_id", "member_id", "effective", "recorded", "name", "line1", "line2", "city", "state", "zip", "kind"})
	for _, ev := range evs {
		kind := ""
		if ev.Kind == address.Undeliverable {
			kind = "undeliverable"
		}
		cw.Write([]string{ev.ID, ev.MemberID, ev.Effective.Format(time.RFC3339Nano), ev.Recorded.Format(time.RFC3339Nano),
			ev.Name, ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP, kind})
	}
	cw.Flush()
	return cw.Error()
}

// dump returns the whole content of the store at path, table by table, row
// by row, read with the plain driver: what two stores must agree on to be
// the same. A row whose foreign key points nowhere fails the test.
func dump(tb testing.TB, path string) []string {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_query_only=1")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var fkRows int
	if err := db.QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&fkRows); err != nil {
		tb.Fatal(err)
	}
	if fkRows != 0 {
		tb.Errorf("%s: %d rows whose foreign key points nowhere", filepath.Base(path), fkRows)
	}
	var out []string
	for _, q := range []string{
		"SELECT 'v', member_id, effective, recorded, event_id, kind, name, hex(addr), key FROM versions ORDER BY 2, 3, 4, 5",
		"SELECT 'e', event_id, hex(digest) FROM events ORDER BY 2",
		"SELECT 'm', name, value FROM meta WHERE name IN ('members', 'newest') ORDER BY 2",
		// Holds, but for when they were received or cleared.
		"SELECT 'h', member_id, event_id, line, field, reason, cleared IS NULL, cleared_by, cleared_why FROM holds ORDER BY 2, 3",
	} {
		rows, err := db.Query(q)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// histories reads every member's history through the public API.
func histories(tb testing.TB, s *pgsync.Store) []address.History {
	tb.Helper()
	ctx := context.Background()
	var ids []string
	for id, err := range s.Members(ctx) {
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	return historiesOf(tb, s, ids)
}

// historiesOf reads the histories of ids from src.
func historiesOf(tb testing.TB, src address.HistorySource, ids []string) []address.History {
	tb.Helper()
	var hs []address.History
	for h, err := range src.Histories(context.Background(), ids) {
		if err != nil {
			tb.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

// diffHistories compares histories, but for when their holds were
// received: that is the time of the apply that placed them.
func diffHistories(tb testing.TB, want, got []address.History) {
	tb.Helper()
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(address.UnappliedEvent{}, "Received")); d != "" {
		tb.Errorf("histories mismatch (-want +got):\n%s", d)
	}
}

// noPHI fails the test if msg holds any of the texts.
func noPHI(tb testing.TB, msg string, texts ...string) {
	tb.Helper()
	for _, t := range texts {
		if len(t) >= 3 && strings.Contains(strings.ToUpper(msg), strings.ToUpper(t)) {
			tb.Errorf("error %q holds input text %q", msg, t)
		}
	}
}

func shuffled[T any](xs []T, seed uint64) []T {
	out := slices.Clone(xs)
	for i := len(out) - 1; i > 0; i-- {
		j := int(mix(seed+uint64(i)) % uint64(i+1))
		out[i], out[j] = out[j], out[i]
	}
	return out
}
