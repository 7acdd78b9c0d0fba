package csvhead

import "testing"

func TestName(t *testing.T) {
	for _, c := range []struct{ cell, want string }{
		{"piece_id", "piece_id"},
		{"Piece_ID", "piece_id"},
		{"  member_id ", "member_id"},
		{"\ufeffpiece_id", "piece_id"},
		{"\ufeff Event_Id", "event_id"},
		{"", ""},
		{"piece id", "piece id"},
		{"piece_id\ufeff", "piece_id\ufeff"}, // a mark only leads
	} {
		if got := Name(c.cell); got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.cell, got, c.want)
		}
	}
}

func TestIndex(t *testing.T) {
	header := []string{"\ufeffPiece_ID", "member_id", " NAME ", "member_id"}
	for _, c := range []struct {
		name string
		want int
	}{
		{"piece_id", 0},
		{"member_id", 1}, // the first of two
		{"name", 2},
		{"zip", -1},
	} {
		if got := Index(header, c.name); got != c.want {
			t.Errorf("Index(%q) = %d, want %d", c.name, got, c.want)
		}
	}
	if got := Index(nil, "piece_id"); got != -1 {
		t.Errorf("Index(nil) = %d, want -1", got)
	}
}
