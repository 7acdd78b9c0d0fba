//go:build linux && !(386 || arm || mips || mipsle)

package sync

import (
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// openDirect opens the file at path to read around the page cache
// (O_DIRECT), or returns nil where its file system cannot.
func openDirect(path string) *os.File {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_DIRECT, 0)
	if err != nil {
		return nil
	}
	return f
}

// dropFromCache asks Linux to drop the pages of the file at path from its
// page cache (posix_fadvise DONTNEED): those that are clean and no process
// maps.
func dropFromCache(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	const posixFadvDontneed = 4
	syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, posixFadvDontneed, 0, 0)
}

// A spanReader has spans of a file read into the page cache, through a
// read-only map of the whole file marked MADV_HUGEPAGE and MADV_RANDOM:
// populating a span of it (MADV_POPULATE_READ, Linux 5.14) reads each
// 2 MiB of the file that is not yet cached as one folio, and no further.
// Read so, the store's pages are kept as large folios, which the store's
// own maps then take at a fault and an entry each. readahead(2) and
// posix_fadvise, by contrast, fill the cache with 4 KiB pages. Where the
// kernel has no MADV_POPULATE_READ, or the file cannot be mapped, spans
// are read with readahead(2).
type spanReader struct {
	f        *os.File
	m        []byte
	populate atomic.Bool // MADV_POPULATE_READ is worth trying
}

func newSpanReader(f *os.File) (*spanReader, error) {
	sr := &spanReader{f: f}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() == 0 || int64(int(fi.Size())) != fi.Size() {
		return sr, nil
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return sr, nil
	}
	sr.m = m
	// Advice: a kernel without transparent huge pages still reads the
	// spans, in small folios.
	syscall.Madvise(m, syscall.MADV_HUGEPAGE)
	syscall.Madvise(m, syscall.MADV_RANDOM)
	sr.populate.Store(true)
	return sr, nil
}

// read has n bytes of the file at off read into the page cache, and the
// rest of the 2 MiB they lie in.
func (sr *spanReader) read(off, n int64) error {
	if sr.populate.Load() {
		lo := off &^ (hugePage - 1)
		hi := min((off+n+hugePage-1)&^(hugePage-1), int64(len(sr.m)))
		if lo >= hi {
			return nil // past the end of the file as mapped
		}
		const madvPopulateRead = 22
		_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(unsafe.Pointer(&sr.m[lo])), uintptr(hi-lo), madvPopulateRead)
		switch errno {
		case 0:
			return nil
		case syscall.EFAULT:
			return nil // the file is shorter than when it was mapped: nothing more to read
		case syscall.EINVAL:
			sr.populate.Store(false) // a kernel before 5.14
		default:
			return fmt.Errorf("reading ahead at %d: %w", off, errno)
		}
	}
	sc, err := sr.f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := sc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_READAHEAD, fd, uintptr(off), uintptr(n))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return fmt.Errorf("reading ahead at %d: %w", off, errno)
	}
	return nil
}

func (sr *spanReader) close() {
	if sr.m != nil {
		syscall.Munmap(sr.m)
	}
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
