package sync_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// The drift benchmark's world: benchMembers members, each at address A
// since 2018; one in five (and every member the export holds stale) moved
// to address B in 2022. The export, in a random order, holds for each
// member:
//   - 1% (m%1000 < 10): address A of a member who moved: stale;
//   - 0.5% (m%1000 < 15): an address the member never had: unknown;
//   - 0.1% (m%1000 == 999): an address with no primary number: unparsable;
//   - members m%100000 == 500 are left out (missing in the other system), and
//     ten members the store does not have are added;
//   - everyone else: the address in force, a third of them written in
//     standard form rather than as the feed gave them (a formatting
//     variant).
const (
	benchMembers = 1_000_000
	benchVersion = "v2" // bump when the world changes: the cache is keyed by it
)

var benchAsOf = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

func benchMember(m int) string { return "M" + strconv.Itoa(10_000_000+m) }

func benchMoved(m int) bool { return m%5 == 0 || m%1000 < 10 }

var (
	benchStreets  = []string{"Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine", "Walnut", "Sunset", "Lincoln", "Jackson", "Highland", "Peachtree", "Lake Shore", "Martin Luther King Jr"}
	benchSuffixes = []string{"Street", "St", "Avenue", "Ave", "Road", "Dr", "Lane", "Ct", "Boulevard", "Pl", "Way", "Parkway"}
	benchDirs     = []string{"", "", "", "North", "S", "East", "W"}
	benchUnits    = []string{"Apt", "Apartment", "Unit", "#", "Suite"}
	benchPlaces   = [][3]string{{"Springfield", "IL", "62704"}, {"Chicago", "IL", "60611"}, {"Atlanta", "GA", "30303"}, {"Denver", "CO", "80202"},
		{"Portland", "OR", "97201"}, {"Austin", "TX", "78701"}, {"Boston", "MA", "02108"}, {"Columbus", "OH", "43215"},
		{"Salt Lake City", "UT", "84105"}, {"St Louis", "MO", "63101"}, {"New York", "NY", "10001"}, {"San Juan", "PR", "00901"}}
)

func benchMix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// benchAddress returns the fields of address number k.
func benchAddress(k uint64) (line1, line2, city, state, zip string) {
	h := benchMix(k)
	line1 = strconv.FormatUint(1+h%9899, 10)
	h /= 9899
	if d := benchDirs[h%uint64(len(benchDirs))]; d != "" {
		line1 += " " + d
	}
	h /= uint64(len(benchDirs))
	line1 += " " + benchStreets[h%uint64(len(benchStreets))]
	h /= uint64(len(benchStreets))
	line1 += " " + benchSuffixes[h%uint64(len(benchSuffixes))]
	h /= uint64(len(benchSuffixes))
	if h%3 == 0 {
		line2 = benchUnits[h/3%uint64(len(benchUnits))] + " " + strconv.FormatUint(1+h/64%400, 10)
	}
	h /= 25600
	p := benchPlaces[h%uint64(len(benchPlaces))]
	return line1, line2, p[0], p[1], p[2]
}

// benchEvents yields the store's events.
func benchEvents() iter.Seq2[pgsync.Event, error] {
	return func(yield func(pgsync.Event, error) bool) {
		a, b := time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC)
		for m := range benchMembers {
			id := benchMember(m)
			ev := pgsync.Event{ID: "E" + id + "-A", MemberID: id, Effective: a.Add(time.Duration(m%1000) * time.Hour),
				Recorded: a.Add(time.Duration(m%1000+30) * time.Hour), Name: "Member " + strconv.Itoa(m)}
			ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP = benchAddress(uint64(2 * m))
			if !yield(ev, nil) {
				return
			}
			if benchMoved(m) {
				ev.ID, ev.Name = "E"+id+"-B", ""
				ev.Effective, ev.Recorded = b.Add(time.Duration(m%1000)*time.Hour), b.Add(time.Duration(m%1000+30)*time.Hour)
				ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP = benchAddress(uint64(2*m + 1))
				if !yield(ev, nil) {
					return
				}
			}
		}
	}
}

