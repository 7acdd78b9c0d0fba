package sync

import (
	"os"
	"syscall"
	"testing"
)

// dropCache asks Linux to drop the file's pages from its page cache
// (posix_fadvise DONTNEED). Pages a process has mapped stay.
func dropCache(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const fadvDontNeed = 4
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); errno != 0 {
		t.Logf("fadvise: %v", errno)
	}
}
