package address_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
)

const (
	oakAddr  = "100 OAK ST APT 4B, SPRINGFIELD IL 62704"
	oak12    = "100 OAK ST APT 12C, SPRINGFIELD IL 62704"
	elmAddr  = "200 ELM AVE, SPRINGFIELD IL 62704"
	pineAddr = "300 PINE RD, SPRINGFIELD IL 62704"
)

// gateSource is the source of truth of the gate tests, as of 2020-06-01.
func gateSource() *addresstest.Source {
	named := func(v address.Version, name string) address.Version { v.Name = name; return v }
	return addresstest.NewSource(
		history("ada", // moved in 2019
			named(version("a1", "2018-01-01", address.Moved, oakAddr), "Ada Lovelace"),
			version("a2", "2019-10-03", address.Moved, elmAddr)),
		history("alan", // moved within the building last week
			named(version("b1", "2018-01-01", address.Moved, oakAddr), "Alan Turing"),
			version("b2", "2020-05-25", address.Moved, oak12)),
		history("grace", // moving next week
			named(version("c1", "2018-01-01", address.Moved, pineAddr), "Grace Hopper"),
			version("c2", "2020-06-08", address.Moved, elmAddr)),
		history("edsger", // mail came back
			named(version("d1", "2018-01-01", address.Moved, pineAddr), "Edsger Dijkstra"),
			version("d2", "2020-03-01", address.Undeliverable, "")),
		withUnapplied(history("barbara", // a move the store could not apply
			named(version("e1", "2018-01-01", address.Moved, oakAddr), "Barbara Liskov"),
			version("e2", "2020-05-20", address.Moved, elmAddr)),
			address.UnappliedEvent{EventID: "e3", Field: "line1", Received: day("2020-05-30")},
			address.UnappliedEvent{Field: "zip", Received: day("2020-05-31")}),
		history("nameless", // fed with no name
			version("f1", "2018-01-01", address.Moved, pineAddr)),
		withUnapplied(history("ken", // a bad row, then a later move
			named(version("g1", "2018-01-01", address.Moved, oakAddr), "Ken Thompson"),
			version("g2", "2020-02-01", address.Moved, elmAddr)),
			address.UnappliedEvent{EventID: "g3", Field: "zip", Received: day("2020-01-20"), Effective: day("2020-01-15")}),
	)
}

func withUnapplied(h address.History, us ...address.UnappliedEvent) address.History {
	h.Unapplied = us
	return h
}

func piece(id, member, name, addr string, phi bool, contents ...string) address.Piece {
	p := address.Piece{ID: id, MemberID: member, Name: name, PHI: phi, Contents: contents}
	a, err := address.Parse(addr)
	if err != nil {
		p.Err = err
	}
	p.Address = a
	return p
}

