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
	path := filepath.Join(dir, "cache-probe")
	if err := os.WriteFile(path, make([]byte, 64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	dropFromCache(path)
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
