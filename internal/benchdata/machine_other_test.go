//go:build !linux

package benchdata

func adviseHuge([]byte) {}
