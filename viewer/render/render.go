package render

import (
	"encoding/binary"
	"fmt"
	"image"
	"math"
)

// Renderer renders frames of one image. It keeps a table from stored value
// to grey level, rebuilt only when the window changes. A Renderer is not
// safe for concurrent use; make one per goroutine.
type Renderer struct {
	d      Description
	shift  uint
	mask   uint32
	lut    []uint8 // stored value bit pattern -> grey level
	built  bool
	auto   bool // window from each frame's value range
	win    Window
	voiLUT *LUT
	lastLo float64
	lastHi float64
}

// New returns a renderer using the default view: the first stored window,
// else the first VOI LUT, else a window over each frame's value range.
func New(d *Description) (*Renderer, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	r := &Renderer{d: *d}
	r.shift = uint(d.HighBit + 1 - d.BitsStored)
	r.mask = uint32(uint64(1)<<d.BitsStored - 1)
	switch {
	case len(d.Windows) > 0 && d.Windows[0].Width > 0:
		r.win = d.Windows[0]
	case len(d.VOILUTs) > 0:
		r.voiLUT = &r.d.VOILUTs[0]
	default:
		r.auto = true
	}
	return r, nil
}

// Description returns the image description the renderer was made for.
func (r *Renderer) Description() *Description { return &r.d }

// SetWindow selects a window (VOI LINEAR by default).
func (r *Renderer) SetWindow(w Window) {
	if w.Width <= 0 {
		w.Width = 1
	}
	r.win, r.voiLUT, r.auto, r.built = w, nil, false, false
}

// SetVOILUT selects the i-th VOI LUT of the description.
func (r *Renderer) SetVOILUT(i int) error {
	if i < 0 || i >= len(r.d.VOILUTs) {
		return fmt.Errorf("%w: VOI LUT %d of %d", ErrBadDescription, i, len(r.d.VOILUTs))
	}
	r.voiLUT, r.auto, r.built = &r.d.VOILUTs[i], false, false
	return nil
}

// SetAutoWindow makes every frame use a window over its own value range.
func (r *Renderer) SetAutoWindow() { r.auto, r.voiLUT, r.built = true, nil, false }

// Window returns the current window (for auto windows, the last one used).
func (r *Renderer) Window() Window { return r.win }

// value is the signed or unsigned stored value of a bit pattern.
func (r *Renderer) value(p uint32) int {
	if r.d.Signed && p&(1<<(r.d.BitsStored-1)) != 0 {
		return int(p) - int(r.mask) - 1
	}
	return int(p)
}

// sampleAt reads the stored bit pattern of sample i.
func (r *Renderer) sampleAt(frame []byte, i int) uint32 {
	var v uint32
	switch r.d.BitsAllocated {
	case 8:
		v = uint32(frame[i])
	case 16:
		v = uint32(frame[2*i]) | uint32(frame[2*i+1])<<8
	default:
		v = uint32(frame[4*i]) | uint32(frame[4*i+1])<<8 | uint32(frame[4*i+2])<<16 | uint32(frame[4*i+3])<<24
	}
	return (v >> r.shift) & r.mask
}

// grey maps one stored value to a grey level.
func (r *Renderer) grey(s int) uint8 {
	y := r.voi(r.modality(s))
	if r.inverted() {
		y = 1 - y
	}
	return uint8(math.Min(255, math.Max(0, math.Floor(y*255+0.5))))
}

// modality applies the Modality LUT or the rescale to a stored value.
func (r *Renderer) modality(s int) float64 {
	if r.d.ModalityLUT != nil {
		return r.d.ModalityLUT.lookup(float64(s))
	}
	slope := r.d.RescaleSlope
	if slope == 0 {
		slope = 1
	}
	return float64(s)*slope + r.d.RescaleIntercept
}

// voi maps a modality value to 0..1.
func (r *Renderer) voi(x float64) float64 {
	if r.voiLUT != nil {
		l := r.voiLUT
		bits := l.Bits
		if bits <= 0 || bits > 16 {
			bits = 16
		}
		return l.lookup(x) / float64(int(1)<<bits-1)
	}
	c, w := r.win.Center, r.win.Width
	fn := r.win.Function
	if fn == "" {
		fn = r.d.VOIFunction
	}
	switch fn {
	case "SIGMOID":
		return 1 / (1 + math.Exp(-4*(x-c)/w))
	case "LINEAR_EXACT":
		switch {
		case x <= c-w/2:
			return 0
		case x > c+w/2:
			return 1
		}
		return (x-c)/w + 0.5
	}
	if w < 1 {
		w = 1
	}
	switch {
	case x <= c-0.5-(w-1)/2:
		return 0
	case x > c-0.5+(w-1)/2:
		return 1
	}
	if w == 1 {
		return 1
	}
	return (x-(c-0.5))/(w-1) + 0.5
}

func (r *Renderer) inverted() bool {
	inv := r.d.Photometric == "MONOCHROME1"
	if r.d.PresentationLUTShape == "INVERSE" {
		inv = !inv
	}
	return inv
}

