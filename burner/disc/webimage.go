package disc

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"

	"golang.org/x/image/draw"

	"discdesk/burner/disc/pdi"
	"discdesk/viewer/dcm"
	"discdesk/viewer/jpegenc"
	"discdesk/viewer/render"
)

// Web image sizes: images are shown at most webMax pixels on their longer
// side, thumbnails at thumbMax.
const (
	webMax   = 1024
	thumbMax = 128
	jpegQ    = 85
)

// webImage renders frame n of the object at path with its stored window
// (render's default view) and encodes it and its thumbnail as JPEG.
func webImage(path string, n int) (*pdi.Image, error) {
	f, err := dcm.ParseFile(path)
	if err != nil {
		return nil, fmt.Errorf("disc: web image of %s: %w", path, err)
	}
	d, err := render.Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		return nil, fmt.Errorf("disc: web image of %s: %w", path, err)
	}
	frame, err := render.Frame(f, d, n)
	if err != nil {
		return nil, fmt.Errorf("disc: web image of %s frame %d: %w", path, n+1, err)
	}
	img, err := render.Render(d, frame)
	if err != nil {
		return nil, fmt.Errorf("disc: web image of %s frame %d: %w", path, n+1, err)
	}
	big := fit(img, webMax)
	thumb := fit(img, thumbMax)
	out := &pdi.Image{Width: big.Bounds().Dx(), Height: big.Bounds().Dy(), ThumbW: thumb.Bounds().Dx(), ThumbH: thumb.Bounds().Dy()}
	if out.JPEG, err = encodeJPEG(big); err != nil {
		return nil, err
	}
	if out.Thumb, err = encodeJPEG(thumb); err != nil {
		return nil, err
	}
	return out, nil
}

// fit scales img down so its longer side is at most max pixels.
func fit(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	if w >= h {
		h, w = max*h/w, max
	} else {
		w, h = max*w/h, max
	}
	w, h = maxInt(w, 1), maxInt(h, 1)
	var dst draw.Image
	if _, grey := img.(*image.Gray); grey {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if g, ok := img.(*image.Gray); ok {
		err = jpegenc.Encode(&buf, g, jpegQ) // the fast greyscale encoder
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQ})
	}
	if err != nil {
		return nil, fmt.Errorf("disc: encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}
