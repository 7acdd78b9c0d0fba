//go:build !linux || 386 || arm || mips || mipsle

package sync

import (
	"io"
	"os"
)

// readSpan reads n bytes of f at off, through buf, so that the system's
// cache holds them.
func readSpan(f *os.File, off, n int64, buf []byte) ([]byte, error) {
	if len(buf) == 0 {
		buf = make([]byte, 1<<20)
	}
	for n > 0 {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), n)], off)
		off, n = off+int64(k), n-int64(k)
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// A cacheProbe would tell which pages of a file are in the page cache; here
// there is none.
type cacheProbe struct{}

func newCacheProbe(f *os.File, pageSize int) (*cacheProbe, bool) { return nil, false }
func (c *cacheProbe) cached(p uint32) (in, ok bool)              { return false, false }
func (c *cacheProbe) close()                                     {}
