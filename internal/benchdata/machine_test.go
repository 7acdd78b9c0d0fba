package benchdata

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// BenchmarkMachine measures the machine, not printgate: how long a load
// from memory waits when the next address depends on it, as a B-tree
// lookup's loads do, in a buffer that a last-level cache of 32 MiB could
// hold and in one far larger. Part of the batch job's time is spent
// waiting on memory, and ParseFields, whose data stays in the CPU's
// caches, says little of the machine's memory; the README's end-to-end figures give
// these beside each series, as a record of the machine's state, though
// they do not track the batch job's minutes closely either.
func BenchmarkMachine(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{
		{"load-16MiB", 16 << 20},
		{"load-1GiB", 1 << 30},
	} {
		var chase []int // made once: b.Run calls the function for each b.N it tries
		b.Run(c.name, func(b *testing.B) {
			if chase == nil {
				chase = newChase(c.size)
				b.ResetTimer()
			}
			p := 0
			for range b.N {
				p = chase[p]
			}
			b.StopTimer()
			sink = p
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/load")
			b.ReportMetric(0, "ns/op")
		})
	}
}

var sink int

// newChase returns size bytes of a single cycle through every 64-byte
// cache line of it in random order: each element holds the index of the
// next line's first element, so that each load waits for the one before.
// The memory is in huge pages where the system gives them, as the batch
// job's heap and its maps of the store are.
func newChase(size int) []int {
	per := 64 / int(unsafe.Sizeof(int(0)))
	lines := size / 64
	order := rand.New(rand.NewPCG(1, 2)).Perm(lines)
	chase := make([]int, lines*per) // fresh from the system, untouched
	adviseHuge(unsafe.Slice((*byte)(unsafe.Pointer(&chase[0])), len(chase)*int(unsafe.Sizeof(int(0)))))
	for i, l := range order {
		chase[l*per] = order[(i+1)%lines] * per
	}
	return chase
}
