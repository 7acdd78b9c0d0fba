package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestAdviseHugeHeap: after adviseHugeHeap(n), the process has anonymous
// memory marked for huge pages ("hg" in smaps' VmFlags), n bytes of it or
// more.
func TestAdviseHugeHeap(t *testing.T) {
	const n = 16 << 20
	before := hugeAdvised(t)
	adviseHugeHeap(n)
	if after := hugeAdvised(t); after-before < n {
		t.Errorf("memory marked for huge pages: %d bytes before, %d after adviseHugeHeap(%d)", before, after, n)
	}
}

// hugeAdvised returns the bytes of the process's mappings that are marked
// MADV_HUGEPAGE.
func hugeAdvised(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps to read: %v", err)
	}
	defer f.Close()
	total, size := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		switch k {
		case "Size":
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			size = kb << 10
		case "VmFlags":
			if strings.Contains(" "+v+" ", " hg ") {
				total += size
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}
