package sync

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/printgate/printgate/address"
)

// A Hold is a change event for a member that the store received and could
// not apply: a bad row of a feed (a time, a kind, a name or an address that
// cannot be read) whose member id could be, or a conflict that may move the
// member (see the package documentation). Neither applies anything, so
// the member's history may be missing a move: a piece printed to the
// address the store has in force may be going to a former one. So while
// the hold stands, the member's history lists it
// ([address.History.Unapplied]) and the gate finds a piece that would be
// current an [address.UnappliedChange], which its default policy
// quarantines.
//
// A hold ends when a later [Store.Apply] brings the same event (the same
// event id for the same member) in a good row, as upstream sends it again
// corrected, and applies it or finds it applied already; or when a
// reviewer clears it ([Store.ClearHold], [Store.ClearHolds]). A row with no readable
// event id holds its member until a reviewer clears it.
//
// A correction upstream sends under a new event id ends no hold, but a
// later move supersedes it: a hold whose row gave a readable effective
// time (Effective) holds no piece judged as of a time when the member's
// address in force took effect after that time, since whatever the row
// said, the newest move at or before then is the one in force
// ([address.History.UnappliedAt]). The hold still stands, and is listed,
// for a piece judged as of an earlier time and for a reviewer to clear.
//
// A tie (two versions of the member with the same effective and recorded
// times and another address or kind, see the package documentation) holds
// the member by each of its events, with Field "recorded": both were
// applied, but which is in force cannot be told. No event ends such a
// hold; a later move supersedes it, or a reviewer clears it.
//
// A row with no readable member id may be any member's move, so its hold,
// with MemberID "", holds every member: while it stands the store is an
// [address.UnattributedSource] with events to report, and the gate halts
// every batch. It ends as a member's does: when a later apply brings its
// event id in a good row (for whichever member), or when a reviewer clears
// it, once the feed's row is known to move no one the store keeps.
type Hold struct {
	MemberID string    // "" when the row had no readable member id
	EventID  string    // "" when the row had no readable event id
	Line     int       // the row's line in the feed it came in
	Field    string    // the column at fault, or ""
	Reason   string    // what is wrong with it; no name or address text
	Received time.Time // when the apply that read it ran (by the store's Now)
	// Effective is when the row said the event takes effect; the zero time
	// when that could not be read, or the event's bad rows gave more than
	// one time. A later move of the member, in force at the time a piece
	// is judged as of, supersedes a hold whose time is known and earlier.
	Effective time.Time
}

// Errors of [Store.ClearHold] and [Store.ClearHolds].
var (
	ErrNoHold          = errors.New("no hold stands for the member and event")
	ErrClearIncomplete = errors.New("clearing a hold needs a reviewer and a reason")
)

type holdKey struct{ member, event string }

// A heldRow is the hold a feed's bad rows of one member and event place,
// or its conflict, or the tie of a version it applies (tie).
type heldRow struct {
	re *RowError // the first such row: its line, field and reason are kept
	// The rows' effective time, Unix nanoseconds; not Valid when a row's
	// time could not be read, or the rows differ.
	effective sql.NullInt64
	tie       bool // a tie (addTie): no event ends it
	placed    bool // written to the store by this apply
}

// tieReason is the reason of a tie's hold (addTie). The text is stored
// with the hold and read back to tell a tie's hold, which no event ends,
// from others: do not change it.
const tieReason = "tie: another version of the member has the same effective and recorded times and another address or kind"

var errTie = errors.New(tieReason)

// addHold records that the bad row re holds its member, or every member
// when it names none. The first bad row of a member and event in a feed is
// the one kept; the hold's effective time is known only when every such
// row gives the same one.
func (a *applier) addHold(re *RowError) {
	k := holdKey{strings.Clone(re.MemberID), strings.Clone(re.EventID)}
	if a.holds == nil {
		a.holds = map[holdKey]*heldRow{}
	}
	h, ok := a.holds[k]
	if !ok {
		a.newHolds = true
		a.holds[k] = &heldRow{re: re, effective: sql.NullInt64{Int64: re.Effective.UnixNano(), Valid: !re.Effective.IsZero()}}
		return
	}
	if h.tie {
		return
	}
	if re.Effective.IsZero() || re.Effective.UnixNano() != h.effective.Int64 {
		h.effective.Valid = false
	}
}