// build fills the stored value -> grey table for the current view.
func (r *Renderer) build() {
	n := int(r.mask) + 1
	if cap(r.lut) < 1<<16 {
		r.lut = make([]uint8, 1<<16) // room for any 16-bit index (RenderGrayInto)
	}
	r.lut = r.lut[:n]
	for p := 0; p < n; p++ {
		r.lut[p] = r.grey(r.value(uint32(p)))
	}
	r.built = true
}

// ValueRange returns the smallest and largest modality values in a grey
// frame (the basis of the default window when none is stored).
func (r *Renderer) ValueRange(frame []byte) (lo, hi float64, err error) {
	if err := r.checkFrame(frame); err != nil {
		return 0, 0, err
	}
	minP, maxP := math.MaxInt, math.MinInt
	n := r.d.Rows * r.d.Columns * r.d.SamplesPerPixel
	for i := 0; i < n; i++ {
		s := r.value(r.sampleAt(frame, i))
		minP, maxP = min(minP, s), max(maxP, s)
	}
	a, b := r.modality(minP), r.modality(maxP)
	if r.d.ModalityLUT != nil && maxP-minP <= 1<<16 {
		// A LUT need not be monotonic: scan the used range.
		a, b = math.Inf(1), math.Inf(-1)
		for s := minP; s <= maxP; s++ {
			m := r.modality(s)
			a, b = math.Min(a, m), math.Max(b, m)
		}
	}
	return math.Min(a, b), math.Max(a, b), nil
}

func (r *Renderer) checkFrame(frame []byte) error {
	if len(frame) < r.d.FrameBytes() {
		return fmt.Errorf("%w: %d bytes, need %d", ErrShortFrame, len(frame), r.d.FrameBytes())
	}
	return nil
}

// Render renders one frame (little endian, as Frame returns it) into a new
// image: *image.Gray for monochrome, *image.RGBA for colour.
func (r *Renderer) Render(frame []byte) (image.Image, error) {
	rect := image.Rect(0, 0, r.d.Columns, r.d.Rows)
	if r.d.Grey() {
		dst := image.NewGray(rect)
		return dst, r.RenderGrayInto(dst, frame)
	}
	dst := image.NewRGBA(rect)
	return dst, r.RenderRGBAInto(dst, frame)
}

// RenderGrayInto renders a monochrome frame into dst, which must be
// Columns x Rows. It allocates nothing once the table is built.
func (r *Renderer) RenderGrayInto(dst *image.Gray, frame []byte) error {
	if !r.d.Grey() {
		return fmt.Errorf("%w: %s is not monochrome", ErrUnsupported, r.d.Photometric)
	}
	if err := r.checkFrame(frame); err != nil {
		return err
	}
	if dst.Rect.Dx() != r.d.Columns || dst.Rect.Dy() != r.d.Rows {
		return fmt.Errorf("%w: destination %v for a %dx%d frame", ErrBadDescription, dst.Rect, r.d.Columns, r.d.Rows)
	}
	if r.auto {
		lo, hi, _ := r.ValueRange(frame)
		if !r.built || lo != r.lastLo || hi != r.lastHi {
			// DCMTK's min-max window (DiMonoImage::setMinMaxWindow).
			r.win = Window{Center: (lo + hi + 1) / 2, Width: hi - lo + 1, Explanation: "value range"}
			r.lastLo, r.lastHi, r.built = lo, hi, false
		}
	}
	if r.d.BitsStored > 16 {
		// No table over 2^32 values: compute each pixel.
		for y := 0; y < r.d.Rows; y++ {
			row := dst.Pix[y*dst.Stride : y*dst.Stride+r.d.Columns]
			for x := range row {
				row[x] = r.grey(r.value(r.sampleAt(frame, y*r.d.Columns+x)))
			}
		}
		return nil
	}
	if !r.built {
		r.build()
	}
	// The table has room for 2^16 entries (build), so a uint16 index needs
	// no bounds check; the mask keeps it within the filled part.
	lut := (*[1 << 16]uint8)(r.lut[:1<<16])
	shift, mask := r.shift, uint16(r.mask)
	w := r.d.Columns
	for y := 0; y < r.d.Rows; y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+w]
		if r.d.BitsAllocated == 8 {
			src := frame[y*w : y*w+w]
			src = src[:len(row)]
			for x, v := range src {
				row[x] = lut[uint16(v>>shift)&mask]
			}
			continue
		}
		src := frame[2*y*w : 2*y*w+2*w]
		for x := range row {
			v := binary.LittleEndian.Uint16(src[2*x : 2*x+2])
			row[x] = lut[(v>>shift)&mask]
		}
	}
	return nil
}

// Render renders frame data with the description's default view.
func Render(d *Description, frame []byte) (image.Image, error) {
	r, err := New(d)
	if err != nil {
		return nil, err
	}
	return r.Render(frame)
}
