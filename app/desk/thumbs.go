package desk

import (
	"image"
	"sync"

	"discdesk/app/library"
	"discdesk/viewer/render"
)

// images renders study images for cards and the kiosk viewer, caching
// thumbnails. No Fyne here: it returns image.Image.
type images struct {
	lib *library.Library
	// only, when set (the kiosk), gives a study's instances instead of the
	// library: the signed-in patient's vetted files (studyfs.go).
	only  func(uid string) ([]library.SeriesDetail, error)
	mu    sync.Mutex
	thumb map[string]image.Image
}

func newImages(lib *library.Library) *images {
	return &images{lib: lib, thumb: map[string]image.Image{}}
}

// nonImage holds the modalities whose objects have no pixels to show.
var nonImage = map[string]bool{"SR": true, "PR": true, "KO": true, "DOC": true, "REG": true, "RTSTRUCT": true, "RTPLAN": true}

// imageInstances lists a study's image instances, series by series.
func (m *images) imageInstances(uid string) [][]library.Instance {
	series, err := m.studySeries(uid)
	if err != nil {
		return nil
	}
	var out [][]library.Instance
	for _, s := range series {
		if nonImage[s.Modality] || len(s.Instances) == 0 {
			continue
		}
		out = append(out, s.Instances)
	}
	return out
}

// render renders one instance's first frame.
func (m *images) render(in library.Instance) (image.Image, error) {
	r, frame, err := render.Open(m.lib.FilePath(in), 0)
	if err != nil {
		return nil, err
	}
	return r.Render(frame)
}

// Thumbnail returns a study's thumbnail (the middle image of its first image
// series), or nil when it has none that renders.
func (m *images) Thumbnail(uid string, side int) image.Image {
	m.mu.Lock()
	if t, ok := m.thumb[uid]; ok {
		m.mu.Unlock()
		return t
	}
	m.mu.Unlock()
	var t image.Image
	if series := m.imageInstances(uid); len(series) > 0 {
		in := series[0][len(series[0])/2]
		if img, err := m.render(in); err == nil {
			t = render.Thumbnail(img, side)
		}
	}
	m.mu.Lock()
	m.thumb[uid] = t
	m.mu.Unlock()
	return t
}