// benchExportRow returns the export's row for member m, and false if the
// export leaves the member out.
func benchExportRow(m int) ([]string, bool) {
	if m%100_000 == 500 {
		return nil, false
	}
	k := uint64(2 * m)
	if benchMoved(m) {
		k++
	}
	switch r := m % 1000; {
	case r < 10:
		k = uint64(2 * m) // address A, which the member left
	case r < 15:
		k = uint64(5_000_000 + m) // never the member's
	}
	l1, l2, city, st, zip := benchAddress(k)
	switch {
	case m%1000 == 999:
		l1 = "Main Street" // no primary number
	case benchMix(uint64(m))%3 == 0:
		a, err := address.ParseFields(l1, l2, city, st, zip)
		if err == nil {
			l1, l2, city, st, zip = a.DeliveryLine(), "", a.City, a.State, a.ZIP
		}
	}
	return []string{benchMember(m), "Member " + strconv.Itoa(m), l1, l2, city, st, zip}, true
}

// benchFixture returns the paths of the benchmark's store and export,
// building them once and caching them under os.TempDir.
func benchFixture(b *testing.B) (db, export string) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "printgate-bench")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	db = filepath.Join(dir, "drift-1m-"+benchVersion+".db")
	export = filepath.Join(dir, "drift-1m-"+benchVersion+"-export.csv")
	if _, err := os.Stat(db); err != nil {
		start := time.Now()
		tmp := db + ".building"
		os.Remove(tmp)
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
		s, err := pgsync.Open(context.Background(), tmp)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := s.Apply(context.Background(), benchEvents(), pgsync.ApplyOptions{ChunkSize: 250_000})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, db); err != nil {
			b.Fatal(err)
		}
		fi, _ := os.Stat(db)
		b.Logf("built %s: %d events in %v, %d MB", db, rep.Applied, time.Since(start).Round(time.Millisecond), fi.Size()>>20)
	}
	if _, err := os.Stat(export); err != nil {
		tmp := export + ".building"
		f, err := os.Create(tmp)
		if err != nil {
			b.Fatal(err)
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		w := csv.NewWriter(bw)
		w.Write([]string{"member_id", "name", "line1", "line2", "city", "state", "zip"})
		// A random order: a full-cycle linear congruential walk.
		const n = benchMembers
		for i, m := 0, 0; i < n; i++ {
			m = (m + 7_368_787) % n
			if rec, ok := benchExportRow(m); ok {
				w.Write(rec)
			}
		}
		for i := range 10 {
			w.Write([]string{"X" + strconv.Itoa(i), "Nobody " + strconv.Itoa(i), "1 Main St", "", "Springfield", "IL", "62704"})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			b.Fatal(err)
		}
		if err := bw.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, export); err != nil {
			b.Fatal(err)
		}
	}
	return db, export
}

// BenchmarkDrift checks a 1,000,000-row export against a store of
// 1,000,000 members.
//
//	go test ./sync -run '^$' -bench BenchmarkDrift -benchtime 3x
func BenchmarkDrift(b *testing.B) {
	dbPath, exportPath := benchFixture(b)
	ctx := context.Background()
	s, err := pgsync.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var sum *pgsync.DriftSummary
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(exportPath)
		if err != nil {
			b.Fatal(err)
		}
		notInSync := 0
		sum, err = s.Drift(ctx, pgsync.NewExportReader(bufio.NewReaderSize(f, 1<<20)).All(), benchAsOf, func(r pgsync.DriftResult) error {
			if r.Status != pgsync.InSync {
				notInSync++
			}
			return nil
		})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if notInSync != sum.Members-sum.InSync {
			b.Fatalf("%d results not in sync, summary says %d", notInSync, sum.Members-sum.InSync)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(sum.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.Logf("%+v", struct {
		Members, InSync, Stale, Unknown, Invalid, MissingInOther, MissingInStore, Rows, Bad int
	}{sum.Members, sum.InSync, sum.StaleInOther, sum.UnknownInOther, sum.InvalidInOther, sum.MissingInOther, sum.MissingInStore, sum.Rows, sum.Bad})
	got := fmt.Sprintf("%d %d %d %d %d %d", sum.StaleInOther, sum.UnknownInOther, sum.InvalidInOther, sum.MissingInOther, sum.MissingInStore, sum.Bad)
	if want := fmt.Sprintf("%d %d %d %d %d %d", benchMembers/100, benchMembers/200, benchMembers/1000, benchMembers/100_000, 10, benchMembers/1000); got != want {
		b.Errorf("stale, unknown, invalid, missing in other, missing in store, bad = %s; want %s", got, want)
	}
}
