package burner

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A File is one file of a disc image: where it goes on the disc and where its
// bytes come from (a file on disk, used in place, or bytes generated in
// memory). Exactly one of Source and Data is set.
type File struct {
	Path   string // disc path, '/'-separated, no leading slash, e.g. "DICOM/P0000001/S0000001/I0000001"
	Source string // absolute path of the file whose bytes go on the disc unchanged
	Data   []byte // generated content (DICOMDIR, README.TXT, pages, transcoded objects)
	Size   int64  // length in bytes
	SHA256 string // lowercase hex digest of the content, filled when the plan is made
}

// A Tree is the complete content of one disc (or ISO, folder, USB stick):
// every file with its disc path. Directories are implied by the paths.
type Tree struct {
	VolumeID string // ISO 9660 volume identifier = DICOMDIR File-set ID, <= 16 of A-Z 0-9 _
	Files    []File
}

var level1Component = regexp.MustCompile(`^[A-Z0-9_]{1,8}$`)
var level1File = regexp.MustCompile(`^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?$`)

// Size is the sum of the files' sizes.
func (t *Tree) Size() int64 {
	var n int64
	for _, f := range t.Files {
		n += f.Size
	}
	return n
}

// Sort orders the files by path, so that images and manifests are
// reproducible.
func (t *Tree) Sort() {
	sort.Slice(t.Files, func(i, j int) bool { return t.Files[i].Path < t.Files[j].Path })
}

// CheckNames reports the first disc path that is not ISO 9660 level 1
// (directories up to 8 of A-Z 0-9 _, files 8.3, at most 8 levels counting the
// root), or a path used twice.
func (t *Tree) CheckNames() error {
	seen := make(map[string]bool, len(t.Files))
	for _, f := range t.Files {
		if seen[f.Path] {
			return fmt.Errorf("burner: disc path %s used twice", f.Path)
		}
		seen[f.Path] = true
		parts := strings.Split(f.Path, "/")
		if len(parts) > 8 {
			return fmt.Errorf("burner: disc path %s is %d levels deep; ISO 9660 allows 8 counting the root", f.Path, len(parts))
		}
		for i, p := range parts {
			ok := level1Component.MatchString(p)
			if i == len(parts)-1 {
				ok = level1File.MatchString(p)
			}
			if !ok {
				return fmt.Errorf("burner: disc path %s: %q is not an ISO 9660 level 1 name (A-Z 0-9 _, 8.3)", f.Path, p)
			}
		}
	}
	return nil
}
