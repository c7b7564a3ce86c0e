package library

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"discdesk/viewer/dicomdir"
)

// dicomdirFiles lists the files a disc's DICOMDIR references. References
// that leave the folder or point at missing files are rejected lines; a
// DICOMDIR that cannot be read at all is an error (the caller scans).
func dicomdirFiles(dir, ddPath string, rep *Report) ([]candidate, error) {
	d, err := dicomdir.Read(ddPath)
	if err != nil {
		return nil, err
	}
	refs := d.Leaves()
	if len(refs) == 0 {
		return nil, fmt.Errorf("DICOMDIR references no files")
	}
	var out []candidate
	seen := map[string]bool{}
	for _, r := range refs {
		ref := strings.Join(r.FileID, "/")
		bad := false
		for _, c := range r.FileID {
			if c == ".." || c == "." || c == "" || strings.ContainsAny(c, `/\:`) {
				bad = true
			}
		}
		if bad {
			rep.reject(ddPath+" -> "+ref, "Referenced File ID points outside the disc folder; ignored")
			continue
		}
		p, why := resolveCase(dir, r.FileID)
		if p == "" {
			if why == "" {
				why = "referenced by the DICOMDIR but missing"
			}
			rep.reject(filepath.Join(dir, filepath.FromSlash(ref)), why)
			continue
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, candidate{name: p, path: p, source: ref})
	}
	return out, nil
}

// resolveCase finds the file for a File ID, accepting a different letter
// case on the file system (discs mounted with lowercase names). When it
// finds none, why says so if the reason is not simply a missing file.
func resolveCase(dir string, comps []string) (path, why string) {
	cur := dir
	for _, c := range comps {
		next := filepath.Join(cur, c)
		if _, err := os.Lstat(next); err == nil {
			cur = next
			continue
		}
		ents, err := os.ReadDir(cur)
		if err != nil {
			return "", ""
		}
		found := ""
		for _, e := range ents {
			if strings.EqualFold(e.Name(), c) {
				found = filepath.Join(cur, e.Name())
				break
			}
		}
		if found == "" {
			return "", ""
		}
		cur = found
	}
	// never follow a link out of the disc folder
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		root = dir
	}
	if real, err := filepath.EvalSymlinks(cur); err != nil || real != cur {
		if why := linkProblem(root, cur); why != "" {
			return "", why
		}
	}
	fi, err := os.Stat(cur)
	if err != nil || !fi.Mode().IsRegular() {
		return "", ""
	}
	return cur, ""
}
