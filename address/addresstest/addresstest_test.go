package addresstest_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/printgate/printgate/address"
	"github.com/printgate/printgate/address/addresstest"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The source of the tests: M1 moved within a building on 2019-10-03, M2
// moved on 2020-05-20, ten days before the day the tests judge as of.
func source() []address.History {
	return []address.History{
		{MemberID: "M1", Versions: []address.Version{
			{EventID: "E1", Effective: day("2018-01-01"), Recorded: day("2018-01-02"), Kind: address.Moved,
				Name: "Ada Lovelace", Address: address.MustParse("55 Park Ave Apt 4B, New York NY 10016")},
			{EventID: "E2", Effective: day("2019-10-03"), Recorded: day("2019-10-04"), Kind: address.Moved,
				Address: address.MustParse("55 Park Ave Apt 12C, New York NY 10016")},
		}},
		{MemberID: "M2", Versions: []address.Version{
			{EventID: "E3", Effective: day("2020-05-20"), Recorded: day("2020-05-21"), Kind: address.Moved,
				Name: "Alan Turing", Address: address.MustParse("9 Elm St, Springfield IL 62704")},
		}},
	}
}

func piece(id, member, name, addr string) address.Piece {
	return address.Piece{ID: id, MemberID: member, Name: name, PHI: true, Address: address.MustParse(addr)}
}

var (
	current  = piece("P1", "M1", "Ada Lovelace", "55 Park Avenue, Apartment 12C, New York, NY 10016")
	stale    = piece("P2", "M1", "Ada Lovelace", "55 Park Ave Apt 4B, New York NY 10016")
	stale2   = piece("P6", "M1", "A. Lovelace", "55 PARK AVE # 4B, NEW YORK NY 10016")
	recent   = piece("P3", "M2", "Alan Turing", "9 Elm Street, Springfield, IL 62704")
	elsewise = piece("P4", "M1", "Ada Lovelace", "1 Main St, Albany NY 12207")
	stranger = piece("P5", "M9", "Grace Hopper", "9 Elm St, Springfield IL 62704")
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs  []string
	fatal bool
}

func (*recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
}

type assertion func(testing.TB, address.HistorySource, time.Time, []address.Piece)

