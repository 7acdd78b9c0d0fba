// Package writeback makes a growing file durable as it grows, so that the
// sync a program waits for at the end has only the last writes to do.
//
// A batch job writes tens of megabytes (its outputs, the ledger's
// write-ahead log) and must make them durable before it may say it is
// done. Left to itself the system writes such data out half a minute
// later, or at the program's fsync, all at once: on the development
// machine's virtual disk, whose host persists what a sync flushes, about
// 35 ms for each 25 MB. A Syncer syncs the file in the background, one sync
// at a time, whenever it is asked to while the file is written; the final
// sync then takes a few milliseconds.
package writeback

import (
	"os"
	"sync"
)

// A Syncer syncs its file in the background, at most one sync at a time.
type Syncer struct {
	f       *os.File
	mu      sync.Mutex
	running bool
	err     error // the first error of a background sync
	wg      sync.WaitGroup
}

// NewSyncer returns a Syncer of f. f must stay open until Wait returns.
func NewSyncer(f *os.File) *Syncer { return &Syncer{f: f} }

// Start starts a sync of the file unless one is running, and returns.
func (s *Syncer) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return
	}
	s.running = true
	s.wg.Go(func() {
		err := s.f.Sync()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.running = false
		if s.err == nil {
			s.err = err
		}
	})
}

// Wait waits for the sync running, if any, and returns the first error of
// the background syncs: an error a sync reports is reported once, and the
// final sync would not see it again.
func (s *Syncer) Wait() error {
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// A Writer writes to its file and starts a background sync of it each
// time Every more bytes have been written.
type Writer struct {
	*Syncer
	Every int64 // zero means 4 MiB

	unsynced int64
}

// NewWriter returns a Writer of f.
func NewWriter(f *os.File) *Writer { return &Writer{Syncer: NewSyncer(f)} }

// Write writes p to the file.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.unsynced += int64(n)
	every := w.Every
	if every <= 0 {
		every = 4 << 20
	}
	if w.unsynced >= every {
		w.unsynced = 0
		w.Start()
	}
	return n, err
}

// Sync waits for the background sync, if any, then syncs the file: when
// it returns nil, everything written is durable.
func (w *Writer) Sync() error {
	if err := w.Wait(); err != nil {
		return err
	}
	return w.f.Sync()
}
