// Package benchdata is the synthetic membership that printgate's benchmarks
// share: Members members with realistic, deterministic names and addresses
// (a function of the member number), the change feed that loads them, and
// one cached store of them, built once with [pgsync.Store.Apply] and kept
// under [os.TempDir] between runs.
//
// Every member m has address version 0, effective [FirstEffective]; one in
// five ([Moved]) moved to version 1, effective [MovedEffective]. Each
// version was recorded a day after it took effect. The addresses are
// written as upstream feeds write them, in a mix of spellings (suffixes
// spelled out or abbreviated, directionals, secondary units on the first or
// the second line, PO Boxes, rural routes, ZIP+4, upper, lower and mixed
// case), so that parsing them costs what parsing a real feed costs. Every
// one parses; a member's two versions are never the same address.
//
// The data is synthetic: no name or address here is anyone's.
package benchdata

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	pgsync "github.com/printgate/printgate/sync"
)

// Members is the number of members of the shared store: a large plan's.
const Members = 12_500_000

// version names the fixture: bump it when anything here changes what a
// store holds, so that stores cached by an older version are not used.
const version = "v2"

// The times of the address versions: version 0 took effect at
// FirstEffective, version 1 at MovedEffective; each was recorded a day
// later.
var (
	FirstEffective = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	MovedEffective = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Dir returns the directory where benchmark fixtures are cached,
// os.TempDir()/printgate-bench, creating it if need be. Fixtures are never
// written into the repository.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(os.TempDir(), "printgate-bench")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// MemberID returns the id of member m, for m in [0, Members): "M" and
// eight digits, so that ids sort as the numbers do.
func MemberID(m int) string {
	var b [9]byte
	b[0] = 'M'
	for i, n := 8, m; i >= 1; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

// EventID returns the id of the event that made version v of member m's
// address.
func EventID(m, v int) string {
	return "E" + MemberID(m)[1:] + "-" + strconv.Itoa(v)
}

// Moved reports whether member m has a second address version: one member
// in five.
func Moved(m int) bool { return hash(uint64(m), 1)%5 == 0 }

// Name returns member m's mailing name, as the feed gives it.
func Name(m int) string {
	h := hash(uint64(m), 2)
	var b strings.Builder
	b.WriteString(pick(firstNames, &h))
	if h%10 < 3 {
		b.WriteByte(' ')
		b.WriteByte(byte('A' + (h/10)%26))
		if h/260%2 == 0 {
			b.WriteByte('.')
		}
	}
	h /= 520
	b.WriteByte(' ')
	b.WriteString(pick(lastNames, &h))
	if h%50 == 0 {
		b.WriteString(" Jr")
	}
	return b.String()
}

// Addr returns the fields of version v (0, or 1 after the move) of member
// m's address as the feed gives them.
func Addr(m, v int) (line1, line2, city, state, zip string) {
	h := hash(uint64(m)<<1|uint64(v&1), 3)
	var l1, l2 strings.Builder
	l1.Grow(40)
	unit := false
	switch k := h % 100; {
	case k < 7: // a PO Box
		h /= 100
		l1.WriteString(pick(poBoxes, &h))
		l1.WriteByte(' ')
		l1.WriteString(strconv.FormatUint(1+h%29999, 10))
		h /= 29999
	case k < 9: // a rural route
		h /= 100
		l1.WriteString(pick(routes, &h))
		l1.WriteByte(' ')
		l1.WriteString(strconv.FormatUint(1+h%12, 10))
		h /= 12
		l1.WriteString(" Box ")
		l1.WriteString(strconv.FormatUint(1+h%400, 10))
		h /= 400
	default:
		h /= 100
		l1.WriteString(strconv.FormatUint(1+h%9899, 10))
		h /= 9899
		if h%25 == 0 {
			l1.WriteByte('A' + byte(h/25%4)) // 12B
		}
		h /= 100
		if h%4 == 0 {
			l1.WriteByte(' ')
			l1.WriteString(dirs[h/4%uint64(len(dirs))])
		}
		h /= 4 * uint64(len(dirs))
		l1.WriteByte(' ')
		if h%8 == 0 {
			l1.WriteString(ordinal(1 + h/8%60)) // 42nd
			h /= 8 * 60
		} else {
			h /= 8
			l1.WriteString(pick(streets, &h))
		}
		l1.WriteByte(' ')
		l1.WriteString(pick(suffixes, &h))
		if h%20 == 0 {
			l1.WriteByte(' ')
			l1.WriteString(postDirs[h/20%uint64(len(postDirs))])
		}
		h /= 20 * uint64(len(postDirs))
		unit = h%10 < 3
		h /= 10
	}
	if unit {
		h := hash(uint64(m)<<1|uint64(v&1), 6)
		w := &l1
		if h%5 < 2 {
			w = &l2
		} else {
			w.WriteByte(' ')
		}
		h /= 5
		w.WriteString(pick(units, &h))
		w.WriteByte(' ')
		w.WriteString(strconv.FormatUint(1+h%450, 10))
		h /= 450
		if h%3 == 0 {
			w.WriteByte('A' + byte(h/3%6))
		}
		h /= 18
	}
	// The second version is in another city, so that it is never the
	// first one again.
	p := places[hash(uint64(m), 4)%uint64(len(places))]
	if v != 0 {
		p = places[(hash(uint64(m), 4)+1+hash(uint64(m), 5)%uint64(len(places)-1))%uint64(len(places))]
	}
	city, state, zip = p[0], p[1], p[2]
	h = hash(uint64(m)<<1|uint64(v&1), 7)
	if h%10 == 0 {
		zip += "-" + fmt.Sprintf("%04d", h/10%10000)
	}
	h /= 100000
	if h%20 == 0 {
		state = stateNames[state]
	}
	h /= 20
	line1, line2 = l1.String(), l2.String()
	switch h % 10 {
	case 0, 1, 2: // an upper-case file
		line1, line2, city, state = strings.ToUpper(line1), strings.ToUpper(line2), strings.ToUpper(city), strings.ToUpper(state)
	case 3:
		line1, line2, city = strings.ToLower(line1), strings.ToLower(line2), strings.ToLower(city)
	}
	return line1, line2, city, state, zip
}

// versionEvent returns the event that made version v of member m's address.
func versionEvent(m, v int) pgsync.Event {
	ev := pgsync.Event{ID: EventID(m, v), MemberID: MemberID(m), Effective: FirstEffective}
	if v != 0 {
		ev.Effective = MovedEffective
	} else {
		ev.Name = Name(m) // the move keeps the name: an empty one
	}
	ev.Recorded = ev.Effective.Add(24 * time.Hour)
	ev.Line1, ev.Line2, ev.City, ev.State, ev.ZIP = Addr(m, v)
	return ev
}

// Events returns the feed that loads members [0, n): for each member in
// order, its first address and, if it moved, its second.
func Events(n int) iter.Seq2[pgsync.Event, error] { return events(0, n) }

// events is the feed of members [lo, hi).
func events(lo, hi int) iter.Seq2[pgsync.Event, error] {
	return func(yield func(pgsync.Event, error) bool) {
		for m := lo; m < hi; m++ {
			if !yield(versionEvent(m, 0), nil) {
				return
			}
			if Moved(m) && !yield(versionEvent(m, 1), nil) {
				return
			}
		}
	}
}

// Shuffled returns the same feed as [Events] in an order unrelated to the
// members': member by member along a pseudo-random permutation, a moved
// member's second event at some later point. It is how a change log in the
// order things were recorded reads to a store keyed by member.
func Shuffled(n int) iter.Seq2[pgsync.Event, error] {
	return func(yield func(pgsync.Event, error) bool) {
		if n == 0 {
			return
		}
		step := uint64(n)*5/8 | 1
		for gcd(step, uint64(n)) != 1 {
			step += 2
		}
		var later []int // moved members whose second event is still to come
		for i, m := 0, uint64(0); i < n; i++ {
			m = (m + step) % uint64(n)
			if !yield(versionEvent(int(m), 0), nil) {
				return
			}
			if Moved(int(m)) {
				later = append(later, int(m))
			}
			if len(later) > 0 && (i%3 == 0 || i == n-1) {
				for _, lm := range later {
					if !yield(versionEvent(lm, 1), nil) {
						return
					}
				}
				later = later[:0]
			}
		}
	}
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// buildParts is the number of members applied at a time when a store is
// built: it bounds the memory the build takes.
const buildParts = 2_500_000

// Store returns the path of a store holding members [0, n), building it
// the first time (minutes for [Members]) into a temporary file renamed
// when complete, and reusing it afterwards. The file name holds n and the
// fixture's version. Open it with [pgsync.Open]; do not write to it.
func Store(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(Dir(tb), fmt.Sprintf("store-%d-%s.db", n, version))
	made, took := cached(tb, path, fmt.Sprintf("building %s: %d members", filepath.Base(path), n),
		func(tmp string) error { return build(tmp, n) })
	if !made {
		return path
	}
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	// The batch job's benchmarks write their ledger into the store: the
	// size as built is kept beside it, for the size per member.
	if err := os.WriteFile(path+builtSuffix, []byte(strconv.FormatInt(fi.Size(), 10)), 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built %s in %v: %d MB, %.0f MB per million members", filepath.Base(path),
		took.Round(time.Second), fi.Size()>>20, float64(fi.Size())/(1<<20)/(float64(n)/1e6))
	return path
}

// CompactStore returns the path of a copy of [Store]'s store compacted with
// [pgsync.Store.Compact], making it the first time (about a minute for
// [Members]: a copy of the file, then the compaction) and reusing it
// afterwards. It holds what the store held when it was copied, the
// ledgers that benchmarks wrote into it included.
func CompactStore(tb testing.TB, n int) string {
	tb.Helper()
	src := Store(tb, n)
	path := filepath.Join(Dir(tb), fmt.Sprintf("store-%d-%s-compact.db", n, version))
	if made, took := cached(tb, path, "compacting a copy of "+filepath.Base(src),
		func(tmp string) error { return compactCopy(src, tmp) }); made {
		tb.Logf("compacted %s in %v", filepath.Base(path), took.Round(time.Second))
	}
	return path
}

// cached makes the store at path with mk, into a temporary file renamed
// when complete, unless the file is there already; it reports whether it
// made it, and how long that took. what says what making it is, for the
// log and a failure. A temporary file is of this process's own: two
// benchmarks making one store at once waste time, never a store.
func cached(tb testing.TB, path, what string, mk func(tmp string) error) (made bool, took time.Duration) {
	tb.Helper()
	if _, err := os.Stat(path); err == nil {
		return false, 0
	}
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	remove := func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
	}
	remove()
	tb.Logf("%s (once; it is cached)", what)
	start := time.Now()
	if err := mk(tmp); err != nil {
		remove()
		tb.Fatalf("%s: %v", what, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		remove()
		tb.Fatal(err)
	}
	return true, time.Since(start)
}

// compactCopy copies the store at src, its write-ahead log checkpointed
// first, to dst, and compacts the copy.
func compactCopy(src, dst string) error {
	ctx := context.Background()
	s, err := pgsync.Open(ctx, src) // its Close checkpoints the log into the file
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	c, err := pgsync.Open(ctx, dst)
	if err != nil {
		return err
	}
	if err := c.Compact(ctx); err != nil {
		c.Close()
		return err
	}
	return c.Close()
}

// builtSuffix names the file beside a store that holds its size as built.
const builtSuffix = ".built-size"

// BuiltSize returns the size in bytes of the store at path as [Store]
// built it, before any benchmark wrote to it, and false if it was not
// recorded (a store built before the size was kept).
func BuiltSize(path string) (int64, bool) {
	b, err := os.ReadFile(path + builtSuffix)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

func build(path string, n int) error {
	ctx := context.Background()
	s, err := pgsync.Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	s.Now = func() time.Time { return MovedEffective.AddDate(3, 0, 0) }
	for lo := 0; lo < n; lo += buildParts {
		hi := min(lo+buildParts, n)
		rep, err := s.Apply(ctx, events(lo, hi), pgsync.ApplyOptions{ChunkSize: 250_000})
		if err != nil {
			return err
		}
		if rep.Bad != 0 || rep.Conflicts != 0 {
			return fmt.Errorf("members %d to %d: %d bad rows, %d conflicts: %v", lo, hi, rep.Bad, rep.Conflicts, rep.Errors.Err())
		}
	}
	return s.Close()
}

// hash is a SplitMix64 of x and a salt: the dice of this package.
func hash(x, salt uint64) uint64 {
	z := x*0x9e3779b97f4a7c15 + salt*0xbf58476d1ce4e5b9 + 0x632be59bd9b4e019
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// pick returns an element of xs chosen by *h, and consumes that much of h.
func pick(xs []string, h *uint64) string {
	n := uint64(len(xs))
	s := xs[*h%n]
	*h /= n
	return s
}

func ordinal(n uint64) string {
	s := strconv.FormatUint(n, 10)
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return s + "th"
	case n%10 == 1:
		return s + "st"
	case n%10 == 2:
		return s + "nd"
	case n%10 == 3:
		return s + "rd"
	}
	return s + "th"
}
