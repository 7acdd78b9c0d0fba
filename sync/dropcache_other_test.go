//go:build !linux

package sync

import "testing"

// skipUnlessCacheDrops does nothing here: the tests that look at the page
// cache look at it on Linux only.
func skipUnlessCacheDrops(t *testing.T, dir string) {}
