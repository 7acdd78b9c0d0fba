//go:build !linux || 386 || arm || mips || mipsle

package sync

import (
	"io"
	"os"
)

// openDirect would open a file to read around the page cache; here none
// is.
func openDirect(path string) *os.File { return nil }

// dropFromCache would ask the system to drop the file's pages from its
// page cache.
func dropFromCache(path string) {}

// A spanReader reads spans of a file, through a buffer, so that the
// system's cache holds them.
type spanReader struct{ f *os.File }

func newSpanReader(f *os.File) (*spanReader, error) { return &spanReader{f: f}, nil }

// read reads n bytes of the file at off; the end of the file ends it.
// It is called from several goroutines at once: each read has a buffer
// of its own.
func (sr *spanReader) read(off, n int64) error {
	buf := make([]byte, min(n, 1<<20))
	for n > 0 {
		k, err := sr.f.ReadAt(buf[:min(int64(len(buf)), n)], off)
		off, n = off+int64(k), n-int64(k)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (sr *spanReader) close() {}

// A cacheProbe would tell which pages of a file are in the page cache; here
// there is none.
type cacheProbe struct{}

func newCacheProbe(f *os.File, pageSize int) (*cacheProbe, bool) { return nil, false }
func (c *cacheProbe) cached(p uint32) (in, ok bool)              { return false, false }
func (c *cacheProbe) close()                                     {}

// hugeShare would tell the share of the pages at offs that the page cache
// holds in large folios; here it cannot.
func (sr *spanReader) hugeShare(offs []int64, pageSize int) (float64, []int64, bool) {
	return 0, nil, false
}

// Nor can it drop chunks of a file from the cache, nor tell which a map
// holds whole: Prewarm never reads a store again here.
func (sr *spanReader) refolio(cs []int64) int        { return 0 }
func (sr *spanReader) smallChunks(ss []span) []int64 { return nil }
func (sr *spanReader) evict(off int64)               {}
func (sr *spanReader) hugeChunks(cs []int64) int     { return 0 }