func TestGateStatuses(t *testing.T) {
	asOf := day("2020-06-01")
	tests := []struct {
		name     string
		p        address.Piece
		status   address.Status
		decision address.Decision
		detail   string
		version  string // the event id of the version judged against
	}{
		{"current", piece("p1", "ada", "Ada Lovelace", elmAddr, true), address.Current, address.Release, "", "a2"},
		{"formatting variant of the current address", piece("p2", "ada", "ADA LOVELACE", "200 Elm Avenue, Springfield, Illinois 62704-1234", true), address.Current, address.Release, "", "a2"},
		{"former address", piece("p3", "ada", "Ada Lovelace", oakAddr, true), address.Stale, address.Block, "stale since 2019-10-03", "a1"},
		{"former address, not PHI", piece("p4", "ada", "Ada Lovelace", oakAddr, false), address.Stale, address.Quarantine, "stale since 2019-10-03", "a1"},
		{"old unit in the same building", piece("p5", "alan", "Alan Turing", oakAddr, true), address.Stale, address.Block, "stale since 2020-05-25", "b1"},
		{"new unit, moved last week", piece("p6", "alan", "Alan Turing", oak12, true), address.RecentlyChanged, address.Quarantine, "address in force since 2020-05-25", "b2"},
		{"new unit, not PHI", piece("p7", "alan", "Alan Turing", oak12, false), address.RecentlyChanged, address.Release, "address in force since 2020-05-25", "b2"},
		{"a move takes effect next week", piece("p8", "grace", "Grace Hopper", pineAddr, true), address.PendingChange, address.Quarantine, "a new address takes effect 2020-06-08", "c1"},
		{"printed to next week's address", piece("p9", "grace", "Grace Hopper", elmAddr, true), address.PendingChange, address.Quarantine, "printed to the address taking effect 2020-06-08", "c2"},
		{"never the member's", piece("p10", "ada", "Ada Lovelace", pineAddr, true), address.UnknownAddress, address.Quarantine, "different to the address in force; differs: number street suffix", "a2"},
		{"a typo of the address in force", piece("p11", "ada", "Ada Lovelace", "200 ELM AVE, SPRINGFEILD IL 62704", true), address.UnknownAddress, address.Quarantine, "similar to the address in force; differs: city", "a2"},
		{"mail came back", piece("p12", "edsger", "Edsger Dijkstra", pineAddr, true), address.UndeliverableAddress, address.Quarantine, "address in force marked undeliverable 2020-03-01", "d1"},
		{"unknown member", piece("p13", "nobody", "No Body", pineAddr, true), address.UnknownMember, address.Quarantine, "member not in the source of truth", ""},
		{"unknown member, not PHI", piece("p14", "nobody", "No Body", pineAddr, false), address.UnknownMember, address.Quarantine, "member not in the source of truth", ""},
		{"someone else's name", piece("p15", "ada", "Alan Turing", elmAddr, true), address.WrongRecipient, address.Block, "printed name is not the member's", "a2"},
		{"the member and another person", piece("p15a", "ada", "Ada & William Lovelace", elmAddr, true), address.WrongRecipient, address.Block, "printed name joins two people", "a2"},
		{"no name on file", piece("p15c", "nameless", "Ann Onymous", pineAddr, true), address.WrongRecipient, address.Block, "no name on file for the member: nothing shows the printed name is theirs", "f1"},
		{"never the member's, the only address", piece("p15d", "nameless", "Ann Onymous", elmAddr, true), address.UnknownAddress, address.Quarantine, "different to the address in force; differs: number street suffix", "f1"},
		{"the member's guardian", piece("p15b", "ada", "To the Parent or Guardian of Ada Lovelace", elmAddr, true), address.Current, address.Release, "", "a2"},
		{"another member's document inside", piece("p16", "ada", "Ada Lovelace", elmAddr, true, "ada", "alan"), address.Commingled, address.Block, "carries a document of member alan", ""},
		{"own documents only", piece("p17", "ada", "Ada Lovelace", elmAddr, true, "ada"), address.Current, address.Release, "", "a2"},
		{"unparsable address", piece("p18", "ada", "Ada Lovelace", "200 Elm Ave, Springfield, IL 627", true), address.Invalid, address.Quarantine, "address: line at byte 29: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits", ""},
		{"a piece id seen before", piece("p1", "ada", "Ada Lovelace", elmAddr, true), address.DuplicatePiece, address.Block, "piece id seen before in this batch", ""},
		{"unparsable, and its id seen before", piece("p1", "ada", "Ada Lovelace", "200 Elm Ave, Springfield, IL 627", true), address.Invalid, address.Quarantine, "address: line at byte 29: invalid ZIP code: want 5 digits, ZIP+4 as 5-4 or 9 digits; piece id seen before", ""},
		{"no piece id", piece("", "ada", "Ada Lovelace", elmAddr, true), address.Invalid, address.Quarantine, "no piece id", ""},
		{"address in force, a move not applied", piece("p19", "barbara", "Barbara Liskov", elmAddr, true), address.UnappliedChange, address.Quarantine,
			"a change event for the member could not be applied: event e3, field line1 (and 1 more)", "e2"},
		{"address in force, a move not applied, not PHI", piece("p20", "barbara", "Barbara Liskov", elmAddr, false), address.UnappliedChange, address.Quarantine,
			"a change event for the member could not be applied: event e3, field line1 (and 1 more)", "e2"},
		{"former address, a move not applied", piece("p21", "barbara", "Barbara Liskov", oakAddr, true), address.Stale, address.Block, "stale since 2020-05-20", "e1"},
		{"someone else's name, a move not applied", piece("p22", "barbara", "Ada Lovelace", elmAddr, true), address.WrongRecipient, address.Block, "printed name is not the member's", "e2"},
		{"never the member's, a move not applied", piece("p23", "barbara", "Barbara Liskov", pineAddr, true), address.UnknownAddress, address.Quarantine, "different to the address in force; differs: number street suffix", "e2"},
		{"a move not applied, then a later one", piece("p24", "ken", "Ken Thompson", elmAddr, true), address.Current, address.Release, "", "g2"},
		{"the former address, a move not applied, then a later one", piece("p25", "ken", "Ken Thompson", oakAddr, true), address.Stale, address.Block, "stale since 2020-02-01", "g1"},
	}
	var pieces []address.Piece
	for _, tt := range tests {
		pieces = append(pieces, tt.p)
	}
	// In chunks of 3, so that the histories of several chunks are fetched
	// at once by several fetchers, and the verdicts still come in order.
	for _, fetchers := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("fetchers=%d", fetchers), func(t *testing.T) {
			g := &address.Gate{Source: gateSource(), AsOf: asOf, HaltRate: 1, ChunkSize: 3, Fetchers: fetchers}
			var sink addresstest.Sink
			out, err := g.Check(context.Background(), addresstest.Pieces(pieces), &sink)
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Got) != len(tests) {
				t.Fatalf("%d verdicts for %d pieces", len(sink.Got), len(tests))
			}
			for i, tt := range tests {
				v := sink.Got[i]
				if v.Piece.ID != tt.p.ID || v.Status != tt.status || v.Decision != tt.decision || v.Detail != tt.detail || v.VersionID != tt.version {
					t.Errorf("%s: got {%s %s %s %q %q}, want {%s %s %s %q %q}", tt.name,
						v.Piece.ID, v.Status, v.Decision, v.Detail, v.VersionID, tt.p.ID, tt.status, tt.decision, tt.detail, tt.version)
				}
			}
			if out.Pieces != len(tests) || out.Released+out.Quarantined+out.Blocked != out.Pieces || out.Halted {
				t.Errorf("outcome %+v", out)
			}
			if sink.Outcome == nil || sink.Outcome.Pieces != out.Pieces {
				t.Errorf("sink finished with %+v", sink.Outcome)
			}
		})
	}
}

