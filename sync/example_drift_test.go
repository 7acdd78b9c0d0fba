package sync_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	pgsync "github.com/printgate/printgate/sync"
)

// A mail vendor's copy of member addresses, checked against the store as
// of the end of June 2025: one member in sync (in another formatting), one
// at a former address, one the vendor does not have, one the store does
// not know, and a row that cannot be read.
func ExampleStore_Drift() {
	dir, err := os.MkdirTemp("", "example-drift-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := pgsync.Open(ctx, filepath.Join(dir, "store.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	feed := `event_id,member_id,effective,recorded,name,line1,line2,city,state,zip
E1,M1,2019-03-01,2019-03-02,Ada Lovelace,123 North Main Street,Apartment 4B,Springfield,IL,62704
E2,M2,2019-03-01,2019-03-02,Alan Turing,500 Oak Ave,,Chicago,IL,60611
E3,M2,2022-05-01,2022-05-02,,77 Elm St,,Denver,CO,80202
E4,M3,2020-01-01,2020-01-02,Grace Hopper,1 Fifth Avenue,,New York,NY,10003
`
	if _, err := s.Apply(ctx, pgsync.NewCSVReader(strings.NewReader(feed)).All(), pgsync.ApplyOptions{}); err != nil {
		log.Fatal(err)
	}

	export := `member_id,name,line1,line2,city,state,zip
M1,Ada Lovelace,123 N MAIN ST APT 4B,,SPRINGFIELD,IL,62704-1234
M2,Alan Turing,500 Oak Avenue,,Chicago,IL,60611
M9,Edsger Dijkstra,55 Park Ave,,New York,NY,10016
,Barbara Liskov,14 Lake Shore Dr,,Chicago,IL,60611
`
	asOf := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	sum, err := s.Drift(ctx, pgsync.NewExportReader(strings.NewReader(export)).All(), asOf, func(r pgsync.DriftResult) error {
		since := ""
		if !r.Since.IsZero() {
			since = " since " + r.Since.Format(time.DateOnly)
		}
		fmt.Printf("%s %s%s: %s\n", r.MemberID, r.Status, since, r.Detail)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d members, %d in sync; %d rows, %d bad\n", sum.Members, sum.InSync, sum.Rows, sum.Bad)
	for _, re := range sum.Errors {
		fmt.Println(re)
	}
	// Output:
	// M1 in_sync: current
	// M2 stale_in_other since 2022-05-01: former address; differs from the one in force in number street suffix city state zip
	// M3 missing_in_other: not in the export; 1 row of the export has no readable member id
	// M9 missing_in_store: not in the store
	// 4 members, 1 in sync; 4 rows, 1 bad
	// pgsync: line 5: member_id: missing
}
