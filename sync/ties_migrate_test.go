package sync_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	pgsync "github.com/printgate/printgate/sync"
)

// TestMigrateHoldsTies: a store of schema 10 that holds a tie unheld (as
// every store before Apply held ties did) is brought to schema 11 with the
// tie's versions held; a version at the same times and address is no tie.
func TestMigrateHoldsTies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := mustOpenPath(t, path)
	kindFeed(t, s,
		"E9,M1,2019-01-01,2019-01-02,Ada Lovelace,1 Oak St,,Springfield,IL,62704",
		"E10,M1,2019-01-01,2019-01-02,Ada Lovelace,9 Elm St,,Springfield,IL,62704",
		"E20,M2,2019-01-01,2019-01-02,Alan Turing,5 Pine St,,Springfield,IL,62704",
		"E21,M2,2019-01-01,2019-01-02,Alan Turing,5 Pine Street,,Springfield,IL,62704",
		"E30,M3,2019-01-01,2019-01-02,Grace Hopper,7 Ash Ct,,Springfield,IL,62704",
		"U30,M3,2019-01-01,2019-01-02,,,,,,,undeliverable")
	s.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	// As a store before schema 11 holds them: no tie held, and a
	// conflict's hold standing on one of a tie's versions, which its event
	// sent again unchanged would end.
	if _, err := db.Exec(`DELETE FROM holds;
		INSERT INTO holds (member_id, event_id, line, field, reason, received) VALUES ('M1', 'E9', 3, 'address', 'conflict', 1);
		PRAGMA user_version = 10`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = pgsync.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hs := standing(t, s)
	if d := cmp.Diff([]string{"M1/E10", "M1/E9", "M3/E30", "M3/U30"}, sortedNames(hs)); d != "" {
		t.Errorf("holds after the migration (-want +got):\n%s", d)
	}
	for _, h := range hs {
		if h.Field != "recorded" || !h.Effective.Equal(day("2019-01-01")) {
			t.Errorf("hold: %+v", h)
		}
	}
	if released(t, s, "M1", "1 OAK ST, SPRINGFIELD IL 62704") {
		t.Error("a piece to a tie's address released after the migration")
	}
	// The tie's events sent again, unchanged, end none of its holds.
	if rep := kindFeed(t, s,
		"E9,M1,2019-01-01,2019-01-02,Ada Lovelace,1 Oak St,,Springfield,IL,62704",
		"E10,M1,2019-01-01,2019-01-02,Ada Lovelace,9 Elm St,,Springfield,IL,62704"); rep.HoldsEnded != 0 {
		t.Errorf("the tie's events again ended %d holds", rep.HoldsEnded)
	}
	if d := cmp.Diff([]string{"M1/E10", "M1/E9", "M3/E30", "M3/U30"}, sortedNames(standing(t, s))); d != "" {
		t.Errorf("holds after the tie's events again (-want +got):\n%s", d)
	}
	if released(t, s, "M1", "9 ELM ST, SPRINGFIELD IL 62704") || released(t, s, "M1", "1 OAK ST, SPRINGFIELD IL 62704") {
		t.Error("a piece to a tie's address released after its events came again")
	}
}

func sortedNames(hs []pgsync.Hold) []string {
	names := holdNames(hs)
	slices.Sort(names)
	return names
}