// heldPieces returns n PHI pieces to the address in force of a member whose
// move the source could not apply.
func heldPieces(n int) []address.Piece {
	var ps []address.Piece
	for i := range n {
		ps = append(ps, piece(fmt.Sprintf("h%d", i), "barbara", "Barbara Liskov", elmAddr, true))
	}
	return ps
}

// holding is a source that holds change events it could not tie to a
// member.
type holding struct {
	*addresstest.Source
	events []address.UnappliedEvent
	err    error
}

func (h holding) Unattributed(context.Context) ([]address.UnappliedEvent, error) {
	return h.events, h.err
}

// TestGateHaltsOnUnattributedEvents: a source holding an event it cannot
// tie to a member may be missing any member's move: nothing is released,
// and every piece keeps its own status.
func TestGateHaltsOnUnattributedEvents(t *testing.T) {
	e9 := address.UnappliedEvent{EventID: "E9", Field: "member_id", Received: day("2020-05-30")}
	noID := address.UnappliedEvent{Received: day("2020-05-31")}
	tests := []struct {
		name   string
		gate   address.Gate
		events []address.UnappliedEvent
		reason string
	}{
		{"none", address.Gate{}, nil, ""},
		{"one", address.Gate{}, []address.UnappliedEvent{e9},
			"source of truth holds a change event it could not apply and cannot tie to a member (event E9, field member_id): any member's address may be missing a move"},
		{"one with no event id or field", address.Gate{}, []address.UnappliedEvent{noID},
			"source of truth holds a change event it could not apply and cannot tie to a member: any member's address may be missing a move"},
		{"two", address.Gate{}, []address.UnappliedEvent{e9, noID},
			"source of truth holds 2 change events it could not apply and cannot tie to a member (the first: event E9, field member_id): any member's address may be missing a move"},
		{"the halt rate of 1 halts all the same", address.Gate{HaltRate: 1}, []address.UnappliedEvent{e9},
			"source of truth holds a change event it could not apply and cannot tie to a member (event E9, field member_id): any member's address may be missing a move"},
		{"and a stale source", address.Gate{MaxSourceAge: 30 * 24 * time.Hour, AsOf: day("2020-12-13")}, []address.UnappliedEvent{noID},
			"source of truth is stale: its newest change was recorded 188 days before the check, more than the maximum 30 days; " +
				"source of truth holds a change event it could not apply and cannot tie to a member: any member's address may be missing a move"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.gate
			g.Source = holding{Source: gateSource(), events: tt.events}
			if g.AsOf.IsZero() {
				g.AsOf = day("2020-06-01")
			}
			pieces := []address.Piece{
				piece("p1", "ada", "Ada Lovelace", elmAddr, true),
				piece("p2", "ada", "Ada Lovelace", oakAddr, true),
				piece("p3", "ada", "Ada Lovelace", elmAddr, false),
			}
			var sink addresstest.Sink
			out, err := g.Check(context.Background(), addresstest.Pieces(pieces), &sink)
			if err != nil {
				t.Fatal(err)
			}
			halted := tt.reason != ""
			if out.Halted != halted || out.HaltReason != tt.reason {
				t.Errorf("halted %v, reason %q; want %v, %q", out.Halted, out.HaltReason, halted, tt.reason)
			}
			if want := map[bool]int{false: 2, true: 0}[halted]; out.Released != want {
				t.Errorf("released %d, want %d", out.Released, want)
			}
			var got []address.Status
			for _, v := range sink.Got {
				got = append(got, v.Status)
			}
			if d := cmp.Diff([]address.Status{address.Current, address.Stale, address.Current}, got); d != "" {
				t.Errorf("statuses (-want +got):\n%s", d)
			}
		})
	}

	t.Run("a source that fails", func(t *testing.T) {
		g := address.Gate{Source: holding{Source: gateSource(), err: errors.New("disk on fire")}, AsOf: day("2020-06-01")}
		var sink addresstest.Sink
		_, err := g.Check(context.Background(), addresstest.Pieces([]address.Piece{piece("p1", "ada", "Ada Lovelace", elmAddr, true)}), &sink)
		if err == nil || !strings.Contains(err.Error(), "disk on fire") || len(sink.Got) != 0 {
			t.Errorf("error %v, %d verdicts", err, len(sink.Got))
		}
	})
}

