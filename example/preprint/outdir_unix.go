//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// lockDir takes an exclusive lock on dir (flock(2) on the directory
// itself, which the system gives back if the process dies, and which
// leaves no file behind), or fails with errOutBusy if another process
// holds it.
func lockDir(dir string) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		d.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errOutBusy
		}
		return nil, err
	}
	return func() { d.Close() }, nil
}

// lockStore takes an exclusive lock on the file path (made if need be,
// and kept), the store's lock for runs of this program: a run waits,
// polling, while another holds it, and says so once on w. Two runs on
// one store at once would write one batch id's ledger rows into each
// other's run. The context's end stops the wait.
func lockStore(ctx context.Context, path string, w io.Writer) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for said := false; ; said = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		if !said {
			fmt.Fprintln(w, "preprint: waiting for another run on the store to finish")
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
