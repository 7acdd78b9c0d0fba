package address

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Piece is one outbound mail piece, as the batch describes it.
type Piece struct {
	ID       string   // the piece's id in the batch
	MemberID string   // the addressee
	Name     string   // the recipient name as printed; PHI
	Address  Address  // the address as printed; PHI
	PHI      bool     // the piece carries Protected Health Information
	Contents []string // members whose documents are inside; empty: the addressee's only
	Line     int      // where the piece is in the batch file, for reports
	// Text is the row as read, one line of CSV in the input's column
	// order (BatchReader.Header), when the reader was asked to keep it
	// (BatchReader.KeepText); PHI. SplitRow gives its fields.
	Text string
	// Err, when not nil, says why the piece's row could not be read: the
	// gate finds it Invalid. It must name fields, not text.
	Err error
}

// Key returns the piece's id, or "line N" for a piece whose id could not be
// read: how outputs name it.
func (p *Piece) Key() string {
	if p.ID != "" {
		return p.ID
	}
	return "line " + strconv.Itoa(p.Line)
}

// Decision is what happens to a piece: it is released to the printer, held
// for a reviewer (who may release it), or blocked (it must be regenerated).
// It prints and parses as "release", "quarantine", "block". Do not reorder.
type Decision uint8

const (
	Release Decision = iota + 1
	Quarantine
	Block
)

var decisionNames = [...]string{"", "release", "quarantine", "block"}

func (d Decision) String() string {
	if d != 0 && int(d) < len(decisionNames) {
		return decisionNames[d]
	}
	return "unknown"
}

// MarshalText implements [encoding.TextMarshaler].
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (d *Decision) UnmarshalText(text []byte) error {
	for i, n := range decisionNames {
		if i > 0 && n == string(text) {
			*d = Decision(i)
			return nil
		}
	}
	return errUnknownName("decision", text)
}

const numStatuses = int(UnappliedChange) + 1

// A Policy decides what happens to a piece of each status, for PHI pieces
// and for others. A status the policy leaves zero is quarantined: the gate
// fails closed.
type Policy struct {
	PHI    [numStatuses]Decision
	NonPHI [numStatuses]Decision
}

// DefaultPolicy returns the policy the gate uses when given none:
//
//	status            PHI piece    other piece
//	current           release      release
//	recently_changed  quarantine   release
//	pending_change    quarantine   release
//	stale             block        quarantine
//	unknown_address   quarantine   release
//	undeliverable     quarantine   quarantine
//	unknown_member    quarantine   quarantine
//	wrong_recipient   block        release
//	commingled        block        release
//	duplicate_piece   block        quarantine
//	invalid           quarantine   quarantine
//	unapplied_change  quarantine   quarantine
//
// For a PHI piece only current is released.
func DefaultPolicy() *Policy {
	p := &Policy{}
	for s := Current; int(s) < numStatuses; s++ {
		p.PHI[s], p.NonPHI[s] = Quarantine, Release
	}
	p.PHI[Current] = Release
	for _, s := range []Status{Stale, Commingled, DuplicatePiece, WrongRecipient} {
		p.PHI[s] = Block
	}
	for _, s := range []Status{Stale, UndeliverableAddress, UnknownMember, Invalid, DuplicatePiece, UnappliedChange} {
		p.NonPHI[s] = Quarantine
	}
	return p
}

// Decide returns the decision for a piece of status s.
func (p *Policy) Decide(s Status, phi bool) Decision {
	if int(s) >= numStatuses {
		return Quarantine
	}
	d := p.NonPHI[s]
	if phi {
		d = p.PHI[s]
	}
	if d == 0 {
		return Quarantine
	}
	return d
}

// A Verdict is the gate's judgement of one piece.
type Verdict struct {
	Piece    *Piece
	Status   Status
	Decision Decision
	// Detail explains the status without PHI: "stale since 2019-10-03",
	// "similar to the address in force; differs: unit_number".
	Detail string
	// VersionID is the event id of the address version the piece was
	// judged against; empty when there was none.
	VersionID string
}

