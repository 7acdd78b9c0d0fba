//go:build !linux

package sync

import "testing"

// dropCache cannot drop pages from the page cache here: the tests that
// need a cold store read a warm one.
func dropCache(t *testing.T, path string) {}

// skipUnlessCacheDrops does nothing here: the tests that look at the page
// cache look at it on Linux only.
func skipUnlessCacheDrops(t *testing.T, dir string) {}
