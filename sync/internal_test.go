package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
)

// FuzzAppendJSONString: the ledger's JSON encoding of a string is valid
// JSON, and UTF-8, that decodes to the string (invalid UTF-8 as U+FFFD, as
// encoding/json does).
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "P1", `a"b\c`, "tab\there", "\x00\x1f\x7f", "é✓😀", "\xff\xfe", "\x80", "line 12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		if !utf8.Valid(b) {
			t.Fatalf("%q encodes as %q, not UTF-8", s, b)
		}
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encodes as %s, not JSON: %v", s, b, err)
		}
		// What encoding/json makes of s: invalid bytes become U+FFFD.
		m, _ := json.Marshal(s)
		var want string
		json.Unmarshal(m, &want)
		if got != want {
			t.Fatalf("%q round-trips as %q, want %q", s, got, want)
		}
	})
}

// TestMigrateVerdictsToChunks: a store of schema version 2, with verdict
// rows of a finished batch and of a halted one, reads the same entries
// after Open has migrated it to chunked verdicts.
func TestMigrateVerdictsToChunks(t *testing.T) {
	ctx := context.Background()
	s := openAtSchema(t, 2, `
		INSERT INTO batches (id, batch_id, asof, started, finished, pieces, released, quarantined, blocked) VALUES (1, 'b1', 0, 0, 1, 3, 1, 1, 1);
		INSERT INTO batches (id, batch_id, asof, started, finished, pieces, quarantined, halted, halt_reason) VALUES (2, 'b2', 0, 0, 1, 1, 1, 1, 'why');
		INSERT INTO verdicts VALUES (1, 0, 'P1', 2, 'M1', 1, 1, 1, '', 'E1'), (1, 1, 'P2', 3, 'M2', 1, 4, 3, 'stale since 2020-01-01', 'E2'),
			(1, 2, 'line 4', 4, '', 0, 11, 2, 'no piece id', ''), (2, 0, 'P9', 2, 'M9', 1, 1, 2, 'batch halted: why', 'E9');
		INSERT INTO reviews VALUES (1, 2, 1, 'ann', 'checked', 5);`)
	defer s.Close()
	entries := func(batch string) []Entry {
		var es []Entry
		for e, err := range s.Entries(ctx, batch) {
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
		return es
	}
	want := []Entry{
		{Seq: 0, Piece: "P1", Line: 2, MemberID: "M1", PHI: true, Status: address.Current, Decision: address.Release, VersionID: "E1"},
		{Seq: 1, Piece: "P2", Line: 3, MemberID: "M2", PHI: true, Status: address.Stale, Decision: address.Block, Detail: "stale since 2020-01-01", VersionID: "E2"},
		{Seq: 2, Piece: "line 4", Line: 4, Status: address.Invalid, Decision: address.Quarantine, Detail: "no piece id",
			Review: &Review{Decision: address.Release, Reviewer: "ann", Reason: "checked", At: time.Unix(0, 5).UTC()}},
	}
	if d := cmp.Diff(want, entries("b1")); d != "" {
		t.Errorf("b1 entries after migration (-want +got):\n%s", d)
	}
	want = []Entry{{Seq: 0, Piece: "P9", Line: 2, MemberID: "M9", PHI: true, Status: address.Current, Decision: address.Quarantine,
		Detail: "batch halted: why", VersionID: "E9"}}
	if d := cmp.Diff(want, entries("b2")); d != "" {
		t.Errorf("b2 entries after migration (-want +got):\n%s", d)
	}
	b, err := s.Batch(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if b.ByStatus[address.Current] != 1 || b.ByStatus[address.Stale] != 1 || b.ByStatus[address.Invalid] != 1 || b.Reviewed[address.Release] != 1 {
		t.Errorf("b1 counts after migration: %+v", b)
	}
}

// TestDecoderSlabs: the decoder groups rows into histories whose versions
// are contiguous and their own, also when a member's versions outgrow a
// slab, and an empty name takes the version before's.
func TestDecoderSlabs(t *testing.T) {
	bin, _ := address.Address{Number: "1", Street: "MAIN", Suffix: "ST", City: "A", State: "IL", ZIP: "62704"}.MarshalBinary()
	row := func(member string, v int, name string) (effective, recorded, kind int64, text string) {
		return int64(v), int64(v + 1), 1, strings.Join([]string{member, fmt.Sprintf("E%s-%d", member, v), name, "key"}, "\x1f") + "\x1f" + string(bin)
	}
	want := map[string]int{"M1": 3, "M2": slabVersions + 50, "M3": 1, "M4": 2*slabVersions + 7}
	var d decoder
	got := map[string]address.History{}
	keep := func(h address.History, ok bool) {
		if ok {
			got[h.MemberID] = h
		}
	}
	for _, m := range []string{"M1", "M2", "M3", "M4"} {
		for v := range want[m] {
			name := ""
			if v == 0 {
				name = "name of " + m
			}
			h, ok, err := d.add(row(m, v, name))
			if err != nil {
				t.Fatal(err)
			}
			keep(h, ok)
		}
	}
	keep(d.flush())
	for m, n := range want {
		h := got[m]
		if len(h.Versions) != n {
			t.Errorf("%s: %d versions, want %d", m, len(h.Versions), n)
			continue
		}
		for i, v := range h.Versions {
			if v.EventID != fmt.Sprintf("E%s-%d", m, i) || v.Name != "name of "+m || v.Effective.UnixNano() != int64(i) {
				t.Errorf("%s version %d: %+v", m, i, v)
				break
			}
		}
		if cap(h.Versions) != len(h.Versions) {
			t.Errorf("%s: cap %d > len %d: an append would write into another history", m, cap(h.Versions), len(h.Versions))
		}
	}
}

func TestParseCommonTime(t *testing.T) {
	tests := []struct {
		in     string
		common bool // read by parseCommonTime, not left to time.Parse
	}{
		{"2024-01-01", true},
		{"2024-02-29", true},
		{"2023-02-29", false}, // not a date
		{"1900-02-29", false},
		{"2000-02-29", true},
		{"2024-12-31T23:59:59Z", true},
		{"1970-01-01T00:00:00Z", true},
		{"1969-12-31T23:59:59Z", true},
		{"1700-03-01T00:00:00Z", true},
		{"2199-12-31T23:59:59Z", true},
		{"1699-12-31", false}, // out of the fast path's range: time.Parse's
		{"2262-01-01", false}, // and out of Unix nanoseconds
		{"2024-01-01T24:00:00Z", false},
		{"2024-01-01T12:60:00Z", false},
		{"2024-01-01T12:00:60Z", false},
		{"2024-01-01t12:00:00Z", false},
		{"2024-01-01T12:00:00z", false},
		{"2024-01-01T12:00:00+00:00", false},
		{"2024-01-01T12:00:00.5Z", false},
		{"2024-13-01", false},
		{"2024-00-10", false},
		{"2024-04-31", false},
		{"+024-01-01", false},
		{"2024-1-01x", false},
		{"", false},
	}
	for _, tt := range tests {
		got, ok := parseCommonTime(tt.in)
		if ok != tt.common {
			t.Errorf("parseCommonTime(%q) ok = %v, want %v", tt.in, ok, tt.common)
		}
		want, wantOK := parseAnyTime(tt.in)
		if ok && (!wantOK || got != want) {
			t.Errorf("parseCommonTime(%q) = %v, time.Parse's = %v, %v", tt.in, got, want, wantOK)
		}
		if all, allOK := parseTime(tt.in); allOK != wantOK || all != want {
			t.Errorf("parseTime(%q) = %v, %v; time.Parse's %v, %v", tt.in, all, allOK, want, wantOK)
		}
	}
}

// FuzzParseTime checks that parseTime, with its fast path, reads every
// input as time.Parse does.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-01-01", "2024-02-29T23:59:59Z", "1969-12-31T23:59:59Z", "2024-01-01T12:00:00+01:00", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseTime(s)
		want, wantOK := parseAnyTime(s)
		if ok != wantOK || got != want {
			t.Fatalf("parseTime(%q) = %v, %v; time.Parse's %v, %v", s, got, ok, want, wantOK)
		}
	})
}

