package sync

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
)

// TestLayoutPastMap: the leaves past a map of the file's first pages are
// counted, whatever the map's size.
func TestLayoutPastMap(t *testing.T) {
	path := prewarmStore(t, 20_000)
	root, _ := versionsRoot(t, path)
	f, pageSize, _ := openSQLite(t, path)
	leaves, err := leafPages(context.Background(), newTestPageReader(t, f), root)
	if err != nil {
		t.Fatal(err)
	}
	mid := leaves[len(leaves)/2]
	for _, c := range []struct {
		name     string
		mapBytes int64
		want     int
	}{
		{"whole file", 1 << 40, 0},
		{"nothing", 0, len(leaves)},
		{"up to the middle leaf", pageOffset(mid, pageSize) + int64(pageSize), len(leaves) - len(leaves)/2 - 1},
		{"up to the middle leaf but a byte", pageOffset(mid, pageSize) + int64(pageSize) - 1, len(leaves) - len(leaves)/2},
	} {
		l, err := layoutOf(context.Background(), f, root, c.mapBytes)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if l.PastMap != c.want || l.Leaves != len(leaves) {
			t.Errorf("%s: %d of %d leaves past the map; want %d of %d", c.name, l.PastMap, l.Leaves, c.want, len(leaves))
		}
	}
}

// leafPage returns a 512-byte index leaf page (not page 1) with cells of
// the given sizes packed at its end, and free blocks of the given sizes
// between them, in page order.
func leafPage(cells []int, free []int) []byte {
	page := make([]byte, 512)
	page[0] = 10
	at := len(page)
	var blocks []int
	for i, n := range cells {
		at -= n
		binary.BigEndian.PutUint16(page[8+2*i:], uint16(at))
		if i < len(free) {
			at -= free[i]
			blocks = append(blocks, at)
			binary.BigEndian.PutUint16(page[at+2:], uint16(free[i]))
		}
	}
	// The chain runs in page order: lowest offset first.
	next := 0
	for _, b := range blocks {
		binary.BigEndian.PutUint16(page[b:], uint16(next))
		next = b
	}
	binary.BigEndian.PutUint16(page[1:3], uint16(next))
	binary.BigEndian.PutUint16(page[3:5], uint16(len(cells)))
	binary.BigEndian.PutUint16(page[5:7], uint16(at))
	return page
}

func TestLeafUsed(t *testing.T) {
	fragmented := leafPage([]int{100}, nil)
	fragmented[7] = 3
	badChain := leafPage([]int{100, 50}, []int{20})
	binary.BigEndian.PutUint16(badChain[392:], 392) // a block that points to itself
	tiny := leafPage([]int{100, 50}, []int{20})
	binary.BigEndian.PutUint16(tiny[1:3], 509) // a block that runs off the page
	for _, c := range []struct {
		name string
		page []byte
		p    uint32
		want int // -1: errFormat
	}{
		{"empty", leafPage(nil, nil), 2, 8},
		{"one cell", leafPage([]int{100}, nil), 2, 8 + 2 + 100},
		{"full", leafPage([]int{250, 250}, nil), 2, 512},
		{"free blocks", leafPage([]int{100, 50, 30}, []int{20, 10}), 2, 8 + 6 + 180},
		{"fragments", fragmented, 2, 8 + 2 + 100 - 3},
		{"page 1: header at 100", append(make([]byte, 100), leafPage(nil, nil)[:412]...), 1, 8},
		{"interior page", func() []byte { p := leafPage(nil, nil); p[0] = 2; return p }(), 2, -1},
		{"short", []byte{10, 0, 0}, 2, -1},
		{"pointers over the cells", func() []byte { p := leafPage([]int{100}, nil); p[4] = 250; return p }(), 2, -1},
		{"free block chain in a circle", badChain, 2, -1},
		{"free block off the page", tiny, 2, -1},
	} {
		got, err := leafUsed(c.page, c.p)
		switch {
		case c.want < 0 && !errors.Is(err, errFormat):
			t.Errorf("%s: %d, %v; want errFormat", c.name, got, err)
		case c.want >= 0 && (err != nil || got != c.want):
			t.Errorf("%s: %d, %v; want %d", c.name, got, err, c.want)
		}
	}
}

func FuzzLeafUsed(f *testing.F) {
	f.Add(leafPage([]int{100, 50, 30}, []int{20, 10}), uint32(2))
	f.Add(leafPage(nil, nil), uint32(1))
	f.Add([]byte{13, 0, 9, 0, 1, 0, 0, 0}, uint32(3))
	f.Fuzz(func(t *testing.T, page []byte, p uint32) {
		used, err := leafUsed(page, p)
		if err == nil && (used < 0 || used > len(page)) {
			t.Fatalf("%d bytes used of a page of %d", used, len(page))
		}
	})
}
