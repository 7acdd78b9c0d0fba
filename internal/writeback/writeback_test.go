package writeback

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWriterWritesAndSyncs(t *testing.T) {
	tests := []struct {
		name   string
		every  int64
		writes int
		size   int
	}{
		{"no background sync", 1 << 20, 3, 1000},
		{"a sync every write", 1, 50, 1000},
		{"a sync every few writes", 4096, 200, 1000},
		{"default every", 0, 20, 300 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			w := NewWriter(f)
			w.Every = tt.every
			var want bytes.Buffer
			for i := range tt.writes {
				p := bytes.Repeat([]byte{byte('a' + i%26)}, tt.size)
				n, err := w.Write(p)
				if n != len(p) || err != nil {
					t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
				}
				want.Write(p)
			}
			if err := w.Sync(); err != nil {
				t.Fatalf("Sync: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("file holds %d bytes, want the %d written", len(got), want.Len())
			}
		})
	}
}

func TestSyncerReportsABackgroundError(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSyncer(f)
	f.Close() // every sync of it fails
	s.Start()
	s.Start() // while the first runs, or after: either way no second error is lost
	if err := s.Wait(); err == nil {
		t.Fatal("Wait after a failed background sync = nil, want its error")
	}
	if err := s.Wait(); err == nil {
		t.Fatal("Wait again = nil; the error must stay reported")
	}
}

func TestWriterSyncReportsABackgroundError(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(f)
	w.Every = 1
	f.Close()
	w.Write([]byte("x")) // fails, and starts a sync, which fails
	if err := w.Sync(); err == nil {
		t.Fatal("Sync = nil, want an error")
	}
}
