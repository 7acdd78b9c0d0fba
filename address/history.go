package address

import (
	"context"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Version is one of a member's address versions: from Effective on, mail
// to the member goes to Address under Name, or (Kind Undeliverable) mail to
// the address in force came back.
type Version struct {
	EventID   string      // the change event that made this version
	Effective time.Time   // when the version took effect
	Recorded  time.Time   // when the source of truth learned of it
	Kind      VersionKind // Moved, or Undeliverable
	Name      string      // the mailing name; PHI
	Address   Address     // the address; zero for Undeliverable
	Key       string      // Address.Key(), stored so that it is not recomputed
}

// VersionKind says what a [Version] records. It prints and parses as the
// words used in change events: "address", "undeliverable". Do not reorder.
type VersionKind uint8

const (
	// Moved: from Effective on, the member's address is Version.Address.
	Moved VersionKind = iota + 1
	// Undeliverable: mail to the address in force came back at Effective.
	// It stands until a newer Moved version.
	Undeliverable
)

var versionKindNames = [...]string{"", "address", "undeliverable"}

func (k VersionKind) String() string {
	if k != 0 && int(k) < len(versionKindNames) {
		return versionKindNames[k]
	}
	return "unknown"
}

// MarshalText implements [encoding.TextMarshaler].
func (k VersionKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]. The empty text is
// Moved, as an event with no kind is an address change.
func (k *VersionKind) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*k = Moved
		return nil
	}
	for i, n := range versionKindNames {
		if i > 0 && n == string(text) {
			*k = VersionKind(i)
			return nil
		}
	}
	return errUnknownName("version kind", text)
}

// A History is everything the source of truth knows of one member's
// addresses: Versions ordered by Effective, then Recorded, then EventID.
type History struct {
	MemberID string
	Versions []Version
	// Unapplied lists the member's change events the source of truth
	// received and could not apply (a bad row of a feed), and no one has
	// cleared since. Versions may then be missing the member's latest
	// move: the gate finds a piece that would be current, recently changed
	// or pending an UnappliedChange, not releasable as current, unless a
	// later move supersedes every such event ([History.UnappliedAt]).
	Unapplied []UnappliedEvent
}

// An UnappliedEvent is a change event for a member that the source of truth
// received and could not apply. It names the event and the field at fault,
// never their text.
type UnappliedEvent struct {
	EventID  string    // the event's id; "" when the row had no readable one
	Field    string    // the column at fault ("line1", "effective"), or ""
	Received time.Time // when the source of truth received it
	// Effective is when the event would take effect, as its row said; the
	// zero time when that could not be read, or its rows said more than
	// one time. See [History.UnappliedAt].
	Effective time.Time
}

// UnappliedAt returns the events of h.Unapplied that may still change the
// member's address in force at t: all of them but those a later move
// supersedes. An event is superseded at t when its Effective is known and
// before that of the address in force at t (h's newest Moved version at or
// before t), and that version is another event's: whatever the event said,
// the member moved again after it, and the newest move at or before t is
// the one in force. An event whose time is unknown, or on or after that of
// the address in force, stands. The result shares h.Unapplied's storage
// when nothing is superseded.
func (h History) UnappliedAt(t time.Time) []UnappliedEvent {
	if len(h.Unapplied) == 0 {
		return nil
	}
	cur := -1
	for i := range h.Versions {
		v := &h.Versions[i]
		if v.Effective.After(t) {
			break
		}
		if v.Kind == Moved {
			cur = i
		}
	}
	if cur < 0 {
		return h.Unapplied
	}
	in := &h.Versions[cur]
	superseded := func(u UnappliedEvent) bool {
		return !u.Effective.IsZero() && u.Effective.Before(in.Effective) && u.EventID != in.EventID
	}
	if !slices.ContainsFunc(h.Unapplied, superseded) {
		return h.Unapplied
	}
	return slices.DeleteFunc(slices.Clone(h.Unapplied), superseded)
}

// UnappliedDetail describes a member's unapplied events as the gate's
// verdicts do: the first event's id and the field at fault, and how many
// more there are ("a change event for the member could not be applied:
// event E7, field zip (and 2 more)"). It holds no text of the events. It
// returns "" for none.
func UnappliedDetail(us []UnappliedEvent) string {
	if len(us) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("a change event for the member could not be applied")
	if d := us[0].describe(); d != "" {
		b.WriteString(": ")
		b.WriteString(d)
	}
	if len(us) > 1 {
		b.WriteString(" (and ")
		b.WriteString(strconv.Itoa(len(us) - 1))
		b.WriteString(" more)")
	}
	return b.String()
}