func TestGateHalt(t *testing.T) {
	asOf := day("2020-06-01")
	batch := func(stale, current int, phi bool) []address.Piece {
		var ps []address.Piece
		for i := range stale {
			ps = append(ps, piece(fmt.Sprintf("s%d", i), "ada", "Ada Lovelace", oakAddr, phi))
		}
		for i := range current {
			ps = append(ps, piece(fmt.Sprintf("c%d", i), "ada", "Ada Lovelace", elmAddr, phi))
		}
		return ps
	}
	tests := []struct {
		name     string
		gate     address.Gate
		pieces   []address.Piece
		halted   bool
		released int
		reason   string
	}{
		{"1% is not over 1%", address.Gate{}, batch(10, 990, true), false, 990, ""},
		{"over 1% and 10 pieces halts", address.Gate{}, batch(11, 989, true), true, 0, "11 of 1000 PHI pieces (1.10%) are neither current nor recently changed, over the halt rate of 1.00%"},
		{"fewer than 10 never halts", address.Gate{}, batch(9, 91, true), false, 91, ""},
		{"a rate of 1 never halts", address.Gate{HaltRate: 1}, batch(500, 500, true), false, 500, ""},
		{"non-PHI pieces do not count", address.Gate{}, batch(50, 50, false), false, 50, ""},
		{"a lower minimum", address.Gate{HaltMin: 2, HaltRate: 0.5}, batch(2, 1, true), true, 0, "2 of 3 PHI pieces (66.67%) are neither current nor recently changed, over the halt rate of 50.00%"},
		{"held members count", address.Gate{}, append(batch(0, 989, true), heldPieces(11)...), true, 0, "11 of 1000 PHI pieces (1.10%) are neither current nor recently changed, over the halt rate of 1.00%"},
		{"a stale source halts", address.Gate{MaxSourceAge: 30 * 24 * time.Hour, AsOf: day("2020-12-13")}, batch(0, 10, true), true, 0, "source of truth is stale: its newest change was recorded 188 days before the check, more than the maximum 30 days"},
		{"a fresh enough source does not", address.Gate{MaxSourceAge: 365 * 24 * time.Hour}, batch(0, 10, true), false, 10, ""},
		{"a source exactly the maximum age does not", address.Gate{MaxSourceAge: 188 * 24 * time.Hour, AsOf: day("2020-12-13")}, batch(0, 10, true), false, 10, ""},
		{"two days old, in days", address.Gate{MaxSourceAge: 36 * time.Hour, AsOf: day("2020-06-10")}, batch(0, 10, true), true, 0, "source of truth is stale: its newest change was recorded 2 days before the check, more than the maximum 36h0m0s"},
		{"a day older halts", address.Gate{MaxSourceAge: 187 * 24 * time.Hour, AsOf: day("2020-12-13")}, batch(0, 10, true), true, 0, "source of truth is stale: its newest change was recorded 188 days before the check, more than the maximum 187 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.gate
			g.Source = gateSource()
			if g.AsOf.IsZero() {
				g.AsOf = asOf
			}
			var sink addresstest.Sink
			out, err := g.Check(context.Background(), addresstest.Pieces(tt.pieces), &sink)
			if err != nil {
				t.Fatal(err)
			}
			if out.Halted != tt.halted || out.Released != tt.released || out.HaltReason != tt.reason {
				t.Errorf("halted %v released %d reason %q, want %v %d %q", out.Halted, out.Released, out.HaltReason, tt.halted, tt.released, tt.reason)
			}
			if out.Released+out.Quarantined+out.Blocked != len(tt.pieces) {
				t.Errorf("counts %+v do not add up to %d", out, len(tt.pieces))
			}
			// Every piece keeps its own status.
			stale := 0
			for _, v := range sink.Got {
				if v.Status == address.Stale {
					stale++
				}
			}
			if want := out.ByStatus[address.Stale]; stale != want {
				t.Errorf("%d stale verdicts, outcome says %d", stale, want)
			}
		})
	}
}

