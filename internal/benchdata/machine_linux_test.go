package benchdata

import "syscall"

// adviseHuge asks Linux to back b, not yet touched, with huge pages.
func adviseHuge(b []byte) { syscall.Madvise(b, syscall.MADV_HUGEPAGE) }