// HistorySource is where the gate reads members' address histories: the
// source of truth. The sync package's Store implements it; so can a user's
// own database (addresstest has a conformance check).
type HistorySource interface {
	// Histories yields the histories of the members ids, which are sorted
	// and distinct, in that order. For each id one of three things
	// happens:
	//  1. the member has a history: it is yielded with a nil error;
	//  2. the source has never heard of the member: nothing is yielded
	//     for it;
	//  3. the source fails: a zero History and the error are yielded, and
	//     the sequence ends.
	// Implementations fetch in bulk: a source is asked for tens of
	// thousands of members at once.
	Histories(ctx context.Context, ids []string) iter.Seq2[History, error]

	// Newest returns the newest Recorded time of any version the source
	// holds: how fresh it is. The zero time means the source is empty.
	Newest(ctx context.Context) (time.Time, error)
}

// describe names u by its event id and the field at fault, those it has:
// "event E7, field zip", or "".
func (u UnappliedEvent) describe() string {
	switch {
	case u.EventID != "" && u.Field != "":
		return "event " + u.EventID + ", field " + u.Field
	case u.EventID != "":
		return "event " + u.EventID
	case u.Field != "":
		return "field " + u.Field
	}
	return ""
}

// An UnattributedSource is a HistorySource that can hold change events it
// received and could not apply without knowing whose they are: a feed row
// whose member id could not be read. Any member's history may then lack a
// move, so no piece can be shown to go to its member's address, and the
// gate halts every batch while such an event stands. The sync package's
// Store and Snapshot implement it.
type UnattributedSource interface {
	HistorySource
	// Unattributed returns the change events the source holds that it
	// could not apply and cannot tie to a member, oldest first; none when
	// it holds none.
	Unattributed(ctx context.Context) ([]UnappliedEvent, error)
}

// Status is what the gate, or a drift check, finds of an address printed for
// a member, as of a time. It prints and parses as the words used in CSV and
// JSON outputs ("stale", "recently_changed"). Do not reorder this list or
// remove any items.
type Status uint8

const (
	// Current: the printed address is equivalent to the member's address
	// in force.
	Current Status = iota + 1
	// RecentlyChanged: current, but that address took effect within the
	// recent window before the time of the check.
	RecentlyChanged
	// PendingChange: current, but a newer address takes effect within the
	// recent window after the time of the check; or the printed address is
	// that newer one, not yet in force.
	PendingChange
	// Stale: equivalent to a former address of the member.
	Stale
	// UnknownAddress: equivalent to no address the member ever had.
	UnknownAddress
	// UndeliverableAddress: the member's address in force is marked
	// undeliverable.
	UndeliverableAddress
	// UnknownMember: the source of truth has no such member.
	UnknownMember
	// WrongRecipient: the printed name is not the member's (see
	// [SameName]), or joins the member's and another's.
	WrongRecipient
	// Commingled: the piece carries another member's document.
	Commingled
	// DuplicatePiece: the piece's id was seen before in the batch.
	DuplicatePiece
	// Invalid: the address or the row cannot be read.
	Invalid
	// UnappliedChange: the piece would be current, recently changed or
	// pending a change, but the source of truth holds a change event for
	// the member that it could not apply ([History.Unapplied]): the
	// member may have moved.
	UnappliedChange
)

var statusNames = [...]string{"", "current", "recently_changed", "pending_change", "stale",
	"unknown_address", "undeliverable", "unknown_member", "wrong_recipient", "commingled",
	"duplicate_piece", "invalid", "unapplied_change"}

