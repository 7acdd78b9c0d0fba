//go:build linux && !(386 || arm || mips || mipsle)

package sync

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// readSpan asks Linux to read n bytes of f at off into the page cache
// (readahead(2)), without copying them out.
func readSpan(f *os.File, off, n int64, buf []byte) ([]byte, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return buf, err
	}
	var errno syscall.Errno
	if err := sc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_READAHEAD, fd, uintptr(off), uintptr(n))
	}); err != nil {
		return buf, err
	}
	if errno != 0 {
		return buf, fmt.Errorf("readahead at %d: %w", off, errno)
	}
	return buf, nil
}

// A cacheProbe tells which pages of a file are in the page cache, by
// mincore(2) of a read-only mapping of it.
type cacheProbe struct {
	m        []byte
	pageSize int
}

func newCacheProbe(f *os.File, pageSize int) (*cacheProbe, bool) {
	if pageSize%os.Getpagesize() != 0 {
		return nil, false
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 || int64(int(fi.Size())) != fi.Size() {
		return nil, false
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, false
	}
	return &cacheProbe{m: m, pageSize: pageSize}, true
}

// cached reports whether the first bytes of page p are in the cache, and
// false as its second result if it cannot tell.
func (c *cacheProbe) cached(p uint32) (in, ok bool) {
	off := pageOffset(p, c.pageSize)
	if off < 0 || off >= int64(len(c.m)) {
		return false, false
	}
	var vec [1]byte
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&c.m[off])), 1, uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		return false, false
	}
	return vec[0]&1 != 0, true
}

func (c *cacheProbe) close() { syscall.Munmap(c.m) }
