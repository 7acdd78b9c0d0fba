package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
// A zero field means its default: RevertShare 0.02 (2%), RevertMin 100,
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
	if t.RevertShare == 0 {
		t.RevertShare = 0.02
	}
	if t.RevertMin == 0 {
		t.RevertMin = 100
	}
	if t.ChangeShare == 0 {
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

// measureQuery finds, for each member the feed has address events for, the
// last of them in history order, and sets it against the store: the
// member's current key in the store (NULL for a member the store does not
// know), whether a store version comes after it (then the feed does not
// change the current address), and whether the member had its key before.
const measureQuery = `
WITH last AS (
	SELECT member_id, effective, recorded, event_id, key FROM (
		SELECT member_id, effective, recorded, event_id, key,
			row_number() OVER (PARTITION BY member_id ORDER BY effective DESC, recorded DESC, event_id DESC) AS rn
		FROM staging WHERE status = 0 AND kind = 1)
	WHERE rn = 1)
SELECT l.member_id, l.key,
	(SELECT v.key FROM versions AS v WHERE v.member_id = l.member_id AND v.kind = 1
		ORDER BY v.effective DESC, v.recorded DESC, v.event_id DESC LIMIT 1),
	EXISTS (SELECT 1 FROM versions AS v WHERE v.member_id = l.member_id AND v.kind = 1
		AND (v.effective, v.recorded, v.event_id) > (l.effective, l.recorded, l.event_id)),
	EXISTS (SELECT 1 FROM versions AS v WHERE v.member_id = l.member_id AND v.kind = 1 AND v.key = l.key)
FROM last AS l
ORDER BY l.member_id`

// measure sets the staged feed against the store, which holds members
// members.
func (a *applier) measure(ctx context.Context, members int64) (*SuspicionReport, error) {
	t := a.opt.Thresholds.withDefaults()
	rep := &SuspicionReport{Members: int(members), Thresholds: t}
	rows, err := a.conn.QueryContext(ctx, measureQuery)
	if err != nil {
		return nil, err
	}
	var changed []string
	for rows.Next() {
		var id, key string
		var cur sql.NullString
		var superseded, had bool
		if err := rows.Scan(&id, &key, &cur, &superseded, &had); err != nil {
			rows.Close()
			return nil, err
		}
		if !cur.Valid || superseded || cur.String == key {
			continue
		}
		rep.Changed++
		if had {
			rep.Reverted++
			if len(rep.Examples) < MaxExamples {
				rep.Examples = append(rep.Examples, id)
			}
		} else if len(changed) < MaxExamples {
			changed = append(changed, id)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
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
