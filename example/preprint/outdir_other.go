//go:build !unix

package main

import (
	"context"
	"io"
)

// lockDir takes no lock where flock(2) is not: two runs writing to one
// output directory at once are not told apart.
func lockDir(dir string) (unlock func(), err error) { return func() {}, nil }

// lockStore takes no lock where flock(2) is not: two runs on one store at
// once are not told apart.
func lockStore(ctx context.Context, path string, w io.Writer) (unlock func(), err error) {
	return func() {}, nil
}
