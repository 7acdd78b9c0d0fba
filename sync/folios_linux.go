//go:build linux && !(386 || arm || mips || mipsle)

package sync

import (
	"os"
	"runtime"
	"slices"
	"syscall"
	"unsafe"
)

// The store's pages in the page cache, and in what folios.
//
// Linux keeps a cached file in folios of 4 KiB to 2 MiB. SQLite's map of
// the store takes a 2 MiB folio at one fault and one page table entry (a
// PMD), a 4 KiB one at a fault for every 16 and an entry each; on the
// machine the README measures, the batch job ran in about half the time
// in a store cached in 2 MiB folios. Prewarm reads the store in them. But
// a store already in the cache in small folios (copied, restored, read at
// random, written) stays so, since Linux makes a large folio only of pages
// none of which is cached; and Prewarm's own reads come out in small
// folios where memory is too fragmented to find 2 MiB in, as it most
// likely was on the machine of 2026-12-06 after an hour of benchmarks (a
// third to a half of the benchmarks' store was in small folios). So Prewarm looks: it touches cached
// pages of the histories through its own map, marked MADV_HUGEPAGE, and
// asks the kernel which of them that map took whole (PAGEMAP_SCAN, Linux
// 6.7).
// Those that were not it drops from the cache and reads again, once it has
// seen, on a few of them, that this system does read them back in large
// folios. Where the kernel cannot tell (before 6.7), nothing is dropped.

// pagemapScan is the PAGEMAP_SCAN ioctl of /proc/self/pagemap:
// _IOWR('f', 16, struct pm_scan_arg).
const pagemapScan = 0xc0606610

// pageIsHuge is PAGE_IS_HUGE: a page mapped by a huge (PMD) entry.
const pageIsHuge = 1 << 6

// pmScanArg is struct pm_scan_arg of <linux/fs.h>.
type pmScanArg struct {
	size, flags, start, end, walkEnd, vec, vecLen, maxPages       uint64
	categoryInverted, categoryMask, categoryAnyofMask, returnMask uint64
}

// pageRegion is struct page_region of <linux/fs.h>.
type pageRegion struct{ start, end, categories uint64 }

// hugeSpans returns the spans of bytes lo to hi of the file that sr's map
// holds by huge entries, and false if the kernel cannot tell. Pages not
// mapped are in none: touch them first.
func (sr *spanReader) hugeSpans(lo, hi int64) ([]span, bool) {
	if sr.m == nil || lo >= hi || uintptr(unsafe.Pointer(unsafe.SliceData(sr.m)))%hugePage != 0 {
		return nil, false // no map, or one that cannot take a 2 MiB folio whole
	}
	pm, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return nil, false
	}
	defer pm.Close()
	base := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(sr.m))))
	vec := make([]pageRegion, 256)
	var out []span
	for start, end := base+uint64(lo), base+uint64(min(hi, int64(len(sr.m)))); start < end; {
		arg := pmScanArg{
			start: start, end: end,
			vec: uint64(uintptr(unsafe.Pointer(unsafe.SliceData(vec)))), vecLen: uint64(len(vec)),
			categoryMask: pageIsHuge, returnMask: pageIsHuge,
		}
		arg.size = uint64(unsafe.Sizeof(arg))
		n, _, errno := syscall.Syscall(syscall.SYS_IOCTL, pm.Fd(), pagemapScan, uintptr(unsafe.Pointer(&arg)))
		runtime.KeepAlive(vec)
		if errno != 0 {
			return nil, false // ENOTTY before Linux 6.7
		}
		for _, r := range vec[:n] {
			out = append(out, span{int64(r.start - base), int64(r.end - r.start)})
		}
		if arg.walkEnd <= start || arg.walkEnd > end {
			break
		}
		start = arg.walkEnd
	}
	return out, true
}

// touch has the n bytes from off mapped by sr's map, read into the cache
// if they are not there, and reports whether the kernel did it
// (MADV_POPULATE_READ, Linux 5.14).
func (sr *spanReader) touch(off, n int64) bool {
	const madvPopulateRead = 22
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(unsafe.Pointer(&sr.m[off])), uintptr(n), madvPopulateRead)
	return errno == 0
}

// evict drops the 2 MiB chunk at off from sr's map and from the page
// cache: the pages of it that are clean and that no other map holds.
func (sr *spanReader) evict(off int64) {
	n := min(int64(hugePage), int64(len(sr.m))-off)
	syscall.Madvise(sr.m[off:off+n], syscall.MADV_DONTNEED)
	const posixFadvDontneed = 4
	syscall.Syscall6(syscall.SYS_FADVISE64, sr.f.Fd(), uintptr(off), uintptr(n), posixFadvDontneed, 0, 0)
}

