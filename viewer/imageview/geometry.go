package imageview

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
)

// Orient is how the image is turned on screen: Rotation quarter turns
// clockwise after mirroring left-right (FlipH) and top-bottom (FlipV).
type Orient struct {
	Rotation     int // 0..3
	FlipH, FlipV bool
}

func (o Orient) identity() bool { return o.Rotation&3 == 0 && !o.FlipH && !o.FlipV }

// shown is the size of a cols x rows image once turned.
func (o Orient) shown(cols, rows int) (int, int) {
	if o.Rotation&1 == 1 {
		return rows, cols
	}
	return cols, rows
}

// forward maps source image coordinates of a cols x rows image to the
// turned image's coordinates.
func (o Orient) forward(x, y float64, cols, rows int) (float64, float64) {
	w, h := float64(cols), float64(rows)
	if o.FlipH {
		x = w - x
	}
	if o.FlipV {
		y = h - y
	}
	for i := 0; i < o.Rotation&3; i++ {
		x, y = h-y, x // a quarter turn clockwise: W x H becomes H x W
		w, h = h, w
	}
	return x, y
}

// inverse maps the turned image's coordinates back to source coordinates.
func (o Orient) inverse(u, v float64, cols, rows int) (float64, float64) {
	w, h := o.shown(cols, rows)
	W, H := float64(w), float64(h)
	for i := 0; i < o.Rotation&3; i++ {
		u, v = v, W-u // undo a quarter turn: (x, y) -> (H-y, x)
		W, H = H, W
	}
	if o.FlipV {
		v = float64(rows) - v
	}
	if o.FlipH {
		u = float64(cols) - u
	}
	return u, v
}

// Labels turns the edge labels (left, right, top, bottom) of the untouched
// image as the image is turned.
func (o Orient) Labels(l, r, t, b string) (string, string, string, string) {
	if o.FlipH {
		l, r = r, l
	}
	if o.FlipV {
		t, b = b, t
	}
	for i := 0; i < o.Rotation&3; i++ {
		l, r, t, b = b, t, l, r
	}
	return l, r, t, b
}

// placement is where the image lies in the widget: its top-left corner and
// the size of one image pixel, in widget units, and how it is turned.
type placement struct {
	ox, oy, s  float32
	o          Orient
	cols, rows int // the source image's size
}

// place computes the placement of a cols x rows image turned by o in a
// widget of size sz at zoom and pan.
func place(sz fyne.Size, cols, rows int, zoom float32, pan fyne.Position, o Orient) placement {
	if cols <= 0 || rows <= 0 || sz.Width <= 0 || sz.Height <= 0 {
		return placement{s: 1}
	}
	w, h := o.shown(cols, rows)
	s := min(sz.Width/float32(w), sz.Height/float32(h)) * zoom
	return placement{
		ox: sz.Width/2 + pan.X - float32(w)*s/2,
		oy: sz.Height/2 + pan.Y - float32(h)*s/2,
		s:  s, o: o, cols: cols, rows: rows,
	}
}

// toWidget maps source image coordinates to widget coordinates.
func (p placement) toWidget(x, y float64) fyne.Position {
	u, v := p.o.forward(x, y, p.cols, p.rows)
	return fyne.NewPos(p.ox+float32(u)*p.s, p.oy+float32(v)*p.s)
}

// toImage maps widget coordinates to source image coordinates.
func (p placement) toImage(pos fyne.Position) [2]float64 {
	u, v := float64((pos.X-p.ox)/p.s), float64((pos.Y-p.oy)/p.s)
	x, y := p.o.inverse(u, v, p.cols, p.rows)
	return [2]float64{x, y}
}

// clampImage keeps a point on the image.
func (p placement) clampImage(pt [2]float64) [2]float64 {
	return [2]float64{math.Max(0, math.Min(float64(p.cols), pt[0])), math.Max(0, math.Min(float64(p.rows), pt[1]))}
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
	sw, sh := p.o.shown(cols, rows)
	x0 := max(0, int(math.Ceil(OX-0.5)))
	x1 := min(w, int(math.Ceil(OX+float64(sw)*S-0.5)))
	y0 := max(0, int(math.Ceil(OY-0.5)))
	y1 := min(h, int(math.Ceil(OY+float64(sh)*S-0.5)))
	if x0 >= x1 || y0 >= y1 {
		return xs
	}
	if !p.o.identity() {
		composeTurned(dst, src, p.o, S, OX, OY, x0, x1, y0, y1)
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

// composeTurned is compose's path for a rotated or mirrored image: every
// device pixel is mapped back to its source pixel.
func composeTurned(dst *image.RGBA, src image.Image, o Orient, S, OX, OY float64, x0, x1, y0, y1 int) {
	b := src.Bounds()
	cols, rows := b.Dx(), b.Dy()
	g, _ := src.(*image.Gray)
	c, _ := src.(*image.RGBA)
	for y := y0; y < y1; y++ {
		v := (float64(y) + 0.5 - OY) / S
		drow := dst.Pix[y*dst.Stride:]
		for x := x0; x < x1; x++ {
			u := (float64(x) + 0.5 - OX) / S
			fx, fy := o.inverse(u, v, cols, rows)
			sx := max(0, min(cols-1, int(fx)))
			sy := max(0, min(rows-1, int(fy)))
			d := drow[4*x : 4*x+4 : 4*x+4]
			switch {
			case g != nil:
				l := g.Pix[sy*g.Stride+sx]
				d[0], d[1], d[2] = l, l, l
			case c != nil:
				copy(d[:3], c.Pix[sy*c.Stride+4*sx:sy*c.Stride+4*sx+3])
			default:
				r, gg, bb, _ := src.At(b.Min.X+sx, b.Min.Y+sy).RGBA()
				d[0], d[1], d[2] = uint8(r>>8), uint8(gg>>8), uint8(bb>>8)
			}
		}
	}
}