// A VerdictSink receives every verdict of a batch: the ledger, the outputs
// a caller asked for. The gate calls Verdicts with the verdicts of each
// chunk of pieces, in input order, then Finish once.
//
// Until Finish reports that the batch is not halted, a sink must not let a
// piece it was given as Release reach the printer: a batch found broken at
// its end releases nothing. When Finish reports Halted, every Release the
// sink was given is held (Quarantine), with the halt reason.
//
// The verdicts, and the pieces they point to, are the gate's to reuse once
// Verdicts returns: a sink that keeps them copies them.
type VerdictSink interface {
	Verdicts(ctx context.Context, vs []Verdict) error
	Finish(ctx context.Context, o Outcome) error
}

// An Outcome is what became of a batch.
type Outcome struct {
	Pieces      int
	Released    int
	Quarantined int
	Blocked     int
	ByStatus    map[Status]int
	Halted      bool
	HaltReason  string // no PHI
	AsOf        time.Time
	// SourceNewest is the newest change the source of truth recorded.
	SourceNewest time.Time
}

// A Gate judges outbound pieces against the source of truth. The zero
// values of its fields are the documented defaults; set them before the
// first call to Check.
type Gate struct {
	// Source is the source of truth. Required.
	Source HistorySource
	// Policy decides per status; nil means DefaultPolicy().
	Policy *Policy
	// AsOf is the time the batch is judged for; zero means Now().
	AsOf time.Time
	// Recent is the window for recently_changed and pending_change; zero
	// means 30 days (DefaultRecent).
	Recent time.Duration
	// HaltRate: when more than this share of the PHI pieces are neither
	// current nor recently_changed, and at least HaltMin of them, the
	// batch is halted. Zero means 0.01; 1 or more never halts; NaN is an
	// error of Check's.
	HaltRate float64
	// HaltMin is the least number of such pieces that halts; zero means 10.
	HaltMin int
	// MaxSourceAge halts the batch when the source's newest recorded change
	// is older than this before AsOf; zero means no limit. (A source that
	// holds change events it cannot tie to a member, an
	// [UnattributedSource], halts every batch while they stand.)
	MaxSourceAge time.Duration
	// ChunkSize is how many pieces are judged per bulk history fetch;
	// zero means 8192.
	ChunkSize int
	// Fetchers is how many chunks' histories are fetched at once, each on
	// a goroutine of its own; zero means 1. With more than one, Source's
	// Histories is called concurrently, and must be safe for that (the
	// sync package's Store is).
	Fetchers int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Progress, if set, is called after each chunk with the pieces judged
	// so far.
	Progress func(pieces int)
}

