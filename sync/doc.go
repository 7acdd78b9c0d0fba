// Package sync is printgate's source of truth: every address each member has
// had, in a SQLite file, kept in sync with upstream systems through change
// events.
//
// The package shares its name with the standard library's sync. Callers,
// examples and external tests import it under one alias:
//
//	import pgsync "github.com/printgate/printgate/sync"
//
// # Store
//
// [Open] opens (creating if missing, with file mode 0600) a store and
// migrates its schema forward; a store written by a newer printgate is
// refused with [ErrNewerSchema]. The migrations to schemas 6 and 7 each
// read every version once, to make anew the keys of addresses with accents
// (6) and of streets named AVENUE C or BOULEVARD OF THE ALLIES (7; see
// [address.Address.Key]): 7–9 s each for 12.5 million members, the first
// time a newer printgate opens an older store. The file is in WAL mode: readers, in this
// process or another, do not block the writer and are not blocked by it.
// Writes through one Store are serialized; reads run concurrently.
//
// A [Store] is an [address.HistorySource]: [Store.Histories] fetches the
// histories of many members a few hundred per query, each member's from
// one read transaction, and reads each address from its stored form and key
// with no parsing. A large call is cut by ranges of member ids into parts
// read at once, each on a connection kept for its range, so that each
// connection's memory map of the file faults in one region of it.
// [Store.Newest] and [Store.LastApply] tell how fresh the store is.
//
// A batch is best judged against a [Snapshot] ([Store.Snapshot]), also an
// [address.HistorySource]: the store as of the moment it was taken, for
// every piece, whatever commits while the batch runs. It is faster too:
// SQLite drops a connection's memory map whenever a read transaction of it
// begins after a commit, as the ledger's are, and a snapshot's
// transactions last until it is closed.
// Before a batch that looks up a good share of the store's members (more
// than 1 in 1,000), [Store.Prewarm] has the operating system read the
// histories into its page cache in long sequential reads: on a store not in
// the cache that is several times faster than the batch's random reads; on
// Linux, in large folios, which it also reads again where the cache holds
// the histories in small ones (about twice as fast for the batch job).
// [Store.Compact] lays the histories out in order at the front of the file,
// where lookups read them fastest; [Store.Layout] tells when that would
// help.
//
// # Change events
//
// An [Event] says "from Effective on, member M's mailing name and address
// are X" (kind address), or "mail to M's address came back at Effective"
// (kind undeliverable; it stands until a newer address event). Upstream
// systems send them as CSV with a header row, read by [CSVReader], or as JSON
// Lines with the same field names, read by [JSONLReader]:
//
//	event_id,member_id,effective,recorded,name,line1,line2,city,state,zip,kind
//
// [Store.Apply] applies a stream of events. The rules:
//   - Apply is idempotent. An event whose id the store already holds with the
//     same content is skipped; with different content it is a conflict,
//     reported by id and line ([ErrConflict]) and not applied. An id that
//     comes twice in one feed with different content is a conflict at both
//     lines, and neither is applied.
//   - Arrival order does not matter. A history is ordered by Effective, then
//     Recorded, then event id, so a late event slots into the past. An empty
//     name keeps the name of the version before it in that order; that is
//     resolved when a history is read, so it too is independent of order.
//   - Addresses are parsed and standardized with [address.ParseFields] and
//     stored with their [address.Address.Key]. A bad row (an unparsable time,
//     a missing or malformed id, an unparsable address) is a [*RowError]
//     naming its line, field, event id and reason, and applies nothing. The
//     caller stops at the first ([ApplyOptions.StopOnError]) or collects them
//     and goes on; then a bad row whose member id can be read holds that
//     member ([Hold]): the gate releases no piece of theirs as current until
//     the event is applied or a reviewer clears the hold. One whose member
//     id cannot be read holds every member: the gate halts every batch.
//   - Apply reads and parses the whole feed, in memory, before it changes
//     the store, then commits in chunks. A process killed in the middle leaves a
//     consistent store, and re-running the same feed converges to exactly the
//     state of an uninterrupted run. The holds the feed places stand before
//     any move of it that calls for them commits.
//   - A suspicious feed is held, not applied: see below.
//
// # Suspicious feeds
//
// In 2019 one EHR load set about 15% of a large plan's members back to
// former addresses; normal churn is about 1% a month. Before it changes the
// store, Apply measures the feed against it: how many members whose current
// address the feed changes, and how many it reverts to an address they had
// before. Over the [Thresholds] (by default: reverts of more than 2% of the
// store's members and at least 100 members, or changes of more than 10% and
// at least 1,000) the whole feed is refused with an error wrapping
// [ErrSuspiciousFeed], a [*SuspicionReport] with the counts and example
// member ids, and nothing of it is applied unless [ApplyOptions.Override]
// is set. A first load into an empty store, events already applied, and the
// re-run of an interrupted apply of the same feed are not measured.
//
// # Holds
//
// A bad row applies nothing, so a member whose move came in one keeps the
// former address in force in the store: a piece printed there would look
// current. When the row's member id can be read, Apply keeps a [Hold] on
// the member and event instead. The histories the store and a [Snapshot]
// give list the holds standing ([address.History.Unapplied]), and the gate
// finds a piece that would be current an [address.UnappliedChange], which
// its default policy quarantines. A hold ends when a later apply brings the
// same event for the same member and it applies (upstream sent it again,
// corrected), or when a reviewer clears it ([Store.ClearHold], with who and
// why; [Store.ClearHolds] clears many, all or none). [Store.Holds] lists
// those standing; the program example/holds lists
// and clears them. A correction sent under a new event id ends no hold,
// but once in force it supersedes the holds of rows whose effective
// times are before its own ([address.History.UnappliedAt]).
//
// A conflict (an event id known with other content) is not applied: the
// store keeps the content it applied, or, for an id a feed brings twice,
// applies neither. Upstream may have sent a correction under the same id,
// so a conflict that may move the member holds the member, with the field
// that differs: another kind, effective time or address; another recorded
// time when the member has another version of the same effective time and
// another address or kind (versions are ordered by effective, then
// recorded time); or an id the store applied for another member, which
// then holds that member too (field member_id: its move there is
// disputed). One that moves no one (another name, writing of the same
// address, or a recorded time that orders it among no such version) holds
// no one. Its hold ends when the content the store applied comes again,
// or when a reviewer clears it.
//
// Two versions of a member with the same effective and recorded times
// (a move and its same-day correction, with dates alone) are ordered by
// event id, as text, which says nothing of which is in force. When the
// feed applies a version that so ties with another, in the feed or in the
// store, of another address or kind, Apply holds the member by each of
// the two events (field recorded), from their effective time: a later move
// supersedes the holds, and no event ends them; a reviewer may clear them.
//
// A bad row whose member id cannot be read (or a record whose fields
// cannot be trusted: the wrong number of them) may be any member's move.
// Its hold names no member ("") and holds every member: the store and its
// snapshots are an [address.UnattributedSource], and the gate halts every
// batch while such a hold stands ([Store.Unattributed]). It ends when its
// event id is applied for any member, or when a reviewer clears it.
//
// # Drift
//
// [Store.Drift] compares another system's copy of member addresses (CSV
// member_id,name,line1,line2,city,state,zip, read by [ExportReader]) with the
// store as of a time: each member is in sync, stale in the other system
// (it holds a former address, since when), unknown there (an address the
// store never had), invalid there, missing there or missing in the store,
// or held in the store (the store could not apply a change event for the
// member, so the copy cannot be judged). The export is streamed; the program example/drift writes drift.csv and
// summary.json from it.
//
// # Ledger
//
// [Store.Ledger] is the [address.VerdictSink] that records every verdict of
// a batch: a row per piece (status, decision, detail, the address version
// judged against; ids, never a name or an address), written on a goroutine
// of its own, and [Ledger.Finish] checks that the rows account for every
// piece before a release may be printed. [Store.Batch], [Store.Entries]
// and [Store.Batches] read it back; [Store.Review] records a reviewer's
// release or block of a quarantined piece, which holds only while the
// verdict it was made on stands. Running a batch id again redoes a run
// that died, and keeps a finished one whole ([Store.Runs]): what it
// released may have been printed, and [Store.Released] lists every
// release of every run, for a breach count. In SQL the ledger is the
// tables batches, reviews, runs and superseded_reviews and the views
// verdicts and run_verdicts, a row per piece, over the tables
// verdict_chunks and run_chunks that store up to 8,192 of them a row.
//
// # No PHI in errors
//
// Names and addresses are Protected Health Information. Errors from this
// package name lines, fields, event ids and member ids, never name or
// address text; an id that is not a well-formed id is not echoed either.
package sync
