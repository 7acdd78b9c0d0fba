package sync

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/printgate/printgate/address"
)

// ErrUnknownMember is wrapped by the error [Store.History] returns for a
// member the store has no version of.
var ErrUnknownMember = errors.New("unknown member")

// History returns the address history of one member: every version, in
// order of Effective, then Recorded, then event id. An empty name is the
// name of the version before. For a member the store has never heard of it
// returns an error wrapping [ErrUnknownMember].
//
// To read many members, use [Store.Histories]: one query per member is
// many times slower.
func (s *Store) History(ctx context.Context, memberID string) (address.History, error) {
	for h, err := range s.Histories(ctx, []string{memberID}) {
		return h, err
	}
	if !validID(memberID) {
		return address.History{}, ErrUnknownMember
	}
	return address.History{}, fmt.Errorf("pgsync: member %s: %w", memberID, ErrUnknownMember)
}

// historiesChunk is the number of member ids per query of Histories.
const historiesChunk = 500

// historiesQuery reads the versions of historiesChunk members. Each row is
// the version's times and kind, as integers, and one text of its other
// fields separated by the ASCII unit separator, which no id, name, key or
// field of a binary address holds: one string to copy out of SQLite per
// version, of which the history's strings are slices.
var historiesQuery = `SELECT effective, recorded, kind,
	member_id || x'1f' || event_id || x'1f' || name || x'1f' || key || x'1f' || addr
FROM versions
WHERE member_id IN (?` + strings.Repeat(",?", historiesChunk-1) + `)
ORDER BY member_id, effective, recorded, event_id`

// Histories yields the histories of the members ids, as
// [address.HistorySource] says: in id order, nothing for a member the store
// does not know, and on failure a zero History with the error, last. The
// ids should be sorted and distinct; if they are not, Histories sorts and
// deduplicates a copy.
//
// Each history lists the member's standing holds
// ([address.History.Unapplied], see [Hold]). The store is read a few
// hundred members per query, and each version's address is read from its
// stored form and its stored key: nothing is parsed. Each member's history
// comes from one read transaction, consistent even while an apply commits.
// A call on fewer than a few hundred ids is read in one transaction; a
// larger one is cut by ranges of member ids into parts read at once, on as
// many connections as there are CPUs (at most four), each in a transaction
// of its own, a few thousand ids at a time.
//
// To judge a batch, read through a [Snapshot] instead: one state of the
// store for every piece, and faster while anything commits.
func (s *Store) Histories(ctx context.Context, ids []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) {
		if !sortedDistinct(ids) {
			ids = slices.Compact(slices.Sorted(slices.Values(ids)))
		}
		if len(ids) == 0 {
			return
		}
		// Read before the histories, on a connection apart from the read
		// pool, which the caller may hold: a hold that ends in between is
		// still given, which holds a piece that need not be.
		holds, err := standingHolds(ctx, s.parts.db)
		if err != nil {
			yield(address.History{}, fmt.Errorf("pgsync: histories: %w", err))
			return
		}
		yield = withHolds(holds, yield)
		if len(ids) >= splitMin {
			if pivots, parts := s.split(ctx); len(pivots) > 0 {
				s.historiesInParts(ctx, ids, pivots, parts, yield)
				return
			}
		}
		stopped := false
		err = s.readRaw(ctx, func(c *sqlite3.SQLiteConn) error {
			st, err := c.PrepareContext(ctx, historiesQuery)
			if err != nil {
				return err
			}
			defer st.Close()
			return readHistories(ctx, st, ids, func(h address.History) bool {
				stopped = !yield(h, nil)
				return !stopped
			})
		})
		if err != nil && !stopped {
			yield(address.History{}, fmt.Errorf("pgsync: histories: %w", err))
		}
	}
}

// readHistories reads the histories of ids, sorted and distinct, with st,
// historiesQuery prepared, and calls f with each in turn until it returns
// false.
func readHistories(ctx context.Context, st driver.Stmt, ids []string, f func(address.History) bool) error {
	row := make([]driver.Value, 4)
	var d decoder
	stopped := false
	err := queryIDs(ctx, st, historiesChunk, ids, row, func(int, []string) (bool, error) {
		effective, ok1 := row[0].(int64)
		recorded, ok2 := row[1].(int64)
		kind, ok3 := row[2].(int64)
		text, ok4 := row[3].(string)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return false, errRow
		}
		h, ok, err := d.add(effective, recorded, kind, text)
		if err != nil {
			return false, err
		}
		if ok && !f(h) {
			stopped = true
			return false, nil
		}
		return true, nil
	})
	if err != nil || stopped {
		return err
	}
	if h, ok := d.flush(); ok {
		f(h)
	}
	return nil
}