// Check reads pieces, judges every one, hands the verdicts to sink, and
// returns the batch's outcome. Every piece read gets exactly one verdict,
// in input order; a piece the gate cannot judge is held, never released:
//   - a piece with Err is Invalid;
//   - an id seen before in the batch is a DuplicatePiece;
//   - contents with another member's id are Commingled;
//   - a member the source does not know is an UnknownMember;
//   - otherwise the printed address is classified against the member's
//     history ([Classify]); a piece at the member's address under a name
//     that is not the member's ([SameName]) is a WrongRecipient, and one
//     at the member's address while the source holds a change event for
//     the member it could not apply, and that no later move supersedes
//     ([History.UnappliedAt]), is an UnappliedChange.
//
// An error reading pieces that is not about one piece, or from the source
// or the sink, stops the check and is returned: the batch is not finished,
// and running it again judges it anew.
func (g *Gate) Check(ctx context.Context, pieces iter.Seq2[Piece, error], sink VerdictSink) (Outcome, error) {
	if g.Source == nil {
		return Outcome{}, errors.New("address: Gate.Source is nil")
	}
	if math.IsNaN(g.HaltRate) {
		// No share is over NaN: the batch would never halt.
		return Outcome{}, errors.New("address: Gate.HaltRate is NaN")
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	c := checker{gate: g, sink: sink, policy: g.Policy, seen: newIDSet()}
	if c.policy == nil {
		c.policy = DefaultPolicy()
	}
	c.out.AsOf = g.AsOf
	if c.out.AsOf.IsZero() {
		c.out.AsOf = now()
	}
	c.out.ByStatus = map[Status]int{}
	newest, err := g.Source.Newest(ctx)
	if err != nil {
		return Outcome{}, fmt.Errorf("address: reading the source's freshness: %w", err)
	}
	c.out.SourceNewest = newest
	if g.MaxSourceAge > 0 && c.out.AsOf.Sub(newest) > g.MaxSourceAge {
		c.halt = "source of truth is stale: its newest change was recorded " + age(c.out.AsOf.Sub(newest)) +
			" before the check, more than the maximum " + age(g.MaxSourceAge)
	}
	if u, ok := g.Source.(UnattributedSource); ok {
		us, err := u.Unattributed(ctx)
		if err != nil {
			return Outcome{}, fmt.Errorf("address: reading the source's unattributed events: %w", err)
		}
		if len(us) > 0 {
			c.halt = joinReasons(c.halt, unattributedReason(us))
		}
	}
	size := g.ChunkSize
	if size <= 0 {
		size = 8192
	}
	// Three stages, each on goroutines of its own, a chunk apart: pieces
	// are read (and, by a BatchReader, parsed); the histories of a chunk's
	// members are fetched in bulk, by Fetchers goroutines taking chunks in
	// turn; the chunk is judged and handed to the sink, in input order.
	// Chunks go round: the judge hands each back to the reader.
	//
	// The channels between the stages hold nothing: a chunk waits in its
	// stage until the next takes it. At most 2+Fetchers chunks are then in
	// flight, against 2+3*Fetchers with a chunk held in each channel, and
	// each stage's data is nearer in time, and in the caches, to the next
	// stage's. On the 12.5M-member benchmark the live heap went from
	// 42–46 MB to 26–32 MB, the CPU of a run down by 3.5–4%, and its
	// wall time by 1–3% (faster in 17 of 20 alternating pairs).
	nf := max(1, g.Fetchers)
	toFetch, fetched := make([]chan []Piece, nf), make([]chan fetchedChunk, nf)
	for i := range nf {
		toFetch[i], fetched[i] = make(chan []Piece), make(chan fetchedChunk)
	}
	free, freeHist := make(chan []Piece, 2+2*nf), make(chan map[string]History, 2+2*nf)
	readCtx, cancel := context.WithCancel(ctx)
	var readErr error
	readDone := make(chan struct{})
	var fetchers sync.WaitGroup
	go func() {
		defer close(readDone)
		defer func() {
			for _, c := range toFetch {
				close(c)
			}
		}()
		chunk, k := make([]Piece, 0, size), 0
		send := func() bool {
			select {
			case toFetch[k%nf] <- chunk:
				k++
			case <-readCtx.Done():
				return false
			}
			select {
			case chunk = <-free:
			default:
				chunk = make([]Piece, 0, size)
			}
			return true
		}
		for p, err := range pieces {
			if err != nil {
				readErr = err
				return
			}
			chunk = append(chunk, p)
			if len(chunk) == size && !send() {
				return
			}
		}
		if len(chunk) > 0 {
			send()
		}
	}()
	for i := range nf {
		fetchers.Go(func() {
			defer close(fetched[i])
			var ids []string
			for chunk := range toFetch[i] {
				var hist map[string]History
				select {
				case hist = <-freeHist:
				default:
					hist = make(map[string]History, len(chunk))
				}
				var err error
				ids, err = fetch(readCtx, g.Source, chunk, ids, hist)
				select {
				case fetched[i] <- fetchedChunk{chunk, hist, err}:
				case <-readCtx.Done():
					return
				}
				if err != nil {
					return
				}
			}
		})
	}
	stop := func() {
		cancel()
		for _, c := range fetched {
			for range c {
			}
		}
		fetchers.Wait()
		for _, c := range toFetch {
			for range c {
			}
		}
		<-readDone
	}
	for k := 0; ; k++ {
		f, ok := <-fetched[k%nf]
		if !ok {
			break // chunk k was never read: the reader is done
		}
		if f.err != nil {
			stop()
			return Outcome{}, f.err
		}
		if err := c.judge(ctx, f.pieces, f.hist); err != nil {
			stop()
			return Outcome{}, err
		}
		clear(f.pieces)
		clear(f.hist)
		select {
		case free <- f.pieces[:0]:
		default:
		}
		select {
		case freeHist <- f.hist:
		default:
		}
	}
	stop()
	if readErr != nil {
		return Outcome{}, readErr
	}
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	c.finish()
	if err := sink.Finish(ctx, c.out); err != nil {
		return Outcome{}, err
	}
	return c.out, nil
}

type checker struct {
	gate     *Gate
	sink     VerdictSink
	policy   *Policy
	seen     *idSet
	out      Outcome
	halt     string
	phi, bad int // PHI pieces, and those neither current nor recently changed
	hist     map[string]History
	verdicts []Verdict
	// The last names SameName compared, if named, and what it found.
	lastPrinted, lastMember string
	named, lastSame         bool
}

// sameName is SameName, remembering the last answer: a member's pieces
// often come one after another, addressed alike.
func (c *checker) sameName(printed, member string) bool {
	if !c.named || printed != c.lastPrinted || member != c.lastMember {
		c.lastPrinted, c.lastMember, c.named = printed, member, true
		c.lastSame = SameName(printed, member)
	}
	return c.lastSame
}

// A fetchedChunk is a chunk of pieces with the histories of its members.
type fetchedChunk struct {
	pieces []Piece
	hist   map[string]History
	err    error
}

// fetch reads the histories of the members of chunk's pieces into hist, in
// one bulk call to src. ids is scratch space, returned for the next call.
func fetch(ctx context.Context, src HistorySource, chunk []Piece, ids []string, hist map[string]History) ([]string, error) {
	ids = ids[:0]
	for i := range chunk {
		// A member's pieces often come one after another: each run of
		// them adds one id, and there are fewer to sort (on the
		// benchmarks' 337,755-piece batch, 150,138 ids, sorted in 20 ms
		// a run instead of 44).
		if m := chunk[i].MemberID; chunk[i].Err == nil && m != "" && (len(ids) == 0 || m != ids[len(ids)-1]) {
			ids = append(ids, m)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for h, err := range src.Histories(ctx, ids) {
		if err != nil {
			return ids, fmt.Errorf("address: reading histories: %w", err)
		}
		hist[h.MemberID] = h
	}
	// The strings of ids are the pieces'; drop them with the chunk.
	clear(ids)
	return ids[:0], nil
}

// judge judges one chunk of pieces, each in order, against the histories
// of their members.
func (c *checker) judge(ctx context.Context, chunk []Piece, hist map[string]History) error {
	c.hist = hist
	c.verdicts = c.verdicts[:0]
	for i := range chunk {
		v := c.verdict(&chunk[i])
		v.Decision = c.policy.Decide(v.Status, v.Piece.PHI)
		c.count(v)
		c.verdicts = append(c.verdicts, v)
	}
	if err := c.sink.Verdicts(ctx, c.verdicts); err != nil {
		return err
	}
	if c.gate.Progress != nil {
		c.gate.Progress(c.out.Pieces)
	}
	return nil
}

func (c *checker) verdict(p *Piece) Verdict {
	v := Verdict{Piece: p}
	if p.Err != nil {
		v.Status, v.Detail = Invalid, p.Err.Error()
		if p.ID != "" && !c.seen.add(p.ID) {
			v.Detail += "; piece id seen before"
		}
		return v
	}
	if p.ID == "" {
		v.Status, v.Detail = Invalid, "no piece id"
		return v
	}
	if !c.seen.add(p.ID) {
		v.Status, v.Detail = DuplicatePiece, "piece id seen before in this batch"
		return v
	}
	for _, m := range p.Contents {
		if m != p.MemberID {
			v.Status, v.Detail = Commingled, "carries a document of member "+m
			return v
		}
	}
	h, ok := c.hist[p.MemberID]
	if !ok {
		v.Status, v.Detail = UnknownMember, "member not in the source of truth"
		return v
	}
	f := Classify(p.Address, h, c.out.AsOf, c.gate.Recent)
	v.Status = f.Status
	if f.Version >= 0 {
		v.VersionID = h.Versions[f.Version].EventID
	}
	date := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	switch f.Status {
	case Current, RecentlyChanged, PendingChange:
		if name := nameAt(h, c.out.AsOf); !c.sameName(p.Name, name) {
			v.Status, v.Detail = WrongRecipient, "printed name is not the member's"
			if _, one := addressee(p.Name); !one {
				v.Detail = "printed name joins two people"
			} else if name == "" {
				v.Detail = "no name on file for the member: nothing shows the printed name is theirs"
			}
			return v
		}
		if us := h.UnappliedAt(c.out.AsOf); len(us) > 0 {
			v.Status, v.Detail = UnappliedChange, UnappliedDetail(us)
			return v
		}
		switch f.Status {
		case RecentlyChanged:
			v.Detail = "address in force since " + date(f.Since)
		case PendingChange:
			if f.Match.Kind == Equivalent {
				v.Detail = "a new address takes effect " + date(f.Since)
			} else {
				v.Detail = "printed to the address taking effect " + date(f.Since)
			}
		}
	case Stale:
		v.Detail = "stale since " + date(f.Since)
	case UndeliverableAddress:
		v.Detail = "address in force marked undeliverable " + date(f.Since)
	case UnknownAddress:
		switch {
		case f.Version < 0:
			v.Detail = "member has no address in force"
		default:
			v.Detail = f.Match.Kind.String() + " to the address in force; differs: " + fieldList(f.Match.Differs)
		}
	}
	return v
}

// nameAt returns the member's name in force at t: that of the newest
// version at or before t that has one.
func nameAt(h History, t time.Time) string {
	name := ""
	for i := range h.Versions {
		v := &h.Versions[i]
		if v.Effective.After(t) {
			break
		}
		if v.Name != "" {
			name = v.Name
		}
	}
	return name
}

func fieldList(fs []Field) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.String())
	}
	return b.String()
}

