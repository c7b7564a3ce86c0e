package imageview

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
)

// placement is where the image lies in the widget: its top-left corner and
// the size of one image pixel, in widget units.
type placement struct {
	ox, oy, s float32
}

// place computes the placement of a cols x rows image in a widget of size
// sz at zoom and pan.
func place(sz fyne.Size, cols, rows int, zoom float32, pan fyne.Position) placement {
	if cols <= 0 || rows <= 0 || sz.Width <= 0 || sz.Height <= 0 {
		return placement{s: 1}
	}
	s := min(sz.Width/float32(cols), sz.Height/float32(rows)) * zoom
	return placement{
		ox: sz.Width/2 + pan.X - float32(cols)*s/2,
		oy: sz.Height/2 + pan.Y - float32(rows)*s/2,
		s:  s,
	}
}

// toWidget maps image coordinates to widget coordinates.
func (p placement) toWidget(x, y float64) fyne.Position {
	return fyne.NewPos(p.ox+float32(x)*p.s, p.oy+float32(y)*p.s)
}

// toImage maps widget coordinates to image coordinates.
func (p placement) toImage(pos fyne.Position) [2]float64 {
	return [2]float64{float64((pos.X - p.ox) / p.s), float64((pos.Y - p.oy) / p.s)}
}

// Background is the colour around the image.
var Background = color.RGBA{A: 0xff}

// compose draws src into dst (w x h device pixels) at placement p given in
// widget units, k device pixels per unit, by nearest neighbour. xs is a
// scratch table reused between calls.
func compose(dst *image.RGBA, src image.Image, p placement, k float32, xs []int) []int {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if h > 0 {
		row := dst.Pix[:4*w]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = Background.R, Background.G, Background.B, 0xff
		}
		for y := 1; y < h; y++ {
			copy(dst.Pix[y*dst.Stride:y*dst.Stride+4*w], row)
		}
	}
	if src == nil {
		return xs
	}
	b := src.Bounds()
	cols, rows := b.Dx(), b.Dy()
	S, OX, OY := float64(p.s*k), float64(p.ox*k), float64(p.oy*k)
	if S <= 0 {
		return xs
	}
	x0 := max(0, int(math.Ceil(OX-0.5)))
	x1 := min(w, int(math.Ceil(OX+float64(cols)*S-0.5)))
	y0 := max(0, int(math.Ceil(OY-0.5)))
	y1 := min(h, int(math.Ceil(OY+float64(rows)*S-0.5)))
	if x0 >= x1 || y0 >= y1 {
		return xs
	}
	xs = xs[:0]
	for x := x0; x < x1; x++ {
		xs = append(xs, max(0, min(cols-1, int((float64(x)+0.5-OX)/S))))
	}
	switch s := src.(type) {
	case *image.Gray:
		for y := y0; y < y1; y++ {
			sy := max(0, min(rows-1, int((float64(y)+0.5-OY)/S)))
			srow := s.Pix[sy*s.Stride:]
			drow := dst.Pix[y*dst.Stride+4*x0 : y*dst.Stride+4*x1]
			for i, sx := range xs {
				g := srow[sx]
				d := drow[4*i : 4*i+4 : 4*i+4]
				d[0], d[1], d[2] = g, g, g
			}
		}
	case *image.RGBA:
		for y := y0; y < y1; y++ {
			sy := max(0, min(rows-1, int((float64(y)+0.5-OY)/S)))
			srow := s.Pix[sy*s.Stride:]
			drow := dst.Pix[y*dst.Stride+4*x0 : y*dst.Stride+4*x1]
			for i, sx := range xs {
				copy(drow[4*i:4*i+3], srow[4*sx:4*sx+3])
			}
		}
	default:
		for y := y0; y < y1; y++ {
			sy := max(0, min(rows-1, int((float64(y)+0.5-OY)/S)))
			for i, sx := range xs {
				dst.Set(x0+i, y, src.At(b.Min.X+sx, b.Min.Y+sy))
			}
		}
	}
	return xs
}
