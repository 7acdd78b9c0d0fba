package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

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

var historiesQuery = `SELECT member_id, effective, recorded, event_id, kind, name, addr, key FROM versions
WHERE member_id IN (?` + strings.Repeat(",?", historiesChunk-1) + `)
ORDER BY member_id, effective, recorded, event_id`

// Histories yields the histories of the members ids, as
// [address.HistorySource] says: in id order, nothing for a member the store
// does not know, and on failure a zero History with the error, last. The
// ids should be sorted and distinct; if they are not, Histories sorts and
// deduplicates a copy.
//
// All histories come from one read transaction, so they are consistent
// with each other even while an apply commits; the store is read a few
// hundred members per query.
func (s *Store) Histories(ctx context.Context, ids []string) iter.Seq2[address.History, error] {
	return func(yield func(address.History, error) bool) {
		if !sortedDistinct(ids) {
			ids = slices.Compact(slices.Sorted(slices.Values(ids)))
		}
		if len(ids) == 0 {
			return
		}
		fail := func(err error) { yield(address.History{}, fmt.Errorf("pgsync: histories: %w", err)) }
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			fail(err)
			return
		}
		defer tx.Rollback()
		stmt, err := tx.PrepareContext(ctx, historiesQuery)
		if err != nil {
			fail(err)
			return
		}
		defer stmt.Close()
		args := make([]any, historiesChunk)
		var d decoder
		for len(ids) > 0 {
			chunk := ids[:min(historiesChunk, len(ids))]
			ids = ids[len(chunk):]
			// A short last chunk repeats its last id: IN ignores the
			// repeats, and one statement serves every chunk.
			for i := range args {
				args[i] = chunk[min(i, len(chunk)-1)]
			}
			rows, err := stmt.QueryContext(ctx, args...)
			if err != nil {
				fail(err)
				return
			}
			for rows.Next() {
				h, ok, err := d.scan(rows)
				if err != nil {
					rows.Close()
					fail(err)
					return
				}
				if ok && !yield(h, nil) {
					rows.Close()
					return
				}
			}
			if err := closeRows(rows); err != nil {
				fail(err)
				return
			}
			if h, ok := d.flush(); ok && !yield(h, nil) {
				return
			}
		}
	}
}

func sortedDistinct(ids []string) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			return false
		}
	}
	return true
}

// A decoder groups rows of versions, in key order, into histories.
type decoder struct {
	h    address.History
	addr sql.RawBytes
}

// scan reads one row. When the row starts a new member it returns the
// history of the member before, and true.
func (d *decoder) scan(rows *sql.Rows) (address.History, bool, error) {
	var (
		id                  string
		v                   address.Version
		effective, recorded int64
		kind                int64
	)
	if err := rows.Scan(&id, &effective, &recorded, &v.EventID, &kind, &v.Name, &d.addr, &v.Key); err != nil {
		return address.History{}, false, err
	}
	v.Effective = time.Unix(0, effective).UTC()
	v.Recorded = time.Unix(0, recorded).UTC()
	v.Kind = address.VersionKind(kind)
	if len(d.addr) > 0 {
		if err := v.Address.UnmarshalBinary(d.addr); err != nil {
			return address.History{}, false, fmt.Errorf("member %s event %s: %w", id, v.EventID, err)
		}
	}
	var done address.History
	var ok bool
	if id != d.h.MemberID {
		done, ok = d.flush()
		d.h = address.History{MemberID: id, Versions: make([]address.Version, 0, 2)}
	}
	if v.Name == "" && len(d.h.Versions) > 0 {
		v.Name = d.h.Versions[len(d.h.Versions)-1].Name
	}
	d.h.Versions = append(d.h.Versions, v)
	return done, ok, nil
}

// flush returns the history being built, if any.
func (d *decoder) flush() (address.History, bool) {
	h := d.h
	d.h = address.History{}
	return h, h.MemberID != ""
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
	var ns sql.NullInt64
	err := s.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?1", name).Scan(&ns)
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
