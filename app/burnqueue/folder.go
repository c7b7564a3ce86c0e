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
