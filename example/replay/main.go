// Command replay replays the 2019 failure in miniature, with printgate in
// the mail pipeline, and prints what happened at each step.
//
// In late 2019 an EHR update error set a large plan's mail system back to
// outdated addresses: 337,755 PHI mailings went to 167,095 former
// addresses, and the mailings went on for 39 days after the error was
// known. Here a plan of -members members (default 20,000) has kept its
// members' address histories in a printgate store. Then:
//
//  1. the faulty load reaches the store as a feed that sets 15% of the
//     members back to addresses they had before: Store.Apply holds it whole
//     and applies nothing;
//  2. the mail system, already on the outdated addresses, sends a batch of
//     PHI letters, one per member: the gate finds the letters to former
//     addresses stale and halts the batch, so that nothing is printed, and
//     the ledger accounts for every piece;
//  3. Store.Drift finds the members whose address the mail system holds
//     stale; its copy refreshed, the batch run again is released.
//
// It runs in a temporary directory, needs no input, and prints the same
// every time:
//
//	go run ./example/replay
//	go run ./example/replay -members 100000
//
// Exit status: 0 done, 1 error, 2 bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/printgate/printgate/address"
	pgsync "github.com/printgate/printgate/sync"
)

// The days of the replay: members moved on moveDay; the faulty load and
// the batch came on loadDay.
var (
	firstDay = time.Date(2012, 1, 9, 0, 0, 0, 0, time.UTC)
	moveDay  = time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)
	loadDay  = time.Date(2019, 10, 3, 0, 0, 0, 0, time.UTC)
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	members := fs.Int("members", 20_000, "members of the plan (at least 1,000)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *members < 1000 {
		fmt.Fprintln(stderr, "replay: -members takes a number of at least 1,000, and nothing follows it")
		return 2
	}
	dir, err := os.MkdirTemp("", "replay-")
	if err != nil {
		fmt.Fprintf(stderr, "replay: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := replay(ctx, filepath.Join(dir, "store.db"), *members, stdout); err != nil {
		fmt.Fprintf(stderr, "replay: %v\n", err)
		return 1
	}
	return 0
}

func replay(ctx context.Context, path string, n int, w io.Writer) error {
	st, err := pgsync.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	st.Now = func() time.Time { return loadDay }

	// The store as it was before the error: every member's address since
	// joining, and the move of two in five.
	rep, err := st.Apply(ctx, history(n), pgsync.ApplyOptions{})
	if err != nil {
		return fmt.Errorf("the plan's history: %w", err)
	}
	moved := 0
	for m := range n {
		if movedMember(m) {
			moved++
		}
	}
	fmt.Fprintf(w, "The store: %d members, %d address events; %d members moved on %s.\n\n",
		n, rep.Applied, moved, moveDay.Format(time.DateOnly))

	// 1. The faulty load: three in eight of the members who moved, 15% of
	// all, set back to their address before the move.
	fmt.Fprintf(w, "%s: the EHR update error sends a feed that sets %d members back to former addresses.\n",
		loadDay.Format(time.DateOnly), reverted(n))
	_, err = st.Apply(ctx, faultyLoad(n), pgsync.ApplyOptions{})
	var sr *pgsync.SuspicionReport
	switch {
	case errors.As(err, &sr):
		fmt.Fprintf(w, "  Store.Apply holds the feed whole and applies nothing: it would revert %d of %d members (%.1f%%)\n"+
			"  to addresses they had before; a normal day's feed moves about 1%% of members and reverts almost none.\n"+
			"  A person looks at the report (members %s, ...) before anyone overrides it.\n\n",
			sr.Reverted, sr.Members, 100*sr.RevertedShare, strings.Join(sr.Examples[:min(3, len(sr.Examples))], ", "))
	case err != nil:
		return fmt.Errorf("the faulty load: %w", err)
	default:
		return errors.New("the faulty load was applied: the suspicious-feed guard did not hold it")
	}

	// 2. The mail system's batch, on the outdated addresses.
	fmt.Fprintf(w, "%s: the mail system, itself on the outdated addresses, sends a batch of %d PHI letters, one per member.\n",
		loadDay.Format(time.DateOnly), n)
	const batchID = "replay-2019-10-03"
	// Each batch is judged against one snapshot of the store.
	snap, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer snap.Close()
	ledger, err := st.Ledger(ctx, batchID, loadDay)
	if err != nil {
		return err
	}
	defer ledger.Close()
	g := &address.Gate{Source: snap, AsOf: loadDay}
	out, err := g.Check(ctx, batch(mailCopy(n, false)), ledger)
	if err != nil {
		return fmt.Errorf("the batch: %w", err)
	}
	snap.Close()
	b, err := st.Batch(ctx, batchID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  The gate finds %d letters current and %d stale (each to a former address, stale since %s).\n",
		out.ByStatus[address.Current], out.ByStatus[address.Stale], moveDay.Format(time.DateOnly))
	if out.Halted {
		fmt.Fprintf(w, "  The batch is HALTED: %s.\n", out.HaltReason)
	}
	fmt.Fprintf(w, "  Released %d, quarantined %d, blocked %d. The ledger holds %d verdicts: %d released, %d quarantined, %d blocked.\n\n",
		out.Released, out.Quarantined, out.Blocked, b.Pieces, b.Released, b.Quarantined, b.Blocked)

	// 3. Finding and fixing the mail system's copy.
	sum, err := st.Drift(ctx, mailCopy(n, false), loadDay, func(pgsync.DriftResult) error { return nil })
	if err != nil {
		return fmt.Errorf("drift: %w", err)
	}
	fmt.Fprintf(w, "The same day: Store.Drift compares the mail system's copy with the store: %d members in sync,\n"+
		"  %d stale in the mail system. The copy is refreshed from the store and the batch is run again:\n",
		sum.InSync, sum.StaleInOther)
	const rerunID = "replay-2019-10-03-fixed"
	ledger2, err := st.Ledger(ctx, rerunID, loadDay)
	if err != nil {
		return err
	}
	defer ledger2.Close()
	snap2, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	defer snap2.Close()
	g.Source = snap2
	out2, err := g.Check(ctx, batch(mailCopy(n, true)), ledger2)
	if err != nil {
		return fmt.Errorf("the batch run again: %w", err)
	}
	fmt.Fprintf(w, "  %d letters current, %d stale; released %d, quarantined %d, blocked %d; halted: %v.\n\n",
		out2.ByStatus[address.Current], out2.ByStatus[address.Stale], out2.Released, out2.Quarantined, out2.Blocked, out2.Halted)

	fmt.Fprintf(w, "Without the gate, the first batch would have sent %d letters with PHI to former addresses, and the\n"+
		"next day's batch as many again, until someone stopped the mailings: in 2019, 39 days after the\n"+
		"error was known. With it, the first batch stopped the line; nothing was printed until the data\n"+
		"behind it was fixed.\n", out.ByStatus[address.Stale])
	return nil
}

