package webviewer

import (
	"embed"
	"sort"
)

//go:embed VIEWER.HTM VIEWER.JS VIEWER.CSS
var fsys embed.FS

// File is one file of the viewer: its ISO 9660 level 1 name and bytes.
type File struct {
	Name string
	Data []byte
}

// Files lists the viewer's files, sorted by name.
func Files() []File {
	ents, _ := fsys.ReadDir(".")
	var out []File
	for _, e := range ents {
		b, err := fsys.ReadFile(e.Name())
		if err == nil {
			out = append(out, File{Name: e.Name(), Data: b})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