// A halt rate of NaN is an error, not a batch that never halts: no share
// is over NaN.
func TestGateHaltRateNaN(t *testing.T) {
	g := address.Gate{Source: gateSource(), AsOf: day("2020-06-01"), HaltRate: math.NaN()}
	var sink addresstest.Sink
	ps := []address.Piece{piece("s0", "ada", "Ada Lovelace", oakAddr, true)}
	out, err := g.Check(context.Background(), addresstest.Pieces(ps), &sink)
	if err == nil || !strings.Contains(err.Error(), "HaltRate is NaN") {
		t.Fatalf("Check with a NaN halt rate: %+v, %v; want an error", out, err)
	}
	if len(sink.Got) != 0 || sink.Outcome != nil {
		t.Errorf("the sink got %d verdicts, outcome %v; want none", len(sink.Got), sink.Outcome)
	}
}

func TestGatePolicy(t *testing.T) {
	p := address.DefaultPolicy()
	p.PHI[address.RecentlyChanged] = address.Release
	p.NonPHI[address.UnknownAddress] = 0 // left unset: fail closed
	g := &address.Gate{Source: gateSource(), AsOf: day("2020-06-01"), Policy: p, HaltRate: 1}
	var sink addresstest.Sink
	_, err := g.Check(context.Background(), addresstest.Pieces([]address.Piece{
		piece("p1", "alan", "Alan Turing", oak12, true),
		piece("p2", "ada", "Ada Lovelace", pineAddr, false),
	}), &sink)
	if err != nil {
		t.Fatal(err)
	}
	got := []address.Decision{sink.Got[0].Decision, sink.Got[1].Decision}
	if d := cmp.Diff([]address.Decision{address.Release, address.Quarantine}, got); d != "" {
		t.Errorf("decisions (-want +got):\n%s", d)
	}
}

func TestDefaultPolicyOnlyReleasesCurrentPHI(t *testing.T) {
	p := address.DefaultPolicy()
	for s := address.Current; s <= address.UnappliedChange; s++ {
		if d := p.Decide(s, true); (d == address.Release) != (s == address.Current) {
			t.Errorf("PHI %s: %s", s, d)
		}
	}
	// The first status past the list, and one far past it, PHI or not.
	for _, s := range []address.Status{address.UnappliedChange + 1, 200} {
		for _, phi := range []bool{true, false} {
			if d := p.Decide(s, phi); d != address.Quarantine {
				t.Errorf("unknown status %d, phi %v: %s, want quarantine", int(s), phi, d)
			}
		}
	}
}