// addTie records that the version of member and event, a version of a
// tie the feed makes, holds the member: two versions of the member, one
// of which the feed applies, with the same effective and recorded times
// and another address or kind. Which of the two is in force then turns on
// their event ids, which say nothing of it, so each is held (whichever
// came first), by its event, from the tie's effective time on: a later
// move supersedes the holds ([address.History.UnappliedAt]). No event
// ends them. line is the line of the feed's row that makes the tie; a
// tie's hold takes the place of any other hold of the feed's of the same
// member and event.
func (a *applier) addTie(member, event string, line int, effective int64) {
	k := holdKey{strings.Clone(member), strings.Clone(event)}
	if h, ok := a.holds[k]; ok && h.tie {
		return
	}
	if a.holds == nil {
		a.holds = map[holdKey]*heldRow{}
	}
	a.newHolds = true
	a.holds[k] = &heldRow{
		re:        &RowError{Line: line, Field: "recorded", EventID: k.event, MemberID: k.member, Err: errTie},
		effective: sql.NullInt64{Int64: effective, Valid: true},
		tie:       true,
	}
}

// An execer runs a statement and returns the number of rows it changed:
// in a transaction of database/sql, or on the writer's driver connection
// in a chunk's (see txExec, connExec).
type execer func(ctx context.Context, q string, args ...any) (int64, error)

