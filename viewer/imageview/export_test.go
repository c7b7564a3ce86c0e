package imageview

import "image"

// Compose runs the viewer's raster generator at w x h pixels.
func Compose(v *Viewer, w, h int) image.Image {
	r := newViewerRenderer(v)
	return r.draw(w, h)
}