type failingSource struct{ *addresstest.Source }

func (failingSource) Histories(context.Context, []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) { yield(address.History{}, errors.New("disk on fire")) }
}

// laterFailingSource fails from its third call to Histories on.
type laterFailingSource struct {
	*addresstest.Source
	calls atomic.Int32
}

func (s *laterFailingSource) Histories(ctx context.Context, ids []string) iter.Seq2[address.History, error] {
	if s.calls.Add(1) >= 3 {
		return failingSource{}.Histories(ctx, ids)
	}
	return s.Source.Histories(ctx, ids)
}

// adaPieces returns n PHI pieces p0, p1, … to ada's address in force.
func adaPieces(n int) []address.Piece {
	pieces := make([]address.Piece, n)
	for i := range pieces {
		pieces[i] = piece(fmt.Sprintf("p%d", i), "ada", "Ada Lovelace", elmAddr, true)
	}
	return pieces
}

// TestGateSourceFailureMidBatch: a source that fails after some chunks
// stops the check with its error, with one fetcher or several, and the
// batch is not finished.
func TestGateSourceFailureMidBatch(t *testing.T) {
	pieces := adaPieces(40)
	for _, fetchers := range []int{1, 2, 4} {
		g := &address.Gate{Source: &laterFailingSource{Source: gateSource()}, AsOf: day("2020-06-01"), ChunkSize: 4, Fetchers: fetchers}
		var sink addresstest.Sink
		_, err := g.Check(context.Background(), addresstest.Pieces(pieces), &sink)
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("fetchers=%d: err = %v", fetchers, err)
		}
		if sink.Outcome != nil || len(sink.Got) > 8 {
			t.Errorf("fetchers=%d: a failed check finished the batch or judged past the failure: %v, %d verdicts", fetchers, sink.Outcome, len(sink.Got))
		}
	}
}

// TestGateDuplicatesInALargeBatch: every piece id seen before is a
// DuplicatePiece, however many pieces come between, past the first
// thousand ids, as the set of ids seen grows; no first piece is one.
func TestGateDuplicatesInALargeBatch(t *testing.T) {
	const n = 20000
	ada := piece("", "ada", "Ada Lovelace", elmAddr, true)
	pieces := make([]address.Piece, 0, 2*n+n/2)
	for i := range n {
		p := ada
		p.ID = fmt.Sprintf("p%d", i)
		pieces = append(pieces, p)
	}
	// Each id again, in another order, then the first half again.
	for i := range n {
		p := ada
		p.ID = fmt.Sprintf("p%d", (i*7919)%n)
		pieces = append(pieces, p)
	}
	pieces = append(pieces, pieces[:n/2]...)
	g := &address.Gate{Source: gateSource(), AsOf: day("2020-06-01"), HaltRate: 1}
	var sink addresstest.Sink
	out, err := g.Check(context.Background(), addresstest.Pieces(pieces), &sink)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range sink.Got {
		if want := i >= n; (v.Status == address.DuplicatePiece) != want {
			t.Fatalf("piece %d (%s): %s, want a duplicate: %v", i, v.Piece.ID, v.Status, want)
		}
	}
	if out.ByStatus[address.DuplicatePiece] != n+n/2 || out.ByStatus[address.Current] != n {
		t.Errorf("by status %v", out.ByStatus)
	}
}

// failingSink fails its Verdicts call number failAt (from 1), or its
// Finish when failAt is 0.
type failingSink struct {
	addresstest.Sink
	failAt, calls int
}

func (s *failingSink) Verdicts(ctx context.Context, vs []address.Verdict) error {
	if s.calls++; s.calls == s.failAt {
		return errors.New("ledger full")
	}
	return s.Sink.Verdicts(ctx, vs)
}

func (s *failingSink) Finish(ctx context.Context, o address.Outcome) error {
	if s.failAt == 0 {
		return errors.New("ledger full")
	}
	return s.Sink.Finish(ctx, o)
}