func (c *checker) count(v Verdict) {
	c.out.Pieces++
	c.out.ByStatus[v.Status]++
	switch v.Decision {
	case Release:
		c.out.Released++
	case Quarantine:
		c.out.Quarantined++
	case Block:
		c.out.Blocked++
	}
	if v.Piece.PHI {
		c.phi++
		if v.Status != Current && v.Status != RecentlyChanged {
			c.bad++
		}
	}
}

// finish decides whether the batch halts: when it does, what would have
// been released is held.
func (c *checker) finish() {
	rate, min := c.gate.HaltRate, c.gate.HaltMin
	if rate == 0 {
		rate = 0.01
	}
	if min <= 0 {
		min = 10
	}
	if c.halt == "" && rate < 1 && c.bad >= min && float64(c.bad) > rate*float64(c.phi) {
		c.halt = fmt.Sprintf("%d of %d PHI pieces (%.2f%%) are neither current nor recently changed, over the halt rate of %.2f%%",
			c.bad, c.phi, 100*float64(c.bad)/float64(c.phi), 100*rate)
	}
	if c.halt != "" {
		c.out.Halted, c.out.HaltReason = true, c.halt
		c.out.Quarantined += c.out.Released
		c.out.Released = 0
	}
}

// unattributedReason is the halt reason for a source holding the events
// us: how many, and the first's id and field at fault.
func unattributedReason(us []UnappliedEvent) string {
	var b strings.Builder
	b.WriteString("source of truth holds ")
	if len(us) == 1 {
		b.WriteString("a change event")
	} else {
		b.WriteString(strconv.Itoa(len(us)))
		b.WriteString(" change events")
	}
	b.WriteString(" it could not apply and cannot tie to a member")
	if d := us[0].describe(); d != "" {
		b.WriteString(" (")
		if len(us) > 1 {
			b.WriteString("the first: ")
		}
		b.WriteString(d)
		b.WriteString(")")
	}
	b.WriteString(": any member's address may be missing a move")
	return b.String()
}

