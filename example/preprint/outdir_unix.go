//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
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
