package drive

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"discdesk/burner"
)

// A staging folder holds a tree's generated files (Data) while a backend
// writes; library files (Source) are used in place. It is private (0700,
// files 0600) and removed by Close.
type staging struct {
	dir   string
	paths map[string]string // disc path -> file to read
}

// stagingPrefixes name the folders stage and the image writers create; a
// folder of these names in the staging folder at start-up is a leftover of
// a killed burn (it may hold a DICOMDIR and README naming a patient).
var stagingPrefixes = []string{"discdesk-stage-", "discdesk-image-"}

var (
	stagingMu  sync.Mutex
	stagingDir string // set by UseStagingIn; "" = os.TempDir()
)

// StagingFolderName is the staging folder's name inside the data folder.
const StagingFolderName = "staging"

// UseStagingIn makes <dataDir>/staging (created 0700) the folder every
// target stages generated files in when Options.TempDir is empty, instead
// of the shared temporary folder, and removes what a killed burn left
// there. The desk and the command line call it once at start-up, before
// any burn; it returns how many leftovers it removed.
func UseStagingIn(dataDir string) (removed int, err error) {
	dir := filepath.Join(dataDir, StagingFolderName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("drive: staging folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return 0, fmt.Errorf("drive: staging folder: %w", err)
	}
	removed, err = CleanStaging(dir)
	stagingMu.Lock()
	stagingDir = dir
	stagingMu.Unlock()
	return removed, err
}

// CleanStaging removes the staging leftovers (folders named as stage
// names them) in dir and returns how many it removed. Nothing else in dir
// is touched. Call it only when no burn of this data folder is running.
func CleanStaging(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("drive: clean staging folder: %w", err)
	}
	n := 0
	var first error
	for _, e := range ents {
		for _, p := range stagingPrefixes {
			if e.IsDir() && strings.HasPrefix(e.Name(), p) {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil && first == nil {
					first = fmt.Errorf("drive: clean staging folder: %w", err)
				} else if err == nil {
					n++
				}
			}
		}
	}
	return n, first
}

// stagingIn is where a target with Options.TempDir t stages.
func stagingIn(t string) string {
	if t != "" {
		return t
	}
	stagingMu.Lock()
	defer stagingMu.Unlock()
	return stagingDir
}

// stage writes tree's Data files under a new private folder in tempDir and
// returns where every file's bytes are. With link set, Source files are hard
// linked (or copied when linking fails) into the folder too, for tools that
// take one folder (hdiutil, IMAPI2's AddTree).
func stage(tree *burner.Tree, tempDir string, link bool) (*staging, error) {
	dir, err := os.MkdirTemp(stagingIn(tempDir), "discdesk-stage-")
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
