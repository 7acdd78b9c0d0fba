package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, open("", "testdata/members.csv"), open("", "testdata/batch.csv")); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"6 equivalent (ok to print), 1 similar, 2 different, 1 invalid, 0 unknown member",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for piece, result := range map[string]string{"P0001": "equivalent", "P0002": "different", "P0009": "similar", "P0010": "invalid"} {
		found := false
		for _, line := range strings.Split(got, "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == piece {
				found = true
				if f[2] != result {
					t.Errorf("%s: got %s, want %s", piece, f[2], result)
				}
			}
		}
		if !found {
			t.Errorf("no line for %s", piece)
		}
	}
}

func TestBadInputNamesRowNotText(t *testing.T) {
	members := func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("member_id,line1,line2,city,state,zip\nM9,Secret Lane 1,,Springfield,ZZ,62704\n")), nil
	}
	err := run(io.Discard, members, open("", "testdata/batch.csv"))
	if err == nil {
		t.Fatal("no error for an unknown state")
	}
	if msg := err.Error(); !strings.Contains(msg, "line 2") || !strings.Contains(msg, "M9") || strings.Contains(msg, "Secret") {
		t.Errorf("error %q should name line 2 and member M9, and no address text", msg)
	}
}
