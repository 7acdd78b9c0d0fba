//go:build !linux

package main

// adviseHugeHeap would ask the system to back the Go heap with huge pages.
func adviseHugeHeap(n int) {}
