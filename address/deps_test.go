package address_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies is a statement of policy: the address package is pure
// domain logic. It imports the standard library and smetrics, never a
// database, a test framework or go-cmp (those belong in sync and
// addresstest).
func TestDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/printgate/printgate/address").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	allowed := map[string]bool{"github.com/xrash/smetrics": true}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "database/sql", dep == "testing", strings.HasPrefix(dep, "testing/"),
			strings.Contains(dep, "sqlite"), strings.HasPrefix(dep, "github.com/google/go-cmp"):
			t.Errorf("address depends on %s", dep)
		case strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") && !allowed[dep] &&
			!strings.HasPrefix(dep, "github.com/printgate/printgate/"):
			t.Errorf("address depends on %s, outside the standard library and smetrics", dep)
		}
	}
}
