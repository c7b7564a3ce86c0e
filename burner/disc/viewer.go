package disc

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ViewerFolder is the disc folder that holds the viewer binaries.
const ViewerFolder = "VIEWER"

// viewerFile is one file of the disc viewer: its source and disc path.
type viewerFile struct {
	source, path string
	size         int64
}

// ViewerDir resolves where packaging put the disc viewer binaries: dir when
// given, else $DISCDESK_VIEWER_DIR, else the folder "viewer" beside the
// running executable. It returns "" when none exists.
func ViewerDir(dir string) string {
	cands := []string{dir}
	if dir == "" {
		cands = []string{os.Getenv("DISCDESK_VIEWER_DIR")}
		if exe, err := os.Executable(); err == nil {
			cands = append(cands, filepath.Join(filepath.Dir(exe), "viewer"))
		}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c
		}
	}
	return ""
}

// findViewer lists the viewer files under 8.3 names.
func (p *Plan) findViewer() {
	if p.Options.NoViewer {
		return
	}
	dir := ViewerDir(p.Options.ViewerDir)
	if dir == "" {
		p.warn(WarnNoViewer, false, "no disc viewer binaries were found; the disc has no viewer and README.TXT says so")
		return
	}
	files, err := viewerFiles(dir)
	if err != nil || len(files) == 0 {
		p.warn(WarnNoViewer, false, "the viewer folder %s is empty or unreadable; the disc has no viewer", filepath.Base(dir))
		return
	}
	p.viewer = files
}

func (p *Plan) viewerSize() int64 {
	var n int64
	for _, f := range p.viewer {
		n += sector(f.size)
	}
	return n
}

// HasViewer reports whether the discs carry the viewer folder.
func (p *Plan) HasViewer() bool { return len(p.viewer) > 0 }

// viewerFiles walks dir and gives every file and folder an ISO 9660 level 1
// name under VIEWER/.
func viewerFiles(dir string) ([]viewerFile, error) {
	var out []viewerFile
	names := map[string]map[string]bool{} // disc folder -> names used
	mapped := map[string]string{dir: ViewerFolder}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		parent := mapped[filepath.Dir(path)]
		if names[parent] == nil {
			names[parent] = map[string]bool{}
		}
		name := shortName(d.Name(), d.IsDir(), names[parent])
		discPath := parent + "/" + name
		if d.IsDir() {
			if strings.Count(discPath, "/") >= 7 {
				return fs.SkipDir
			}
			mapped[path] = discPath
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, viewerFile{source: path, path: discPath, size: fi.Size()})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, err
}

// shortName makes an 8.3 (or 8 for folders) upper-case name of A-Z 0-9 _
// that is not yet in used, and marks it used.
func shortName(name string, dir bool, used map[string]bool) string {
	base, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && !dir {
		base, ext = name[:i], name[i+1:]
	}
	clean := func(s string, n int) string {
		var b strings.Builder
		for _, r := range strings.ToUpper(s) {
			if b.Len() == n {
				break
			}
			switch {
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
				b.WriteRune(r)
			case r == '-' || r == ' ' || r == '.':
				b.WriteByte('_')
			}
		}
		return b.String()
	}
	b, e := clean(base, 8), clean(ext, 3)
	if b == "" {
		b = "F"
	}
	mk := func(b string) string {
		if e == "" {
			return b
		}
		return b + "." + e
	}
	n := mk(b)
	for i := 1; used[n]; i++ {
		suffix := fmt.Sprintf("_%d", i)
		if len(b)+len(suffix) > 8 {
			n = mk(b[:8-len(suffix)] + suffix)
		} else {
			n = mk(b + suffix)
		}
	}
	used[n] = true
	return n
}
