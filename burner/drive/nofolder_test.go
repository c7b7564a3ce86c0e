package drive

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A folder, ISO or ZIP target whose folder is missing says so, not "No
// disc burner was found".
func TestMissingOutputFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	for _, spec := range []string{"dir:" + filepath.Join(missing, "disc"), "iso:" + filepath.Join(missing, "disc.iso"), "zip:" + filepath.Join(missing, "disc.zip")} {
		d, err := Open(spec, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.Media(context.Background())
		if errors.Is(err, ErrToolMissing) {
			t.Fatalf("%s: %v", spec, err)
		}
		if !errors.Is(err, ErrNoFolder) || !errors.Is(err, ErrNoDrive) {
			t.Errorf("%s: err = %v, want ErrNoFolder", spec, err)
		}
		if m := Message(err); !strings.Contains(m, "output folder does not exist") {
			t.Errorf("%s: message %q", spec, m)
		}
	}
}