// TestMigrateRekeys: an older store keeps a version's key as printgate
// made it then (with its street's accents before schema 6, with AVENUE
// spelled out before schema 7), and its address in the short form that
// is rebuilt from the key. Open makes the key anew and stores the address
// whole, as written; a piece printed the other way is then found stale
// against it. Keys the change does not touch are left as they were.
func TestMigrateRekeys(t *testing.T) {
	for _, c := range []struct {
		name    string
		schema  int    // the schema the old store had
		line    string // E1's address
		old     *strings.Replacer
		printed string // a piece to E1's address, written the other way
	}{{
		name:    "accents",
		schema:  5,
		line:    "123 Calle Peñuelas,,Cataño,PR,00962",
		old:     strings.NewReplacer("PENUELAS", "PEÑUELAS", "CATANO", "CATAÑO"),
		printed: "123 CALLE PENUELAS, CATANO PR 00962",
	}, {
		name:    "avenue",
		schema:  6,
		line:    "12 Avenue C,Apt 3,New York,NY,10009",
		old:     strings.NewReplacer("|AVE C|", "|AVENUE C|"),
		printed: "12 AVE C APT 3, NEW YORK NY 10009",
	}, {
		name:    "boulevard",
		schema:  6,
		line:    "600 Boulevard of the Allies,,Pittsburgh,PA,15219",
		old:     strings.NewReplacer("|BLVD OF", "|BOULEVARD OF"),
		printed: "600 BLVD OF THE ALLIES, PITTSBURGH PA 15219",
	}, {
		name:    "both",
		schema:  5,
		line:    "1250 Avenida Ponce de León,,San Juan,PR,00907",
		old:     strings.NewReplacer("|AVE PONCE DE LEON|", "|AVENIDA PONCE DE LEÓN|"),
		printed: "1250 AVE PONCE DE LEON, SAN JUAN PR 00907",
	}} {
		t.Run(c.name, func(t *testing.T) {
			testMigrateRekeys(t, c.schema, c.line, c.old, c.printed)
		})
	}
}

