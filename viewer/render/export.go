package render

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"discdesk/viewer/jpegenc"
)

// Scale returns img resized to fit within maxW x maxH keeping its aspect
// ratio, by area averaging (never enlarging when shrink is true).
func Scale(img image.Image, maxW, maxH int, shrinkOnly bool) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 || maxW <= 0 || maxH <= 0 {
		return img
	}
	s := min(float64(maxW)/float64(w), float64(maxH)/float64(h))
	if shrinkOnly && s >= 1 {
		return img
	}
	nw, nh := max(1, int(float64(w)*s+0.5)), max(1, int(float64(h)*s+0.5))
	_, grey := img.(*image.Gray)
	var out image.Image
	var gray *image.Gray
	var rgba *image.RGBA
	if grey {
		gray = image.NewGray(image.Rect(0, 0, nw, nh))
		out = gray
	} else {
		rgba = image.NewRGBA(image.Rect(0, 0, nw, nh))
		out = rgba
	}
	for y := 0; y < nh; y++ {
		y0, y1 := y*h/nh, max((y+1)*h/nh, y*h/nh+1)
		for x := 0; x < nw; x++ {
			x0, x1 := x*w/nw, max((x+1)*w/nw, x*w/nw+1)
			var sr, sg, sb, n uint32
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					r, g, bl, _ := img.At(b.Min.X+xx, b.Min.Y+yy).RGBA()
					sr, sg, sb, n = sr+r>>8, sg+g>>8, sb+bl>>8, n+1
				}
			}
			if grey {
				gray.Pix[y*gray.Stride+x] = uint8((sr + n/2) / n)
			} else {
				p := rgba.Pix[y*rgba.Stride+4*x:]
				p[0], p[1], p[2], p[3] = uint8((sr+n/2)/n), uint8((sg+n/2)/n), uint8((sb+n/2)/n), 255
			}
		}
	}
	return out
}

// Thumbnail shrinks img to fit a side x side square.
func Thumbnail(img image.Image, side int) image.Image { return Scale(img, side, side, true) }

// JPEGQuality is the quality of JPEG exports.
const JPEGQuality = jpegenc.DefaultQuality

// Encode writes img as PNG or JPEG (quality JPEGQuality) by format
// "png"/"jpg"/"jpeg". Grey images go through viewer/jpegenc, colour ones
// through image/jpeg.
func Encode(w io.Writer, img image.Image, format string) error {
	switch strings.ToLower(format) {
	case "png":
		return png.Encode(w, img)
	case "jpg", "jpeg":
		if g, ok := img.(*image.Gray); ok {
			return jpegenc.Encode(w, g, JPEGQuality)
		}
		return jpeg.Encode(w, img, &jpeg.Options{Quality: JPEGQuality})
	}
	return fmt.Errorf("%w: export format %q (want png or jpg)", ErrUnsupported, format)
}

// WriteFile exports img to path (0600), the format chosen by the extension.
func WriteFile(path string, img image.Image) (err error) {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	if format == "" {
		return fmt.Errorf("export %s: %w: no .png or .jpg extension", path, ErrUnsupported)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("export %s: %w", path, cerr)
		}
	}()
	if err := Encode(f, img, format); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// Open is the short path from a DICOM file to a renderer and frame: it
// parses path, describes the image and extracts frame n.
func Open(path string, n int) (*Renderer, []byte, error) {
	f, err := parseFile(path)
	if err != nil {
		return nil, nil, err
	}
	d, err := Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		return nil, nil, fmt.Errorf("render %s: %w", filepath.Base(path), err)
	}
	frame, err := Frame(f, d, n)
	if err != nil {
		return nil, nil, fmt.Errorf("render %s frame %d: %w", filepath.Base(path), n, err)
	}
	r, err := New(d)
	if err != nil {
		return nil, nil, fmt.Errorf("render %s: %w", filepath.Base(path), err)
	}
	return r, frame, nil
}

// An Exporter renders frames of DICOM files with their default view and
// writes them as JPEG or PNG files, keeping its work between files: the
// renderer and its table while consecutive files share an image
// description (the slices of a series do), the grey image, and the JPEG
// encoder with its output buffer. Native little-endian pixel data is
// rendered in place, without a copy of the frame. An Exporter is not safe
// for concurrent use; give each goroutine its own.
type Exporter struct {
	r    *Renderer
	gray *image.Gray
	jpg  *jpegenc.Encoder
	buf  []byte // the last JPEG
}

// NewExporter returns an Exporter writing JPEGs at JPEGQuality.
func NewExporter() *Exporter { return &Exporter{jpg: jpegenc.NewEncoder(JPEGQuality)} }

// ExportFile renders frame n of the DICOM file src and writes it to dst
// (0600), the format chosen by dst's extension (.jpg, .jpeg or .png).
func (x *Exporter) ExportFile(src string, n int, dst string) error {
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(dst), "."))
	if format != "png" && format != "jpg" && format != "jpeg" {
		return fmt.Errorf("export %s: %w: no .png or .jpg extension", dst, ErrUnsupported)
	}
	f, err := parseFile(src)
	if err != nil {
		return err
	}
	d, err := Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		return fmt.Errorf("render %s: %w", filepath.Base(src), err)
	}
	frame, err := frameView(f, d, n)
	if err != nil {
		return fmt.Errorf("render %s frame %d: %w", filepath.Base(src), n, err)
	}
	if x.r == nil || !reflect.DeepEqual(&x.r.d, d) {
		if x.r, err = New(d); err != nil {
			return fmt.Errorf("render %s: %w", filepath.Base(src), err)
		}
	}
	var img image.Image
	if d.Grey() {
		if x.gray == nil || x.gray.Rect.Dx() != d.Columns || x.gray.Rect.Dy() != d.Rows {
			x.gray = image.NewGray(image.Rect(0, 0, d.Columns, d.Rows))
		}
		img = x.gray
		err = x.r.RenderGrayInto(x.gray, frame)
	} else {
		img, err = x.r.Render(frame)
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", filepath.Base(src), err)
	}
	var out []byte
	if g, ok := img.(*image.Gray); ok && format != "png" {
		x.buf, err = x.jpg.Append(x.buf[:0], g)
		out = x.buf
	} else {
		var b bytes.Buffer
		err = Encode(&b, img, format)
		out = b.Bytes()
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", dst, err)
	}
	if err := os.WriteFile(dst, out, 0o600); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