// TestGateSinkFailure: a sink that cannot take a chunk's verdicts, or the
// batch's end, stops the check with its error; the batch is not finished,
// and no chunk after the failure is handed on.
func TestGateSinkFailure(t *testing.T) {
	pieces := adaPieces(40)
	for _, failAt := range []int{0, 1, 3} {
		progress := 0
		g := &address.Gate{Source: gateSource(), AsOf: day("2020-06-01"), ChunkSize: 4, Fetchers: 2,
			Progress: func(n int) { progress = n }}
		sink := &failingSink{failAt: failAt}
		out, err := g.Check(context.Background(), addresstest.Pieces(pieces), sink)
		if err == nil || !strings.Contains(err.Error(), "ledger full") || out.Pieces != 0 {
			t.Errorf("failing at %d: %+v, %v", failAt, out, err)
		}
		wantGot := 40
		if failAt > 0 {
			wantGot = 4 * (failAt - 1)
		}
		if sink.Outcome != nil || len(sink.Got) != wantGot || progress != wantGot {
			t.Errorf("failing at %d: finished %v, %d verdicts taken, progress %d; want none, %d, %d", failAt, sink.Outcome, len(sink.Got), progress, wantGot, wantGot)
		}
	}
}

// TestGateReadFailure: an error reading the pieces, not about one piece
// (the batch file's disk failing), stops the check with that error, with
// one fetcher or several, and the batch is not finished.
func TestGateReadFailure(t *testing.T) {
	pieces := adaPieces(40)
	boom := errors.New("batch file unreadable")
	for _, fetchers := range []int{1, 2} {
		for _, at := range []int{0, 3, 4, 21} {
			read := func(yield func(address.Piece, error) bool) {
				for _, p := range pieces[:at] {
					if !yield(p, nil) {
						return
					}
				}
				yield(address.Piece{}, boom)
			}
			g := &address.Gate{Source: gateSource(), AsOf: day("2020-06-01"), ChunkSize: 4, Fetchers: fetchers}
			var sink addresstest.Sink
			out, err := g.Check(context.Background(), read, &sink)
			if !errors.Is(err, boom) || out.Pieces != 0 {
				t.Errorf("fetchers=%d, failing after %d pieces: %+v, %v; want %v", fetchers, at, out, err, boom)
			}
			if sink.Outcome != nil || len(sink.Got) > at {
				t.Errorf("fetchers=%d, failing after %d pieces: finished %v, %d verdicts", fetchers, at, sink.Outcome, len(sink.Got))
			}
		}
	}
}

// TestGateCanceled: a check whose context is canceled midway (the batch
// job's interrupt) stops with the context's error, and the batch is not
// finished.
func TestGateCanceled(t *testing.T) {
	pieces := adaPieces(400)
	for _, fetchers := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		read := func(yield func(address.Piece, error) bool) {
			for i, p := range pieces {
				if i == 50 {
					cancel()
				}
				if !yield(p, nil) {
					return
				}
			}
		}
		g := &address.Gate{Source: gateSource(), AsOf: day("2020-06-01"), ChunkSize: 4, Fetchers: fetchers}
		var sink addresstest.Sink
		out, err := g.Check(ctx, read, &sink)
		if !errors.Is(err, context.Canceled) || out.Pieces != 0 {
			t.Errorf("fetchers=%d: %+v, %v; want context.Canceled", fetchers, out, err)
		}
		if sink.Outcome != nil || len(sink.Got) >= len(pieces) {
			t.Errorf("fetchers=%d: finished %v, %d verdicts of %d", fetchers, sink.Outcome, len(sink.Got), len(pieces))
		}
		cancel()
	}
}

// disorderlySource yields the histories asked for in reverse id order,
// with one that was not asked for between them: not what a HistorySource
// should do.
type disorderlySource struct{ *addresstest.Source }

func (s disorderlySource) Histories(ctx context.Context, ids []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) {
		var hs []address.History
		for h, err := range s.Source.Histories(ctx, ids) {
			if err != nil {
				yield(h, err)
				return
			}
			hs = append(hs, h)
		}
		stray := history("bob", version("z1", "2018-01-01", address.Moved, oakAddr))
		for i := len(hs) - 1; i >= 0; i-- {
			if !yield(hs[i], nil) || i == len(hs)/2 && !yield(stray, nil) {
				return
			}
		}
	}
}