// String returns the status's name as used in outputs: "recently_changed".
func (s Status) String() string {
	if s != 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// MarshalText implements [encoding.TextMarshaler].
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (s *Status) UnmarshalText(text []byte) error {
	for i, n := range statusNames {
		if i > 0 && n == string(text) {
			*s = Status(i)
			return nil
		}
	}
	return errUnknownName("status", text)
}

// A Finding is what [Classify] finds of a printed address.
type Finding struct {
	Status Status
	// Version is the index in History.Versions of the version the
	// address was judged against: the one it is equivalent to (Current,
	// RecentlyChanged, Stale, PendingChange for a future address), or the
	// address in force (UnknownAddress, UndeliverableAddress, and
	// PendingChange for the current address). -1 when there is none.
	Version int
	// Since is when the status began: for Stale, when the member moved
	// away from the printed address; for RecentlyChanged, when the address
	// took effect; for PendingChange, when the newer address takes effect;
	// for UndeliverableAddress, when mail came back.
	Since time.Time
	// Match compares the printed address with the address in force; its
	// Kind and Differs explain an UnknownAddress (similar, which fields).
	// For the same delivery point in another building it is Different in
	// the building alone (FieldBuilding).
	Match Match
}

// DefaultRecent is the recent window when none is given: 30 days.
const DefaultRecent = 30 * 24 * time.Hour

// Classify judges printed, an address printed for the member whose history
// is h, as of asOf. recent is the window for RecentlyChanged and
// PendingChange; 0 means [DefaultRecent].
//
// The address in force at asOf is the newest address version that took
// effect at or before asOf (by Effective, then Recorded, then EventID). An
// undeliverable mark at or before asOf and after that version makes it
// undeliverable. Equivalence is [Compare]'s, by key, and the two
// addresses' buildings must agree ([BuildingsAgree]): a piece for SMITH
// HALL is not at the address of JONES HALL at the same number. In order:
//   - equivalent to the address in force: UndeliverableAddress if it is
//     marked so; PendingChange if a newer address takes effect within recent
//     after asOf; RecentlyChanged if it took effect within recent before
//     asOf; else Current;
//   - equivalent to a former address: Stale, since the version after it;
//   - equivalent to an address taking effect after asOf: PendingChange;
//   - else UnknownAddress.
//
// A member with no address in force has only former or future ones, so
// Classify never finds Current for them. Classify does not parse: it uses
// each version's Key. It judges the versions alone: h.Unapplied is the
// gate's to weigh (a piece Classify finds current is an UnappliedChange
// to the gate when the member has unapplied events that stand at asOf,
// [History.UnappliedAt]).
func Classify(printed Address, h History, asOf time.Time, recent time.Duration) Finding {
	if recent <= 0 {
		recent = DefaultRecent
	}
	cur, undeliverable := -1, -1
	for i := range h.Versions {
		v := &h.Versions[i] // a Version is nearly 400 bytes: not copied
		if v.Effective.After(asOf) {
			break
		}
		switch v.Kind {
		case Moved:
			cur, undeliverable = i, -1
		case Undeliverable:
			if cur >= 0 {
				undeliverable = i
			}
		}
	}
	f := Finding{Version: cur}
	if cur >= 0 {
		// Equivalent exactly when the keys are equal (Compare's contract);
		// the printed address's key is made only when it is needed.
		// (A source that gives a version's Key without its Address is
		// compared by key.)
		vc := &h.Versions[cur]
		f.Match = Compare(printed, vc.Address)
		if f.Match.Kind == Equivalent && !BuildingsAgree(printed.Building, vc.Address.Building) {
			// The same delivery point, another building at it: SMITH
			// HALL, 123 COLLEGE AVE is not JONES HALL, 123 COLLEGE AVE.
			f.Match = Match{Kind: Different, Differs: []Field{FieldBuilding}}
		}
		if f.Match.Kind == Equivalent || vc.Address.IsZero() && vc.Key != "" && vc.Key == printed.Key() {
			switch next := nextMove(h.Versions, cur); {
			case undeliverable >= 0:
				f.Status, f.Since = UndeliverableAddress, h.Versions[undeliverable].Effective
			case next >= 0 && !h.Versions[next].Effective.After(asOf.Add(recent)):
				f.Status, f.Since = PendingChange, h.Versions[next].Effective
			case asOf.Sub(vc.Effective) < recent:
				f.Status, f.Since = RecentlyChanged, vc.Effective
			default:
				f.Status = Current
			}
			return f
		}
	}
	key := printed.Key()
	// A former address: the newest version with this key before the one
	// in force; it went stale when the next address took effect.
	for i := cur - 1; i >= 0; i-- {
		if v := &h.Versions[i]; v.Kind == Moved && v.key() == key && BuildingsAgree(printed.Building, v.Address.Building) {
			f.Status, f.Version = Stale, i
			if next := nextMove(h.Versions, i); next >= 0 {
				f.Since = h.Versions[next].Effective
			}
			return f
		}
	}
	for i := cur + 1; i < len(h.Versions); i++ {
		if v := &h.Versions[i]; v.Kind == Moved && v.Effective.After(asOf) && v.key() == key && BuildingsAgree(printed.Building, v.Address.Building) {
			f.Status, f.Version, f.Since = PendingChange, i, v.Effective
			return f
		}
	}
	f.Status = UnknownAddress
	return f
}

// nextMove returns the index of the first address version after i, or -1.
func nextMove(vs []Version, i int) int {
	for j := i + 1; j < len(vs); j++ {
		if vs[j].Kind == Moved {
			return j
		}
	}
	return -1
}

// key returns the version's stored key, computing it if the source did not
// store one.
func (v *Version) key() string {
	if v.Key == "" && !v.Address.IsZero() {
		return v.Address.Key()
	}
	return v.Key
}
