// Package csvhead reads the header rows of printgate's CSV inputs (batches,
// feeds, exports, the batch job's own outputs read back) the one way: a
// column's name is matched whatever its case, with spaces around it, and
// with the byte order mark a spreadsheet writes at the start of UTF-8.
package csvhead

import "strings"

// Name returns the name of the header cell cell as printgate matches it:
// lower case, without a leading byte order mark or surrounding spaces.
func Name(cell string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff")))
}

// Index returns the index of the first cell of header whose [Name] is
// name, which is lower case, or -1 if there is none.
func Index(header []string, name string) int {
	for i, c := range header {
		if Name(c) == name {
			return i
		}
	}
	return -1
}
