package sync

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/printgate/printgate/address"
)

// ErrSuspiciousFeed is wrapped by the error [Store.Apply] returns for a feed
// it holds: one that changes or reverts more members' addresses than a
// normal feed does. The error is a [*SuspicionReport].
var ErrSuspiciousFeed = errors.New("suspicious feed held: nothing applied")

// Thresholds say when a feed is suspicious. A feed is suspicious when
//   - it reverts more than RevertShare of the store's members, and at least
//     RevertMin members, to an address they had before but not now; or
//   - it changes the current address of more than ChangeShare of the
//     store's members, and at least ChangeMin members.
//
// A member counts when the feed changes the address in force at the
// store's Now, or at the end of the member's history (see Apply).
//
// A zero field (or a NaN share) means its default: RevertShare 0.02 (2%), RevertMin 100,
// ChangeShare 0.10 (10%), ChangeMin 1,000. A negative share turns its test
// off. Normal churn is about 1% of members a month, and a member moving back
// to a former address is rare; the 2019 load that set 15% of a plan's
// members back to former addresses trips both tests many times over.
type Thresholds struct {
	RevertShare float64
	RevertMin   int
	ChangeShare float64
	ChangeMin   int
}

// withDefaults returns t with each zero field set to its default.
func (t Thresholds) withDefaults() Thresholds {
	if t.RevertShare == 0 || math.IsNaN(t.RevertShare) {
		t.RevertShare = 0.02
	}
	if t.RevertMin == 0 {
		t.RevertMin = 100
	}
	if t.ChangeShare == 0 || math.IsNaN(t.ChangeShare) {
		t.ChangeShare = 0.10
	}
	if t.ChangeMin == 0 {
		t.ChangeMin = 1000
	}
	return t
}

// MaxExamples is the number of example member ids a [SuspicionReport]
// holds.
const MaxExamples = 20

// A SuspicionReport is the measurement of a feed against the store before
// it is applied. It counts members, never events, and names them by id
// only. When Suspicious, it is the error Apply returns (it wraps
// [ErrSuspiciousFeed]).
type SuspicionReport struct {
	Members       int     // members in the store before the feed
	Changed       int     // members whose current address the feed changes
	Reverted      int     // of those, members it sets to an address they had before
	ChangedShare  float64 // Changed / Members
	RevertedShare float64 // Reverted / Members
	Suspicious    bool    // over Thresholds
	// Examples holds up to MaxExamples member ids, in id order: reverted
	// members, then (if there are fewer) changed ones.
	Examples   []string
	Thresholds Thresholds // as applied, defaults filled in
}

func (r *SuspicionReport) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pgsync: %v: of %d members, it reverts %d (%.2f%%) to former addresses and changes %d (%.2f%%); "+
		"thresholds: reverts over %.2f%% and at least %d, or changes over %.2f%% and at least %d",
		ErrSuspiciousFeed, r.Members, r.Reverted, 100*r.RevertedShare, r.Changed, 100*r.ChangedShare,
		100*r.Thresholds.RevertShare, r.Thresholds.RevertMin, 100*r.Thresholds.ChangeShare, r.Thresholds.ChangeMin)
	if len(r.Examples) > 0 {
		b.WriteString("; members ")
		b.WriteString(strings.Join(r.Examples, ", "))
	}
	return b.String()
}

func (r *SuspicionReport) Unwrap() error { return ErrSuspiciousFeed }

// measureQuery reads the address versions of the members ids, in history
// order.
var measureQuery = `SELECT member_id, effective, recorded, event_id, key FROM versions
WHERE kind = 1 AND member_id IN (?` + strings.Repeat(",?", lookupChunk-1) + `)
ORDER BY member_id, effective, recorded, event_id`

// A measured version is an address version of a member, the store's or
// the feed's, as the measure of a feed orders and compares them.
type measured struct {
	effective, recorded int64
	event, key          string
}

func (v *measured) before(w *measured) bool {
	if v.effective != w.effective {
		return v.effective < w.effective
	}
	if v.recorded != w.recorded {
		return v.recorded < w.recorded
	}
	return v.event < w.event
}

