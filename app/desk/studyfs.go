package desk

import (
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"

	"discdesk/app/library"
	"discdesk/viewer/study"
)

// filesFS is a flat, read-only fs.FS over chosen library files: the viewer
// widget's medium for one study. It holds that study's files and nothing
// else, so a viewer opened on it cannot reach another patient.
type filesFS map[string]string // name in the FS -> absolute path

func (f filesFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &rootDir{f: f}, nil
	}
	p, ok := f[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return os.Open(p)
}

// ReadDir lists the root (the only folder).
func (f filesFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		fi, err := os.Stat(f[n])
		if err != nil {
			continue // vanished since indexed: the library reports it elsewhere
		}
		out = append(out, fs.FileInfoToDirEntry(namedInfo{fi, n}))
	}
	return out, nil
}

type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }

type rootDir struct {
	f    filesFS
	done bool
}

func (r *rootDir) Stat() (fs.FileInfo, error) { return rootInfo{}, nil }
func (r *rootDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}
func (r *rootDir) Close() error { return nil }
func (r *rootDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if r.done {
		return nil, nil
	}
	r.done = true
	return r.f.ReadDir(".")
}

type rootInfo struct{}

func (rootInfo) Name() string       { return "." }
func (rootInfo) Size() int64        { return 0 }
func (rootInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o500 }
func (rootInfo) ModTime() time.Time { return time.Time{} }
func (rootInfo) IsDir() bool        { return true }
func (rootInfo) Sys() any           { return nil }

// openStudyDisc opens one library study as a viewer medium.
func openStudyDisc(lib *library.Library, uid string) (*study.Disc, error) {
	return newImages(lib).studyDisc(uid)
}

// studySeries is a study's series with their instances: from the library,
// or in the kiosk only the signed-in patient's vetted files
// (staff.KioskAccess.Instances, which refuses a study holding anyone
// else's file).
func (m *images) studySeries(uid string) ([]library.SeriesDetail, error) {
	if m.only != nil {
		return m.only(uid)
	}
	st, err := m.lib.Study(uid)
	if err != nil {
		return nil, err
	}
	return st.Series, nil
}

// studyFS is the medium of one study: its files and nothing else.
func (m *images) studyFS(uid string) (filesFS, error) {
	series, err := m.studySeries(uid)
	if err != nil {
		return nil, err
	}
	f := filesFS{}
	for _, s := range series {
		for _, in := range s.Instances {
			f[fmt.Sprintf("F%06d", len(f)+1)] = m.lib.FilePath(in)
		}
	}
	return f, nil
}

// studyDisc opens one study as a viewer medium.
func (m *images) studyDisc(uid string) (*study.Disc, error) {
	f, err := m.studyFS(uid)
	if err != nil {
		return nil, err
	}
	return study.OpenFS(f, "study "+uid)
}
