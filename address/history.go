package address

import (
	"context"
	"iter"
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
