package drive

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"discdesk/burner"
)

// A staging folder holds a tree's generated files (Data) while a backend
// writes; library files (Source) are used in place. It is private (0700,
// files 0600) and removed by Close.
type staging struct {
	dir   string
	paths map[string]string // disc path -> file to read
}

// stage writes tree's Data files under a new private folder in tempDir and
// returns where every file's bytes are. With link set, Source files are hard
// linked (or copied when linking fails) into the folder too, for tools that
// take one folder (hdiutil, IMAPI2's AddTree).
func stage(tree *burner.Tree, tempDir string, link bool) (*staging, error) {
	dir, err := os.MkdirTemp(tempDir, "discdesk-stage-")
	if err != nil {
		return nil, fmt.Errorf("drive: create staging folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("drive: staging folder: %w", err)
	}
	s := &staging{dir: dir, paths: make(map[string]string, len(tree.Files))}
	for _, f := range tree.Files {
		if f.Data == nil && !link {
			s.paths[f.Path] = f.Source
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			s.Close()
			return nil, fmt.Errorf("drive: stage %s: %w", f.Path, err)
		}
		if f.Data != nil {
			err = os.WriteFile(dst, f.Data, 0o600)
		} else if err = os.Link(f.Source, dst); err != nil {
			err = copyFile(f.Source, dst)
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("drive: stage %s: %w", f.Path, err)
		}
		s.paths[f.Path] = dst
	}
	return s, nil
}

// Close removes the staging folder.
func (s *staging) Close() error {
	if s == nil || s.dir == "" || !strings.Contains(filepath.Base(s.dir), "discdesk-stage-") {
		return nil
	}
	return os.RemoveAll(s.dir)
}