func TestAssertions(t *testing.T) {
	tests := []struct {
		name   string
		assert assertion
		pieces []address.Piece
		// want are the parts of the failure message, in order; none when
		// the assertion holds.
		want []string
	}{
		{"no stale: none", addresstest.AssertNoStale, nil, nil},
		{"no stale: current", addresstest.AssertNoStale, []address.Piece{current}, nil},
		{"no stale: held for other reasons", addresstest.AssertNoStale, []address.Piece{current, recent, elsewise, stranger}, nil},
		{"no stale: one stale", addresstest.AssertNoStale, []address.Piece{current, stale, recent},
			[]string{"addresstest: 1 of 3 pieces stale (-want +got):\n", `"P2"`, `"M1"`, `"stale"`, `"stale since 2019-10-03"`}},
		{"no stale: all stale", addresstest.AssertNoStale, []address.Piece{stale, stale2},
			[]string{"addresstest: 2 of 2 pieces stale", `"P2"`, `"P6"`}},
		{"no stale: a duplicate is not stale", addresstest.AssertNoStale, []address.Piece{stale, stale},
			[]string{"addresstest: 1 of 2 pieces stale", `"P2"`}},
		{"all current: none", addresstest.AssertAllCurrent, nil, nil},
		{"all current: current", addresstest.AssertAllCurrent, []address.Piece{current}, nil},
		{"all current: the rest", addresstest.AssertAllCurrent, []address.Piece{current, stale, recent, elsewise, stranger},
			[]string{"addresstest: 4 of 5 pieces not current (-want +got):\n",
				`"P2"`, `"stale"`,
				`"P3"`, `"recently_changed"`, `"address in force since 2020-05-20"`,
				`"P4"`, `"unknown_address"`,
				`"P5"`, `"M9"`, `"unknown_member"`}},
	}
	src := addresstest.NewSource(source()...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			tt.assert(&rec, src, day("2020-06-01"), tt.pieces)
			if rec.fatal {
				t.Fatalf("the assertion stopped the test: %q", rec.errs)
			}
			if len(tt.want) == 0 {
				if len(rec.errs) > 0 {
					t.Fatalf("the assertion failed: %q", rec.errs)
				}
				return
			}
			if len(rec.errs) != 1 {
				t.Fatalf("the assertion reported %d failures, want 1: %q", len(rec.errs), rec.errs)
			}
			msg, rest := rec.errs[0], rec.errs[0]
			if !strings.HasPrefix(msg, tt.want[0]) {
				t.Errorf("the message starts %q, want %q", firstLine(msg), tt.want[0])
			}
			for _, w := range tt.want[1:] {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("the message has no %s after what came before it:\n%s", w, msg)
					break
				}
				rest = rest[i+len(w):]
			}
			// The pieces are named by id, never by name or address.
			for _, phi := range []string{"Ada", "Alan", "Grace", "Lovelace", "PARK", "Park", "ELM", "Elm", "MAIN", "10016"} {
				if strings.Contains(msg, phi) {
					t.Errorf("the message holds %q:\n%s", phi, msg)
				}
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// failing is a source whose reads fail.
type failing struct{ *addresstest.Source }

func (failing) Histories(context.Context, []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) {
		yield(address.History{}, errors.New("disk on fire"))
	}
}

// unattributed is a source holding a change event it could not tie to a
// member.
type unattributed struct{ *addresstest.Source }

func (unattributed) Unattributed(context.Context) ([]address.UnappliedEvent, error) {
	return []address.UnappliedEvent{{EventID: "E9", Field: "member_id", Received: day("2020-05-30")}}, nil
}

// TestAssertionsOnBrokenSources: a source whose reads fail stops the test;
// one holding an event it cannot tie to a member fails it, since no piece
// can then be shown current, or not stale.
func TestAssertionsOnBrokenSources(t *testing.T) {
	src := addresstest.NewSource(source()...)
	sources := []struct {
		name  string
		src   address.HistorySource
		fatal bool
		says  []string
	}{
		{"reads fail", failing{src}, true, []string{"checking 1 pieces", "disk on fire"}},
		{"an unattributed event", unattributed{src}, false, []string{"addresstest: the gate halts every batch against this source: " +
			"source of truth holds a change event it could not apply and cannot tie to a member (event E9, field member_id): any member's address may be missing a move"}},
	}
	for _, s := range sources {
		for name, assert := range map[string]assertion{
			"AssertNoStale":    addresstest.AssertNoStale,
			"AssertAllCurrent": addresstest.AssertAllCurrent,
		} {
			t.Run(s.name+"/"+name, func(t *testing.T) {
				var rec recorder
				assert(&rec, s.src, day("2020-06-01"), []address.Piece{current})
				if rec.fatal != s.fatal || len(rec.errs) != 1 {
					t.Fatalf("fatal=%v, errors %q", rec.fatal, rec.errs)
				}
				for _, w := range s.says {
					if !strings.Contains(rec.errs[0], w) {
						t.Errorf("the failure %q lacks %q", rec.errs[0], w)
					}
				}
			})
		}
	}
}

// bent is a source that departs from what the gate needs in one way.
type bent struct {
	*addresstest.Source
	how string
}

func (b bent) Histories(ctx context.Context, ids []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) {
		var hs []address.History
		for h, err := range b.Source.Histories(ctx, ids) {
			if err != nil {
				yield(h, err)
				return
			}
			hs = append(hs, h)
		}
		switch b.how {
		case "yields an unknown member":
			hs = append(hs, address.History{MemberID: "ZZ"})
		case "misses a member":
			hs = hs[1:]
		case "yields out of order":
			slices.Reverse(hs)
		case "changes a version":
			h := hs[0]
			h.Versions = slices.Clone(h.Versions)
			h.Versions[0].EventID = "E99"
			hs[0] = h
		case "fails":
			yield(address.History{}, errors.New("disk on fire"))
			return
		}
		for _, h := range hs {
			if !yield(h, nil) && b.how != "goes on after a stop" {
				return
			}
		}
	}
}

func (b bent) Newest(ctx context.Context) (time.Time, error) {
	t, err := b.Source.Newest(ctx)
	if b.how == "is wrong about its newest" {
		t = t.Add(-time.Hour)
	}
	return t, err
}

func TestHistorySourceFindsEachFault(t *testing.T) {
	tests := []struct {
		how  string
		want string // in the error; "" when the source conforms
	}{
		{"conforms", ""},
		{"yields an unknown member", "Histories yielded member ZZ, which was not asked for or is not known"},
		{"misses a member", "Histories yielded these members, in this order (-want +got)"},
		{"yields out of order", "Histories yielded these members, in this order (-want +got)"},
		{"changes a version", "history of member M1 differs (-want +got)"},
		{"goes on after a stop", "Histories went on after the caller stopped: 1 more calls"},
		{"fails", "Histories: disk on fire"},
		{"is wrong about its newest", "Newest = 2020-05-20 23:00:00 +0000 UTC, want 2020-05-21 00:00:00 +0000 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.how, func(t *testing.T) {
			src := bent{addresstest.NewSource(source()...), tt.how}
			err := addresstest.TestHistorySource(context.Background(), src, source(), "M0")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("a conforming source: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("a source that %s conforms", tt.how)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q\ndoes not say %q", err, tt.want)
			}
		})
	}
}

func TestHistorySourceOfNoMembers(t *testing.T) {
	if err := addresstest.TestHistorySource(context.Background(), addresstest.NewSource(), nil, "M0"); err != nil {
		t.Errorf("an empty source asked for a member it does not hold: %v", err)
	}
}