func txExec(tx *sql.Tx) execer {
	return func(ctx context.Context, q string, args ...any) (int64, error) {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
}

func connExec(c *sqlite3.SQLiteConn) execer {
	return func(ctx context.Context, q string, args ...any) (int64, error) {
		nv := make([]driver.NamedValue, len(args))
		for i, v := range args {
			switch x := v.(type) {
			case int:
				v = int64(x)
			case driver.Valuer:
				var err error
				if v, err = x.Value(); err != nil {
					return 0, err
				}
			}
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
		}
		res, err := c.ExecContext(ctx, q, nv)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
}

// fedGood sets watch[k] for each key of watch whose event the feed holds
// good (to apply, or applied already) for the member, or for any member
// when the key names none.
func (a *applier) fedGood(watch map[holdKey]bool) {
	if len(watch) == 0 {
		return
	}
	for i := range a.rows {
		r := &a.rows[i]
		if r.status == stConflict {
			continue
		}
		k := holdKey{a.memberID(r), a.eventID(r)}
		if _, ok := watch[k]; ok {
			watch[k] = true
		}
		k.member = ""
		if _, ok := watch[k]; ok {
			watch[k] = true
		}
	}
}

// placeHolds writes the holds of the feed that are not written yet: of its
// bad rows and its conflicts (conflictHolds) and of the ties of the
// versions it applies (addTie). Apply places them before any chunk
// commits (in the transaction that marks the feed pending, or in the
// chunk's that finds them), so that no process that dies in the middle
// leaves a move applied and its member unheld. A bad row or conflict of
// an event the feed holds good for the same member places nothing: a bad
// row and a good one of the same event and member in one feed hold
// nothing. A hold that stands already is not placed again; it keeps when
// it was received, and its effective time only if this feed's rows give
// the same one.
func (a *applier) placeHolds(ctx context.Context, exec execer) error {
	a.newHolds = false
	watch := map[holdKey]bool{}
	for k, h := range a.holds {
		if !h.placed && !h.tie && k.event != "" {
			watch[k] = false
		}
	}
	a.fedGood(watch)
	now := a.s.now().UnixNano()
	for k, h := range a.holds {
		if h.placed || watch[k] {
			continue
		}
		h.placed = true
		re, effective := h.re, h.effective // effective: NULL when not known
		if h.tie {
			// A tie's hold takes the place of one standing of another
			// reason, which its event would end.
			if _, err := exec(ctx, `UPDATE holds SET line = ?3, field = ?4, reason = ?5, effective = ?6
WHERE member_id = ?1 AND event_id = ?2 AND cleared IS NULL AND reason <> ?5`, k.member, k.event, re.Line, re.Field, tieReason, effective); err != nil {
				return err
			}
		}
		n, err := exec(ctx, `INSERT INTO holds (member_id, event_id, line, field, reason, received, effective)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (member_id, event_id) DO UPDATE SET line = excluded.line, field = excluded.field,
	reason = excluded.reason, received = excluded.received, effective = excluded.effective,
	cleared = NULL, cleared_by = '', cleared_why = ''
WHERE cleared IS NOT NULL`, k.member, k.event, re.Line, re.Field, re.Err.Error(), now, effective)
		if err != nil {
			return err
		}
		if n > 0 {
			if k.member == "" {
				a.rep.Unattributed++
			} else {
				a.rep.Held++
			}
			continue
		}
		if h.tie {
			continue
		}
		if _, err := exec(ctx, `UPDATE holds SET effective = NULL
WHERE member_id = ?1 AND event_id = ?2 AND cleared IS NULL AND effective IS NOT ?3 AND reason <> ?4`, k.member, k.event, effective, tieReason); err != nil {
			return err
		}
	}
	return nil
}

// endHolds, in the transaction that ends an apply, after every chunk has
// committed, ends the holds standing whose event the feed held good
// (applied now, or applied before) for their member, or for any member
// for a hold of none. A tie's hold is not ended by an event. Ending one
// before its event's chunk commits would leave the member unheld with
// the move not applied.
func (a *applier) endHolds(ctx context.Context, tx *sql.Tx) error {
	watch := map[holdKey]bool{} // true: the feed applied, or the store holds, the event
	err := scanHolds(ctx, tx, allHolds, func(h Hold) bool {
		if h.EventID != "" && h.Reason != tieReason {
			watch[holdKey{h.MemberID, h.EventID}] = false
		}
		return true
	})
	if err != nil {
		return err
	}
	a.fedGood(watch)
	now := a.s.now().UnixNano()
	for k, applied := range watch {
		if !applied {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE holds SET cleared = ?3, cleared_why = 'event applied'
WHERE member_id = ?1 AND event_id = ?2 AND cleared IS NULL AND reason <> ?4`, k.member, k.event, now, tieReason)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			a.rep.HoldsEnded++
		}
	}
	return nil
}

// conflictHolds holds the member of each conflict (an event id known with
// other content, see [ErrConflict]) that may change the member's
// addresses: the store kept the content it had, or, for an id the feed
// brought twice, applied neither, so a correction sent under the same id
// would be lost. Field names what differs from the event the store
// applied for the member:
//   - event_id: the store applied the event for no such member (or the
//     feed brought the id twice); when it applied it for another member,
//     that member is held too (field member_id, from the effective time
//     of the version applied), whose move it may not be;
//   - kind, effective, address (as keyed): the move may be another;
//   - recorded: the member has another version of the same effective
//     time, in the store or in the feed, whose address or kind differs,
//     so the recorded time decides which is in force.
//
// Otherwise the conflict differs only in what does not move the member
// (the name, how the address was written, or a recorded time that orders
// it among no version of the same effective time that differs) and holds
// no one.
//
// The versions of the conflicts' members are read with c, before the
// transaction that writes the holds: an applied event does not change.
// The member an event was applied for is found by reading every version
// (there is no index of versions by event): once per 500 such conflicts,
// only for the ids the store holds events of.
func (a *applier) conflictHolds(ctx context.Context, c *sqlite3.SQLiteConn, conflicts []int) error {
	if len(conflicts) == 0 {
		return nil
	}
	type applied struct {
		kind, effective, recorded int64
		key                       string
	}
	type version struct {
		event string
		applied
	}
	found := make(map[holdKey]applied, len(conflicts))
	others := map[string][]version{} // the versions of the conflicts' members
	members := make([]string, len(conflicts))
	for i, k := range conflicts {
		r := &a.rows[k]
		members[i] = a.memberID(r)
		found[holdKey{a.memberID(r), a.eventID(r)}] = applied{kind: -1}
	}
	slices.Sort(members)
	err := lookup(ctx, c, conflictVersionsQuery, 6, members, func(_ int, row []driver.Value) error {
		member, _ := row[0].(string)
		event, _ := row[1].(string)
		kind, _ := row[2].(int64)
		effective, _ := row[3].(int64)
		recorded, _ := row[4].(int64)
		key, _ := row[5].(string)
		v := applied{kind, effective, recorded, key}
		k := holdKey{member, event}
		if _, ok := found[k]; ok {
			found[k] = v
		}
		others[member] = append(others[member], version{event, v})
		return nil
	})
	if err != nil {
		return err
	}
	// tied reports whether the member of row k has another version at its
	// effective time whose kind or key differs from v's.
	tied := func(k int, v applied) bool {
		r := &a.rows[k]
		member, event := a.memberID(r), a.eventID(r)
		for _, o := range others[member] {
			if o.event != event && o.effective == v.effective && (o.kind != v.kind || o.key != v.key) {
				return true
			}
		}
		// The feed's rows of the member at that time are next to r.
		for _, step := range []int{-1, 1} {
			for j := k + step; j >= 0 && j < len(a.rows); j += step {
				o := &a.rows[j]
				if o.memberPrefix != r.memberPrefix || o.effective != r.effective || a.memberID(o) != member {
					break
				}
				if o.status != stConflict && a.eventID(o) != event && (int64(o.kind) != v.kind || a.key(o) != v.key) {
					return true
				}
			}
		}
		return false
	}
	var elsewhere []int // conflicts of events applied for no such member
	for _, k := range conflicts {
		r := &a.rows[k]
		field := ""
		switch v := found[holdKey{a.memberID(r), a.eventID(r)}]; {
		case v.kind < 0:
			field = "event_id"
			elsewhere = append(elsewhere, k)
		case v.kind != int64(r.kind):
			field = "kind"
		case v.effective != r.effective:
			field = "effective"
		case v.key != a.key(r):
			field = "address"
		case v.recorded != r.recorded && tied(k, v):
			field = "recorded"
		default:
			continue
		}
		a.addHold(&RowError{Line: r.line, Field: field, EventID: a.eventID(r), MemberID: a.memberID(r), Err: ErrConflict,
			Effective: time.Unix(0, r.effective).UTC()})
	}
	return a.holdAppliedElsewhere(ctx, c, elsewhere)
}

// holdAppliedElsewhere holds, for each conflict of rows (whose event the
// store applied for no such member), the member the store applied the
// event for, if any: upstream now says the move was another member's.
func (a *applier) holdAppliedElsewhere(ctx context.Context, c *sqlite3.SQLiteConn, rows []int) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]string, len(rows))
	line := make(map[string]int, len(rows)) // by event id: the first conflict's line
	for i, k := range rows {
		r := &a.rows[k]
		ids[i] = a.eventID(r)
		if l, ok := line[ids[i]]; !ok || r.line < l {
			line[ids[i]] = r.line
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var stored []string // those the store holds an event of
	err := lookup(ctx, c, knownQuery, 2, ids, func(i int, _ []driver.Value) error {
		stored = append(stored, ids[i])
		return nil
	})
	if err != nil {
		return err
	}
	return lookup(ctx, c, eventVersionsQuery, 3, stored, func(i int, row []driver.Value) error {
		event, _ := row[0].(string)
		member, _ := row[1].(string)
		effective, _ := row[2].(int64)
		a.addHold(&RowError{Line: line[event], Field: "member_id", EventID: strings.Clone(event), MemberID: strings.Clone(member),
			Err: ErrConflict, Effective: time.Unix(0, effective).UTC()})
		return nil
	})
}

// queryer is what the holds are read with: the store's pools, a
// snapshot's connection.
type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// Which holds scanHolds reads.
const (
	allHolds          = ""
	unattributedHolds = "AND member_id = ''" // of no member
)

// scanHolds calls f with each hold standing that which selects (allHolds
// or unattributedHolds), read with q, by member id and then as received,
// until f returns false.
func scanHolds(ctx context.Context, q queryer, which string, f func(Hold) bool) error {
	rows, err := q.QueryContext(ctx, `SELECT member_id, event_id, line, field, reason, received, effective FROM holds
WHERE cleared IS NULL `+which+` ORDER BY member_id, received, event_id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var h Hold
		var received int64
		var effective sql.NullInt64
		if err := rows.Scan(&h.MemberID, &h.EventID, &h.Line, &h.Field, &h.Reason, &received, &effective); err != nil {
			rows.Close()
			return err
		}
		h.Received = time.Unix(0, received).UTC()
		if effective.Valid {
			h.Effective = time.Unix(0, effective.Int64).UTC()
		}
		if !f(h) {
			break
		}
	}
	return closeRows(rows)
}

// standingHolds reads the holds standing, as histories list them, by
// member (those of no member under ""); nil when there are none.
func standingHolds(ctx context.Context, q queryer) (map[string][]address.UnappliedEvent, error) {
	var holds map[string][]address.UnappliedEvent
	err := scanHolds(ctx, q, allHolds, func(h Hold) bool {
		if holds == nil {
			holds = map[string][]address.UnappliedEvent{}
		}
		holds[h.MemberID] = append(holds[h.MemberID], h.unapplied())
		return true
	})
	return holds, err
}

// unapplied returns h as a history lists it.
func (h Hold) unapplied() address.UnappliedEvent {
	return address.UnappliedEvent{EventID: h.EventID, Field: h.Field, Received: h.Received, Effective: h.Effective}
}

// withHolds returns yield, which is given histories, giving each the holds
// standing for its member.
func withHolds(holds map[string][]address.UnappliedEvent, yield func(address.History, error) bool) func(address.History, error) bool {
	if len(holds) == 0 {
		return yield
	}
	return func(h address.History, err error) bool {
		if err == nil && h.MemberID != "" {
			h.Unapplied = holds[h.MemberID]
		}
		return yield(h, err)
	}
}

// Holds yields the holds standing, by member id and then as received.
func (s *Store) Holds(ctx context.Context) iter.Seq2[Hold, error] {
	return func(yield func(Hold, error) bool) {
		stopped := false
		err := scanHolds(ctx, s.r, allHolds, func(h Hold) bool {
			stopped = !yield(h, nil)
			return !stopped
		})
		if err != nil && !stopped {
			yield(Hold{}, fmt.Errorf("pgsync: holds: %w", err))
		}
	}
}

// Unattributed returns the events of the holds standing that name no
// member ([Hold]), oldest first. While there are any, the gate halts every
// batch. It implements [address.UnattributedSource].
func (s *Store) Unattributed(ctx context.Context) ([]address.UnappliedEvent, error) {
	us, err := unattributed(ctx, s.r)
	if err != nil {
		return nil, fmt.Errorf("pgsync: unattributed holds: %w", err)
	}
	return us, nil
}

// unattributed reads the holds standing that name no member with q,
// oldest first.
func unattributed(ctx context.Context, q queryer) ([]address.UnappliedEvent, error) {
	var us []address.UnappliedEvent
	err := scanHolds(ctx, q, unattributedHolds, func(h Hold) bool {
		us = append(us, h.unapplied())
		return true
	})
	return us, err
}

// quoteID quotes id for an error: "" and a well-formed id as they are,
// anything else (a name or an address shifted into an id column) as
// "(malformed id)", never its text.
func quoteID(id string) string {
	if id != "" && !validID(id) {
		return "(malformed id)"
	}
	return strconv.Quote(id)
}

// ClearHold ends the hold of a member's event ("" for a row that had no
// readable event id; member "" for a hold of no member), as a reviewer decides once the member's address is
// known to be right in the store: the reviewer and the reason are kept with
// it. It returns an error wrapping [ErrNoHold] when no such hold stands,
// and [ErrClearIncomplete] without a reviewer or a reason.
func (s *Store) ClearHold(ctx context.Context, memberID, eventID, reviewer, reason string) error {
	_, err := s.ClearHolds(ctx, []Hold{{MemberID: memberID, EventID: eventID}}, reviewer, reason)
	return err
}

// ClearHolds ends many holds as [Store.ClearHold] ends one, with one
// reviewer and reason, in one transaction: all of them, or none when any
// names no standing hold (the error wraps [ErrNoHold] and names the first
// such by its ids, each only if it is well-formed). Only the MemberID and
// EventID of each are read, so holds listed by [Store.Holds] can be picked
// and passed back; one listed twice is cleared once. It returns how many
// holds it cleared.
func (s *Store) ClearHolds(ctx context.Context, holds []Hold, reviewer, reason string) (int, error) {
	if strings.TrimSpace(reviewer) == "" || strings.TrimSpace(reason) == "" {
		return 0, fmt.Errorf("pgsync: clearing holds: %w", ErrClearIncomplete)
	}
	wrap := func(h Hold, err error) error {
		return fmt.Errorf("pgsync: hold of member %s, event %s: %w", quoteID(h.MemberID), quoteID(h.EventID), err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("pgsync: clearing holds: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `UPDATE holds SET cleared = ?3, cleared_by = ?4, cleared_why = ?5
WHERE member_id = ?1 AND event_id = ?2 AND cleared IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("pgsync: clearing holds: %w", err)
	}
	defer st.Close()
	at := s.now().UnixNano()
	done := make(map[holdKey]bool, len(holds))
	for _, h := range holds {
		k := holdKey{h.MemberID, h.EventID}
		if done[k] {
			continue
		}
		done[k] = true
		res, err := st.ExecContext(ctx, h.MemberID, h.EventID, at, reviewer, reason)
		if err != nil {
			return 0, wrap(h, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, wrap(h, err)
		} else if n == 0 {
			return 0, wrap(h, ErrNoHold)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("pgsync: clearing holds: %w", err)
	}
	return len(done), nil
}
