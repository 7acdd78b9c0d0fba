//go:build !linux

package sync

import "testing"

// dropCache cannot drop pages from the page cache here: the tests that
// need a cold store read a warm one.
func dropCache(t *testing.T, path string) {}
