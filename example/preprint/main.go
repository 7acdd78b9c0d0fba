// Command preprint checks an outbound batch against members' addresses
// before it is printed.
//
// Until the pre-print gate lands, it runs the part of the check that the
// address package already does: it standardizes every piece's printed
// address and each member's address on file (USPS Publication 28) and
// compares them. A piece is OK to print only when the two are equivalent.
//
//	go run ./example/preprint                      # bundled demo data
//	go run ./example/preprint -members M.csv -batch B.csv
//
// members.csv: member_id,name,line1,line2,city,state,zip
// batch.csv:   piece_id,member_id,name,line1,line2,city,state,zip
//
// It prints one line per piece: its id, its member, the match kind, the
// fields that differ, and the standardized printed address. Errors name
// rows and fields, never address text.
package main

import (
	"embed"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/printgate/printgate/address"
)

//go:embed testdata/*.csv
var demo embed.FS

func main() {
	members := flag.String("members", "", "members' addresses on file, CSV (default: bundled demo data)")
	batch := flag.String("batch", "", "the batch to check, CSV (default: bundled demo data)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "preprint: unexpected arguments")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, open(*members, "testdata/members.csv"), open(*batch, "testdata/batch.csv")); err != nil {
		fmt.Fprintln(os.Stderr, "preprint:", err)
		os.Exit(1)
	}
}

// open returns a function that opens the named file, or the bundled demo
// file when name is empty.
func open(name, demoName string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		if name == "" {
			return demo.Open(demoName)
		}
		return os.Open(name)
	}
}

func run(w io.Writer, members, batch func() (io.ReadCloser, error)) error {
	onFile := map[string]address.Address{}
	err := readCSV(members, "members", []string{"member_id", "line1", "line2", "city", "state", "zip"},
		func(line int, r map[string]string) error {
			a, err := address.ParseFields(r["line1"], r["line2"], r["city"], r["state"], r["zip"])
			if err != nil {
				return fmt.Errorf("members line %d, member %s: %w", line, r["member_id"], err)
			}
			onFile[r["member_id"]] = a
			return nil
		})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PIECE\tMEMBER\tRESULT\tDIFFERS\tPRINTED (STANDARDIZED)")
	counts := map[string]int{}
	err = readCSV(batch, "batch", []string{"piece_id", "member_id", "line1", "line2", "city", "state", "zip"},
		func(line int, r map[string]string) error {
			result, differs, printed := "", "", ""
			a, err := address.ParseFields(r["line1"], r["line2"], r["city"], r["state"], r["zip"])
			cur, known := onFile[r["member_id"]]
			switch {
			case err != nil:
				var pe *address.ParseError
				errors.As(err, &pe)
				result, differs = "invalid", pe.Field.String()+": "+pe.Err.Error()
			case !known:
				result, printed = "unknown member", a.String()
			default:
				m := address.Compare(a, cur)
				result, printed = m.Kind.String(), a.String()
				var fs []string
				for _, f := range m.Differs {
					fs = append(fs, f.String())
				}
				differs = strings.Join(fs, " ")
			}
			counts[result]++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r["piece_id"], r["member_id"], result, differs, printed)
			return nil
		})
	if err != nil {
		return err
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d equivalent (ok to print), %d similar, %d different, %d invalid, %d unknown member\n",
		counts["equivalent"], counts["similar"], counts["different"], counts["invalid"], counts["unknown member"])
	return nil
}

// readCSV streams the rows of a CSV file with a header, calling fn with
// each row's fields by column name.
func readCSV(open func() (io.ReadCloser, error), what string, need []string, fn func(line int, row map[string]string) error) error {
	f, err := open()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: file not found", what)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: reading header: %w", what, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return fmt.Errorf("%s: header has no column %q", what, n)
		}
	}
	row := map[string]string{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%s line %d: malformed CSV row", what, line)
		}
		for n, i := range col {
			row[n] = ""
			if i < len(rec) {
				row[n] = rec[i]
			}
		}
		if err := fn(line, row); err != nil {
			return err
		}
	}
}