func testMigrateRekeys(t *testing.T, schema int, line string, old *strings.Replacer, printed string) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	feed := `event_id,member_id,effective,recorded,name,line1,line2,city,state,zip
E1,M1,2018-01-01,2018-01-02,Ana Peña,` + line + `
E2,M1,2020-01-01,2020-01-02,,9 Calle Sol,,San Juan,PR,00901
E3,M2,2018-01-01,2018-01-02,Bob Smith,1 Main St,,Springfield,IL,62704
E4,M3,2018-01-01,2018-01-02,Cy Young,1 Avalon Ave,,Avon,CT,06001
`
	if _, err := s.Apply(ctx, NewCSVReader(strings.NewReader(feed)).All(), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, "M1")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	a := h.Versions[0].Address

	// As printgate before the schema stored E1: its old key, its address in
	// the short form rebuilt from that key.
	newKey := a.Key()
	oldKey := old.Replace(newKey)
	if oldKey == newKey {
		t.Fatalf("key %q has nothing for the migration to change", newKey)
	}
	short := appendStoredAddr(nil, a, oldKey)
	if len(short) == 0 || short[0] != 0 {
		t.Fatalf("the old key does not give the short form: %q", short)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE versions SET key = ?, addr = ? WHERE event_id = 'E1'`, oldKey, short); err != nil {
		t.Fatal(err)
	}
	// As the schema was then: holds.effective came with schema 9, runs
	// and the reviews' verdicts with schema 10.
	if _, err := db.Exec(fmt.Sprintf(UndoSchema10+`ALTER TABLE holds DROP COLUMN effective; PRAGMA user_version = %d`, schema)); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, e := range []string{"E3", "E4"} {
		var k string
		if err := db.QueryRow(`SELECT key FROM versions WHERE event_id = ?`, e).Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys[e] = k
	}
	db.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var key string
	var addr []byte
	var version int
	if err := s.r.QueryRowContext(ctx, `SELECT key, addr FROM versions WHERE event_id = 'E1'`).Scan(&key, &addr); err != nil {
		t.Fatal(err)
	}
	if err := s.r.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if key != newKey || len(addr) == 0 || addr[0] == 0 || version != len(migrations) {
		t.Errorf("after the migration: key %q (want %q), stored form starts %q, schema %d", key, newKey, addr[:1], version)
	}
	for e, was := range keys {
		var after string
		if err := s.r.QueryRowContext(ctx, `SELECT key FROM versions WHERE event_id = ?`, e).Scan(&after); err != nil || after != was {
			t.Errorf("%s's key, which the migration does not change, changed: %q, was %q (%v)", e, after, was, err)
		}
	}
	h, err = s.History(ctx, "M1")
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Versions[0].Address; got != a {
		t.Errorf("E1's address after the migration:\n%+v\nwant\n%+v", got, a)
	}
	p := address.MustParse(printed)
	if f := address.Classify(p, h, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), 0); f.Status != address.Stale {
		t.Errorf("a piece to the former address, written the other way: %v", f.Status)
	}
}

// TestValidID: an id is 1 to 64 ASCII letters, digits and . _ - : /.
func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"", false},
		{"M1", true},
		{"a.b_c-d:e/f", true},
		{strings.Repeat("9", maxIDLen), true},
		{strings.Repeat("9", maxIDLen+1), false},
		{"M 1", false},
		{"M1,", false},
		{"Mé", false},
		{"M1\n", false},
	} {
		if got := validID(tc.id); got != tc.want {
			t.Errorf("validID(%q) = %v; want %v", tc.id, got, tc.want)
		}
	}
}

// TestValidName: a name is up to 200 bytes of UTF-8 without control
// characters; empty is valid (an event that keeps the name).
func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"", true},
		{"Ada Lovelace", true},
		{"José Núñez", true},
		{strings.Repeat("a", maxNameLen), true},
		{strings.Repeat("a", maxNameLen+1), false},
		{"Ada\xffLovelace", false},
		{"Ada\tLovelace", false},
		{"Ada\u0085Lovelace", false},
	} {
		if got := validName(tc.name); got != tc.want {
			t.Errorf("validName(%q) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// openAtSchema makes a store of schema version v in a temporary
// directory, runs setup on it (rows as that version keeps them), and
// opens it, which migrates it to the newest version.
func openAtSchema(t *testing.T, v int, setup string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	stmts := append(migrations[:v:v], fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, v), setup)
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
