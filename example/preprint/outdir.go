package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// runFiles are the files a run leaves in its output directory, release.csv
// first, and the temporary files it writes them as; and reviewed.csv, the
// file example/review writes from a run's quarantine.csv, as the README has
// it, whose reviews a new run's verdicts may supersede.
var runFiles = func() []string {
	names := append(slices.Clone(outNames), "report.json", feedErrors, "reviewed.csv")
	all := slices.Clone(names)
	for _, n := range names {
		all = append(all, n+".tmp")
	}
	return append(all, "verdicts.csv.tmp2")
}()

// errOutBusy is the error of a run whose output directory another run is
// writing to.
var errOutBusy = errors.New("another run is writing to the output directory")

// claimOut makes c.out this run's before anything is changed: it creates
// the directory, takes its lock (a second run writing to it at once is an
// error, not a mix of two runs' files), checks that no input of the run is
// one of its outputs, and removes what a run before left there, release.csv
// first: a run that fails leaves no release.csv to be taken for its own.
// It returns the function that gives the lock back.
func (c *config) claimOut() (unlock func(), err error) {
	if err := os.MkdirAll(c.out, 0o700); err != nil {
		return nil, err
	}
	release, err := lockDir(c.out)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	if !c.demo {
		for _, in := range []struct{ flag, path string }{{"-batch", c.batch}, {"-feed", c.feed}, {"-db", c.db}} {
			if in.path == "" {
				continue
			}
			// The same file, or (for a store the run would make) the same
			// path.
			fi, statErr := os.Stat(in.path)
			abs, absErr := filepath.Abs(in.path)
			for _, name := range runFiles {
				path := filepath.Join(c.out, name)
				out, err := os.Stat(path)
				same := statErr == nil && err == nil && os.SameFile(fi, out)
				if outAbs, err := filepath.Abs(path); absErr == nil && err == nil && outAbs == abs {
					same = true
				}
				if same {
					return nil, fmt.Errorf("%s is %s in the output directory, which the run replaces", in.flag, name)
				}
			}
		}
	}
	removed := false
	for _, name := range runFiles {
		err := os.Remove(filepath.Join(c.out, name))
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	if removed {
		// Make the removals durable: a crash after this leaves no output
		// of the run before.
		d, err := os.Open(c.out)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		if err := d.Sync(); err != nil {
			return nil, err
		}
	}
	return release, nil
}
