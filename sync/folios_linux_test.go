//go:build linux && !(386 || arm || mips || mipsle)

package sync

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// skipUnlessLargeFolios skips a test where this system does not read a
// file into its page cache in 2 MiB folios, or cannot tell which pages of
// a map are in them (before Linux 6.7).
func skipUnlessLargeFolios(t *testing.T, dir string) {
	t.Helper()
	skipUnlessCacheDrops(t, dir)
	if why := largeFolios(t, dir); why != "" {
		t.Skip(why)
	}
}

// largeFolios says why this system does not now read a file into its page
// cache in 2 MiB folios, or cannot tell, or "" if it does: a file of dir
// is dropped from the cache and read back through a spanReader.
func largeFolios(t *testing.T, dir string) string {
	t.Helper()
	f, done := droppedFile(t, filepath.Join(dir, "folio-probe"), 3*hugePage)
	defer done()
	sr, err := newSpanReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer sr.close()
	if sr.m == nil || !sr.touch(0, 2*hugePage) {
		return "a map of a file cannot be populated here"
	}
	huge, ok := sr.hugeSpans(0, 2*hugePage)
	if !ok {
		return "this kernel cannot tell which pages a map holds whole (PAGEMAP_SCAN: Linux 6.7)"
	}
	if !inSpans(huge, 0) && !inSpans(huge, hugePage) {
		return "this system does not read a file into 2 MiB folios now (transparent huge pages off, the file system, or memory too fragmented)"
	}
	return ""
}

// smallFolios has the file at path in the page cache in 4 KiB folios, as
// random reads leave it: dropped, then read a page at a time without
// readahead.
func smallFolios(t *testing.T, path string) {
	t.Helper()
	dropFromCache(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const posixFadvRandom = 1
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, posixFadvRandom, 0, 0); errno != 0 {
		t.Fatal(errno)
	}
	buf := make([]byte, 4096)
	for off := int64(0); ; off += int64(len(buf)) {
		if n, _ := f.ReadAt(buf, off); n < len(buf) {
			return
		}
	}
}

// leafShare returns the share of the histories' leaves in chunks past the
// file's first (whose first pages the store's own connections map, and
// which so stays as it is) that a map takes in 2 MiB folios.
func leafShare(t *testing.T, path string) float64 {
	t.Helper()
	root, _ := versionsRoot(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A reader of its own, closed at once: its map holds the pages it
	// touches, which the cache would then keep as they are.
	pr, err := newPageReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.close()
	leaves, err := leafPages(context.Background(), pr, root)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for _, p := range leaves {
		if off := pageOffset(p, pr.pageSize); off >= hugePage && off+hugePage <= int64(len(pr.spans.m)) {
			offs = append(offs, off)
		}
	}
	if len(offs) == 0 {
		t.Fatal("no leaves past the file's first 2 MiB")
	}
	share, _, ok := pr.spans.hugeShare(offs, pr.pageSize)
	if !ok {
		t.Fatal("hugeShare: cannot tell")
	}
	return share
}

// TestPrewarmReadsSmallFoliosAgain: a store whose histories are in the
// page cache in small folios is read again, in large ones, and then left
// as it is; what it holds does not change.
func TestPrewarmReadsSmallFoliosAgain(t *testing.T) {
	ctx := context.Background()
	path := prewarmStore(t, 60_000) // about 11 MB: 5 chunks of 2 MiB
	skipUnlessLargeFolios(t, filepath.Dir(path))
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := allHistories(t, s)
	s.Close()

	smallFolios(t, path)
	if share := leafShare(t, path); share > 0.1 {
		t.Fatalf("after reading a page at a time, %.2f of the leaves in large folios; want none", share)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Prewarm(ctx, 60_000)
	if err != nil {
		t.Fatal(err)
	}
	if share := leafShare(t, path); n == 0 || share < 0.9 {
		// Memory may have become too fragmented since the probe above.
		if why := largeFolios(t, filepath.Dir(path)); why != "" {
			t.Skip(why)
		}
		t.Fatalf("Prewarm of a store in small folios read %d bytes and left %.2f of its leaves in large folios; want them read again, at least 0.9", n, share)
	}
	if n, err := s.Prewarm(ctx, 60_000); err != nil || n != 0 {
		t.Errorf("Prewarm again = %d, %v; want 0, nil: the store is in the cache, in large folios", n, err)
	}
	if diff := cmp.Diff(before, allHistories(t, s)); diff != "" {
		t.Errorf("histories after Prewarm (-before +after):\n%s", diff)
	}
}

// TestHugeShareLeavesOut: pages in the file's first chunk of 2 MiB, which
// the store's connections keep mapped, and in a last chunk that the end of
// the file cuts, are not counted: reading them again could not make them
// one folio.
func TestHugeShareLeavesOut(t *testing.T) {
	dir := t.TempDir()
	skipUnlessLargeFolios(t, dir)
	f, done := droppedFile(t, filepath.Join(dir, "file"), 2*hugePage+hugePage/2)
	defer done()
	sr, err := newSpanReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer sr.close()
	if _, _, ok := sr.hugeShare([]int64{0, 4096, 2*hugePage + 4096}, 4096); ok {
		t.Error("hugeShare of pages in the first and the cut last chunk: ok; want nothing to tell")
	}
	share, small, ok := sr.hugeShare([]int64{0, hugePage + 4096}, 4096)
	if !ok || (share == 1) != (len(small) == 0) || len(small) > 1 || len(small) == 1 && small[0] != hugePage {
		t.Errorf("hugeShare of a page in the second chunk = %v, %v, %v; want it alone counted", share, small, ok)
	}
}