// mayGrow reports whether the 2 MiB chunk of the file at c can be made one
// folio by reading it again: not the file's first, whose first pages the
// store's connections keep mapped, nor one the end of the file cuts.
func (sr *spanReader) mayGrow(c int64) bool {
	return c > 0 && c+hugePage <= int64(len(sr.m))
}

// hugeShare touches the pages at the offsets offs, which should be
// cached, and returns the share of them that sr's map took in 2 MiB
// folios, the 2 MiB chunks of the file that hold the others, and false if
// the kernel cannot tell. Offsets in chunks that cannot grow (mayGrow)
// are left out.
func (sr *spanReader) hugeShare(offs []int64, pageSize int) (float64, []int64, bool) {
	if sr.m == nil {
		return 0, nil, false
	}
	offs = slices.DeleteFunc(slices.Sorted(slices.Values(offs)), func(off int64) bool {
		return !sr.mayGrow(off &^ (hugePage - 1))
	})
	if len(offs) == 0 {
		return 0, nil, false
	}
	for _, off := range offs {
		if off+int64(pageSize) > int64(len(sr.m)) || !sr.touch(off, int64(pageSize)) {
			return 0, nil, false
		}
	}
	huge, ok := sr.hugeSpans(offs[0], offs[len(offs)-1]+int64(pageSize))
	if !ok {
		return 0, nil, false
	}
	var small []int64
	for _, off := range offs {
		if !inSpans(huge, off) {
			small = append(small, off&^(hugePage-1))
		}
	}
	return 1 - float64(len(small))/float64(len(offs)), slices.Compact(small), true
}

// refolio drops the 2 MiB chunks at the sorted offsets cs from the page
// cache, reads each back, and returns how many of them came back in one
// folio. A chunk may stay as it was for reasons of its own (dirty pages,
// pages another process maps), and a system may have no large folio to
// give (no transparent huge pages for files, a file system without large
// folios, memory too fragmented to find 2 MiB in).
func (sr *spanReader) refolio(cs []int64) int {
	for _, c := range cs {
		sr.evict(c)
		sr.touch(c, min(int64(hugePage), int64(len(sr.m))-c))
	}
	return sr.hugeChunks(cs)
}

// smallChunks returns the 2 MiB chunks of the file that the sorted spans
// ss touch, that can grow (mayGrow), and that the page cache holds, some
// of it, in small folios.
func (sr *spanReader) smallChunks(ss []span) []int64 {
	if sr.m == nil {
		return nil
	}
	var small []int64
	chunks := slices.DeleteFunc(chunksOf(ss, int64(len(sr.m))), func(c int64) bool { return !sr.mayGrow(c) })
	// A window at a time, so that mincore's vector stays small however
	// large the file.
	const window = 512 // chunks: 1 GiB
	for len(chunks) > 0 {
		w := chunks
		for i, c := range chunks {
			if c-chunks[0] >= window*hugePage {
				w = chunks[:i]
				break
			}
		}
		chunks = chunks[len(w):]
		s, ok := sr.smallIn(w)
		if !ok {
			return nil
		}
		small = append(small, s...)
	}
	return small
}

// smallIn returns those of the sorted chunks cs, which lie within 1 GiB,
// that the page cache holds, some of it, in small folios, and false if
// it cannot tell.
func (sr *spanReader) smallIn(cs []int64) ([]int64, bool) {
	lo, hi := cs[0], min(cs[len(cs)-1]+hugePage, int64(len(sr.m)))
	pageSize := int64(os.Getpagesize())
	vec := make([]byte, (hi-lo+pageSize-1)/pageSize)
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&sr.m[lo])), uintptr(hi-lo), uintptr(unsafe.Pointer(unsafe.SliceData(vec)))); errno != 0 {
		return nil, false
	}
	// Touch a cached page of each chunk that has one: the map takes the
	// chunk whole if it is one folio.
	var cached []int64
	for _, c := range cs {
		first := (c - lo) / pageSize
		last := min(first+hugePage/pageSize, int64(len(vec)))
		if i := slices.IndexFunc(vec[first:last], func(b byte) bool { return b&1 != 0 }); i >= 0 {
			if !sr.touch(lo+(first+int64(i))*pageSize, pageSize) {
				return nil, false
			}
			cached = append(cached, c)
		}
	}
	if len(cached) == 0 {
		return nil, true
	}
	huge, ok := sr.hugeSpans(lo, hi)
	if !ok {
		return nil, false
	}
	return slices.DeleteFunc(cached, func(c int64) bool { return inSpans(huge, c) }), true
}

// hugeChunks returns how many of the 2 MiB chunks at the sorted offsets cs
// sr's map holds whole.
func (sr *spanReader) hugeChunks(cs []int64) int {
	if len(cs) == 0 {
		return 0
	}
	huge, ok := sr.hugeSpans(cs[0], cs[len(cs)-1]+hugePage)
	if !ok {
		return 0
	}
	n := 0
	for _, c := range cs {
		if inSpans(huge, c) {
			n++
		}
	}
	return n
}