// readRaw calls f with a connection of the read pool, in a read
// transaction.
func (s *Store) readRaw(ctx context.Context, f func(c *sqlite3.SQLiteConn) error) error {
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, err := sqliteConn(dc)
		if err != nil {
			return err
		}
		return inReadTx(ctx, c, func() error { return f(c) })
	})
}

// inReadTx calls f in a read transaction on c.
func inReadTx(ctx context.Context, c *sqlite3.SQLiteConn, f func() error) error {
	if _, err := c.ExecContext(ctx, "BEGIN", nil); err != nil {
		return err
	}
	defer c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK", nil)
	return f()
}

func sortedDistinct(ids []string) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			return false
		}
	}
	return true
}

// A decoder groups rows of versions, in key order, into histories. The
// versions of many members share a slab, so that a history costs no
// allocation of its own.
type decoder struct {
	id    string            // the member being read; "" before the first row
	slab  []address.Version // versions read; the current member's from start
	start int
}

// slabVersions is the number of versions a decoder allocates at a time.
const slabVersions = 256

var errRow = errors.New("malformed version row")

// add decodes one row of historiesQuery: the times, the kind, and the
// text of the other fields. When the row starts a new member it returns
// the history of the member before, and true.
func (d *decoder) add(effective, recorded, kind int64, text string) (address.History, bool, error) {
	var f [4]string // member id, event id, name, key; the address is the rest
	rest := text
	for i := range f {
		j := strings.IndexByte(rest, 0x1f)
		if j < 0 {
			return address.History{}, false, errRow
		}
		f[i], rest = rest[:j], rest[j+1:]
	}
	id := f[0]
	if kind < 0 || kind > 255 {
		return address.History{}, false, fmt.Errorf("member %s: %w", id, errRow)
	}
	v := address.Version{
		EventID:   f[1],
		Effective: time.Unix(0, effective).UTC(),
		Recorded:  time.Unix(0, recorded).UTC(),
		Kind:      address.VersionKind(kind),
		Name:      f[2],
		Key:       f[3],
	}
	if err := loadStoredAddr(&v.Address, rest, v.Key); err != nil {
		return address.History{}, false, fmt.Errorf("member %s event %s: %w", id, v.EventID, err)
	}
	var done address.History
	var ok bool
	if id != d.id {
		done, ok = d.flush()
		d.id = id
	}
	if v.Name == "" && len(d.slab) > d.start {
		v.Name = d.slab[len(d.slab)-1].Name
	}
	if len(d.slab) == cap(d.slab) {
		// A new slab, with the current member's versions so far: a
		// history's versions are contiguous.
		cur := d.slab[d.start:]
		d.slab = append(make([]address.Version, 0, max(slabVersions, 2*len(cur))), cur...)
		d.start = 0
	}
	d.slab = append(d.slab, v)
	return done, ok, nil
}

// flush returns the history being built, if any. Its versions are a full
// slice of the slab: appending to them copies.
func (d *decoder) flush() (address.History, bool) {
	if d.id == "" {
		return address.History{}, false
	}
	h := address.History{MemberID: d.id, Versions: d.slab[d.start:len(d.slab):len(d.slab)]}
	d.id, d.start = "", len(d.slab)
	return h, true
}

// Newest returns the newest Recorded time of any version in the store, or
// the zero time if the store is empty. It implements
// [address.HistorySource].
func (s *Store) Newest(ctx context.Context) (time.Time, error) {
	return s.metaTime(ctx, "newest")
}

// LastApply returns when the last [Store.Apply] completed (by the store's
// Now), or the zero time if none has.
func (s *Store) LastApply(ctx context.Context) (time.Time, error) {
	return s.metaTime(ctx, "last_apply")
}

func (s *Store) metaTime(ctx context.Context, name string) (time.Time, error) {
	return metaTime(ctx, s.r, name)
}

// metaTime reads the time stored in meta under name with q.
func metaTime(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) (time.Time, error) {
	var ns sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?1", name).Scan(&ns)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && !ns.Valid:
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("pgsync: %s: %w", strings.ReplaceAll(name, "_", " "), err)
	}
	return time.Unix(0, ns.Int64).UTC(), nil
}

// Members yields the id of every member the store holds, in order, from
// one read transaction.
func (s *Store) Members(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			yield("", fmt.Errorf("pgsync: members: %w", err))
			return
		}
		defer tx.Rollback()
		rows, err := tx.QueryContext(ctx, "SELECT DISTINCT member_id FROM versions ORDER BY member_id")
		if err != nil {
			yield("", fmt.Errorf("pgsync: members: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				yield("", fmt.Errorf("pgsync: members: %w", err))
				return
			}
			if !yield(id, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield("", fmt.Errorf("pgsync: members: %w", err))
		}
	}
}
