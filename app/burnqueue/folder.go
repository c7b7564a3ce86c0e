package burnqueue

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"discdesk/burner"
)

// FolderTree reads a disc folder laid out already (the output of
// `discdesk disc --out DIR`, or any tree of level 1 names) into a Tree whose
// files are used in place, hashing them on all CPUs.
func FolderTree(dir, volumeID string) (*burner.Tree, error) {
	tree := &burner.Tree{VolumeID: volumeID}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		tree.Files = append(tree.Files, burner.File{Path: filepath.ToSlash(rel), Source: p, Size: fi.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("burnqueue: read folder %s: %w", dir, err)
	}
	if len(tree.Files) == 0 {
		return nil, fmt.Errorf("burnqueue: folder %s has no files", dir)
	}
	tree.Sort()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sum, err := hashFile(tree.Files[i].Source)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				tree.Files[i].SHA256 = sum
				mu.Unlock()
			}
		}()
	}
	for i := range tree.Files {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("burnqueue: hash folder %s: %w", dir, firstErr)
	}
	return tree, nil
}

func hashFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// VolumeIDFor makes a level 1 volume id from a name (upper case, A-Z 0-9 _,
// at most 16), or "DISCDESK" when nothing is left.
func VolumeIDFor(name string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(name) {
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			b.WriteRune(c)
		case c == '-' || c == ' ' || c == '.':
			b.WriteByte('_')
		}
		if b.Len() == 16 {
			break
		}
	}
	if b.Len() == 0 {
		return "DISCDESK"
	}
	return b.String()
}
