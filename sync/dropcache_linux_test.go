package sync

import (
	"os"
	"path/filepath"
	"testing"
)

// skipUnlessCacheDrops skips the test when the file system of dir keeps a
// file's pages in memory however it is asked to drop them (tmpfs does):
// what the test checks of the page cache cannot be seen there.
func skipUnlessCacheDrops(t *testing.T, dir string) {
	t.Helper()
	f, done := droppedFile(t, filepath.Join(dir, "cache-probe"), 64<<10)
	defer done()
	probe, ok := newCacheProbe(f, 4096)
	if !ok {
		t.Skip("the page cache cannot be looked at here")
	}
	defer probe.close()
	for p := uint32(1); p <= 16; p++ {
		if in, ok := probe.cached(p); !ok || in {
			t.Skipf("the file system of %s keeps pages in memory when asked to drop them (tmpfs?)", dir)
		}
	}
}

// droppedFile makes a file of size zero bytes at path, written to disk and
// dropped from the page cache, and returns it open for reading, with a
// func that closes and removes it.
func droppedFile(t *testing.T, path string, size int) (*os.File, func()) {
	t.Helper()
	if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		os.Remove(path)
		t.Fatal(err)
	}
	done := func() { f.Close(); os.Remove(path) }
	if err := f.Sync(); err != nil {
		done()
		t.Fatal(err)
	}
	dropFromCache(path)
	return f, done
}