// joinReasons adds the halt reason r to those in rs, if any.
func joinReasons(rs, r string) string {
	if rs == "" {
		return r
	}
	return rs + "; " + r
}

func age(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	return d.Round(time.Minute).String()
}

// idSet is the set of piece ids seen in a batch, kept as 63-bit hashes in
// an open-addressed table at most 7/8 full, so that a batch of millions of
// pieces costs at most 16 bytes a piece (24 while the table grows). Two ids
// with one hash (about one chance in two million for a batch of 3 million
// pieces) make the later piece a duplicate: blocked, never released.
type idSet struct {
	seed  maphash.Seed
	slots []uint64 // 0: empty
	n     int
}

func newIDSet() *idSet { return &idSet{seed: maphash.MakeSeed(), slots: make([]uint64, 1024)} }

// add adds id and reports whether it was new.
func (s *idSet) add(id string) bool {
	h := maphash.String(s.seed, id) | 1
	if 8*(s.n+1) > 7*len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, 2*len(old))
		// Fresh from the OS, the slots would be read (as the kernel's
		// zero page) before they are written, costing each page a second
		// fault and a TLB flush on every core: write them first.
		clear(s.slots)
		for _, x := range old {
			if x != 0 {
				s.insert(x)
			}
		}
	}
	if !s.insert(h) {
		return false
	}
	s.n++
	return true
}

func (s *idSet) insert(h uint64) bool {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}
