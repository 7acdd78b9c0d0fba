//go:build !linux

package benchdata

import "errors"

// DropCache would drop the file's pages from the page cache; only Linux
// is asked here.
func DropCache(path string) error {
	return errors.New("dropping pages from the page cache is done on Linux only")
}
