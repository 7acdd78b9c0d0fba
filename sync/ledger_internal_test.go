package sync

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString: the ledger's JSON encoding of a string is valid
// JSON that decodes to the string (invalid UTF-8 as U+FFFD, as
// encoding/json does).
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "P1", `a"b\c`, "tab\there", "\x00\x1f\x7f", "é✓😀", "\xff\xfe", "line 12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encodes as %s, not JSON: %v", s, b, err)
		}
		// What encoding/json makes of s: invalid bytes become U+FFFD.
		m, _ := json.Marshal(s)
		var want string
		json.Unmarshal(m, &want)
		if got != want {
			t.Fatalf("%q round-trips as %q, want %q", s, got, want)
		}
	})
}