// TestGateSourceOutOfOrder: the gate finds each piece's history however
// the source orders them, and ignores one it did not ask for.
func TestGateSourceOutOfOrder(t *testing.T) {
	pieces := []address.Piece{
		piece("p1", "grace", "Grace Hopper", pineAddr, true),
		piece("p2", "ada", "Ada Lovelace", oakAddr, true),
		piece("p3", "zed", "Zed", oakAddr, true),
		piece("p4", "edsger", "Edsger Dijkstra", pineAddr, true),
		piece("p5", "ada", "Ada Lovelace", elmAddr, true),
		piece("p6", "alan", "Alan Turing", oak12, true),
	}
	want := map[string]address.Status{"p1": address.PendingChange, "p2": address.Stale, "p3": address.UnknownMember,
		"p4": address.UndeliverableAddress, "p5": address.Current, "p6": address.RecentlyChanged}
	for _, size := range []int{1, 4, 8192} {
		g := &address.Gate{Source: disorderlySource{gateSource()}, AsOf: day("2020-06-01"), ChunkSize: size}
		var sink addresstest.Sink
		if _, err := g.Check(context.Background(), addresstest.Pieces(pieces), &sink); err != nil {
			t.Fatal(err)
		}
		got := map[string]address.Status{}
		for _, v := range sink.Got {
			got[v.Piece.ID] = v.Status
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("chunks of %d: statuses (-want +got):\n%s", size, diff)
		}
	}
}

func TestGateSourceFailureStopsTheCheck(t *testing.T) {
	g := &address.Gate{Source: failingSource{gateSource()}, AsOf: day("2020-06-01")}
	var sink addresstest.Sink
	_, err := g.Check(context.Background(), addresstest.Pieces([]address.Piece{piece("p1", "ada", "Ada Lovelace", elmAddr, true)}), &sink)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	if sink.Outcome != nil || len(sink.Got) != 0 {
		t.Errorf("a failed check finished the batch or recorded verdicts: %+v %v", sink.Outcome, sink.Got)
	}
}

func TestVerdictDetailsHoldNoPHI(t *testing.T) {
	vs, _, err := addresstest.Check(gateSource(), day("2020-06-01"), []address.Piece{
		piece("p1", "ada", "Alan Turing", elmAddr, true),
		piece("p2", "ada", "Ada Lovelace", oakAddr, true),
		piece("p3", "ada", "Ada Lovelace", pineAddr, true),
		piece("p4", "ada", "Ada Lovelace", "200 Elm Ave, Springfield, IL 627", true),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		for _, phi := range []string{"ADA", "Ada", "Alan", "LOVELACE", "ELM", "Elm", "OAK", "PINE", "SPRINGFIELD", "Springfield", "62704"} {
			if strings.Contains(v.Detail, phi) {
				t.Errorf("piece %s: detail %q holds %q", v.Piece.ID, v.Detail, phi)
			}
		}
	}
}

func TestAssertNoStale(t *testing.T) {
	src := gateSource()
	addresstest.AssertNoStale(t, src, day("2020-06-01"), []address.Piece{piece("p1", "ada", "Ada Lovelace", elmAddr, true)})
	var rec recorder
	addresstest.AssertNoStale(&rec, src, day("2020-06-01"), []address.Piece{
		piece("p1", "ada", "Ada Lovelace", elmAddr, true),
		piece("p2", "ada", "Ada Lovelace", oakAddr, true),
	})
	if !rec.failed || !strings.Contains(rec.msg, `PieceID:  "p2"`) || !strings.Contains(rec.msg, "stale since 2019-10-03") {
		t.Errorf("AssertNoStale on a stale piece: failed=%v\n%s", rec.failed, rec.msg)
	}
}

func TestHistorySourceConformance(t *testing.T) {
	want := []address.History{
		history("ada", version("a1", "2018-01-01", address.Moved, oakAddr), version("a2", "2019-10-03", address.Moved, elmAddr)),
	}
	if err := addresstest.TestHistorySource(context.Background(), addresstest.NewSource(want...), want, "nobody"); err != nil {
		t.Error(err)
	}
	wrong := []address.History{history("ada", version("a1", "2018-01-01", address.Moved, oakAddr))}
	if err := addresstest.TestHistorySource(context.Background(), addresstest.NewSource(wrong...), want, "nobody"); err == nil {
		t.Error("a source missing a version conforms")
	}
}

// recorder is a testing.TB that records a failure instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
