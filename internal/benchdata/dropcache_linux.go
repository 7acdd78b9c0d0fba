package benchdata

import (
	"os"
	"syscall"
)

// DropCache asks Linux to drop the pages of the file at path from the page
// cache (posix_fadvise DONTNEED), after writing back any that are dirty, for
// a cold-cache benchmark. A missing file is no error. Pages a process has
// mapped stay.
func DropCache(path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	const fadvDontNeed = 4
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); errno != 0 {
		return errno
	}
	return nil
}