// movedMember: two members in five moved on moveDay.
func movedMember(m int) bool { return m%5 < 2 }

// revertedMember: of those, three in eight are set back by the faulty
// load: 15% of the members.
func revertedMember(m int) bool { return movedMember(m) && m/5%8 < 3 }

func reverted(n int) int {
	k := 0
	for m := range n {
		if revertedMember(m) {
			k++
		}
	}
	return k
}

func memberID(m int) string { return fmt.Sprintf("M%07d", m) }

// history yields each member's address since firstDay, and the move of
// those who moved.
func history(n int) iter.Seq2[pgsync.Event, error] {
	return func(yield func(pgsync.Event, error) bool) {
		for m := range n {
			if !yield(event(m, 0, firstDay), nil) {
				return
			}
			if movedMember(m) && !yield(event(m, 1, moveDay), nil) {
				return
			}
		}
	}
}

// faultyLoad sets the reverted members back to their first address.
func faultyLoad(n int) iter.Seq2[pgsync.Event, error] {
	return func(yield func(pgsync.Event, error) bool) {
		for m := range n {
			if !revertedMember(m) {
				continue
			}
			ev := event(m, 0, loadDay)
			ev.ID = "EHR-" + memberID(m)
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// event is member m's address number v, in force from day on.
func event(m, v int, day time.Time) pgsync.Event {
	line1, city, state, zip := addr(m, v)
	return pgsync.Event{
		ID: memberID(m) + "-" + strconv.Itoa(v), MemberID: memberID(m), Effective: day, Recorded: day.Add(24 * time.Hour),
		Name: name(m), Line1: line1, City: city, State: state, ZIP: zip,
	}
}

// mailCopy is the mail system's copy of the members' addresses: on the
// outdated addresses, the first one for the members the faulty load
// reverted; refreshed from the store, the address in force for all.
func mailCopy(n int, refreshed bool) iter.Seq2[pgsync.ExportRow, error] {
	return func(yield func(pgsync.ExportRow, error) bool) {
		for m := range n {
			v := 0
			if movedMember(m) && (refreshed || !revertedMember(m)) {
				v = 1
			}
			line1, city, state, zip := addr(m, v)
			r := pgsync.ExportRow{MemberID: memberID(m), Name: name(m), Line1: line1, City: city, State: state, ZIP: zip, Line: m + 2}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// batch is a PHI letter to each member of the mail system's copy.
func batch(rows iter.Seq2[pgsync.ExportRow, error]) iter.Seq2[address.Piece, error] {
	return func(yield func(address.Piece, error) bool) {
		for r, err := range rows {
			if err != nil {
				yield(address.Piece{}, err)
				return
			}
			a, err := address.ParseFields(r.Line1, r.Line2, r.City, r.State, r.ZIP)
			p := address.Piece{ID: "L" + strconv.Itoa(r.Line-1), MemberID: r.MemberID, Name: r.Name, Address: a, PHI: true, Line: r.Line, Err: err}
			if !yield(p, nil) {
				return
			}
		}
	}
}

var (
	streets = []string{"Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Park Blvd", "Lake Rd", "Hill Ct", "River Way", "Pine St"}
	places  = [][3]string{{"Springfield", "IL", "62704"}, {"Columbus", "OH", "43215"}, {"Madison", "WI", "53703"},
		{"Austin", "TX", "78701"}, {"Denver", "CO", "80202"}, {"Raleigh", "NC", "27601"}}
	givens   = []string{"Mary", "James", "Ana", "Wei", "Fatima", "John", "Olga", "Luis", "Grace", "Omar"}
	surnames = []string{"Smith", "Garcia", "Nguyen", "Okafor", "Kowalski", "Brien", "Johnson", "Haddad", "Lee", "Martinez"}
)

// addr is member m's address number v: a different house on another
// street for each.
func addr(m, v int) (line1, city, state, zip string) {
	k := m*7 + v*3
	p := places[(m+v)%len(places)]
	return fmt.Sprintf("%d %s", 100+(m*13+v*7919)%9800, streets[k%len(streets)]), p[0], p[1], p[2]
}

func name(m int) string {
	return givens[m%len(givens)] + " " + surnames[m/len(givens)%len(surnames)]
}