// measure sets the feed to apply against the store, which holds members
// members. For each member of the store the feed has address events for,
// it compares the address in force before the feed and after it at two
// times: the store's Now, and the end of the member's history. A feed
// that sets a member back to a former address now, and also restates the
// member's current address for a later day, reverts the member all the
// same.
func (a *applier) measure(ctx context.Context, members int64) (*SuspicionReport, error) {
	t := a.opt.Thresholds.withDefaults()
	rep := &SuspicionReport{Members: int(members), Thresholds: t}
	now := a.s.now().UnixNano()

	// The members the feed has address events to apply for, in id order
	// (the order of a.rows, which is history order).
	var ids []string
	for i := range a.rows {
		if r := &a.rows[i]; r.status == stApply && r.kind == address.Moved {
			if id := a.memberID(r); len(ids) == 0 || ids[len(ids)-1] != id {
				ids = append(ids, id)
			}
		}
	}
	// Their versions in the store come in the same order: each member is
	// measured once its last version has been read, against its rows of
	// the feed, so that memory does not grow with the feed.
	var (
		changed  []string
		cur      string     // the member whose versions are being read
		old, all []measured // its versions in the store; and with the feed's
		next     int        // the first row of a.rows not yet passed
	)
	measureMember := func() {
		if cur == "" {
			return
		}
		all = append(all[:0], old...)
		for next < len(a.rows) && a.memberID(&a.rows[next]) < cur {
			next++
		}
		for ; next < len(a.rows) && a.memberID(&a.rows[next]) == cur; next++ {
			if r := &a.rows[next]; r.status == stApply && r.kind == address.Moved {
				_, _, key := a.fields(r)
				all = append(all, measured{r.effective, r.recorded, a.eventID(r), key})
			}
		}
		slices.SortFunc(all, func(x, y measured) int {
			if x.before(&y) {
				return -1
			}
			if y.before(&x) {
				return 1
			}
			return 0
		})
		isChanged, isReverted := false, false
		for _, at := range []int64{now, math.MaxInt64} {
			was, is := inForce(old, at), inForce(all, at)
			if is == nil || was != nil && was.key == is.key {
				continue
			}
			isChanged = true
			// A former address: one the member had, at that time, that was
			// not the one in force.
			for i := range old {
				if old[i].effective <= at && old[i].key == is.key {
					isReverted = true
				}
			}
		}
		if !isChanged {
			return
		}
		rep.Changed++
		if isReverted {
			rep.Reverted++
			if len(rep.Examples) < MaxExamples {
				rep.Examples = append(rep.Examples, cur)
			}
		} else if len(changed) < MaxExamples {
			changed = append(changed, cur)
		}
	}
	err := a.onConn(func(c *sqlite3.SQLiteConn) error {
		return lookup(ctx, c, measureQuery, 5, ids, func(_ int, row []driver.Value) error {
			id, _ := row[0].(string)
			effective, _ := row[1].(int64)
			recorded, _ := row[2].(int64)
			event, _ := row[3].(string)
			key, _ := row[4].(string)
			if id != cur {
				measureMember() // the member before (one the store does not know has no rows here)
				cur, old = id, old[:0]
			}
			old = append(old, measured{effective, recorded, event, key})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	measureMember()
	for _, id := range changed {
		if len(rep.Examples) == MaxExamples {
			break
		}
		rep.Examples = append(rep.Examples, id)
	}
	rep.ChangedShare = float64(rep.Changed) / float64(members)
	rep.RevertedShare = float64(rep.Reverted) / float64(members)
	rep.Suspicious = t.RevertShare >= 0 && rep.RevertedShare > t.RevertShare && rep.Reverted >= t.RevertMin ||
		t.ChangeShare >= 0 && rep.ChangedShare > t.ChangeShare && rep.Changed >= t.ChangeMin
	return rep, nil
}

// inForce returns the last of vs, in history order, that took effect at
// or before at; nil if none has.
func inForce(vs []measured, at int64) *measured {
	var in *measured
	for i := range vs {
		if vs[i].effective <= at {
			in = &vs[i]
		}
	}
	return in
}
