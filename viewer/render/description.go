package render

import (
	"fmt"
	"strings"
)

// Description is what rendering needs to know about an image: the Image
// Pixel module (PS3.3 C.7.6.3), the Modality LUT module (C.11.1), the VOI
// LUT module (C.11.2) and the Presentation LUT Shape (C.11.6).
//
// Frame data handed to a Renderer is little endian, as Frame returns it;
// PlanarConfiguration says how colour samples are laid out.
type Description struct {
	Rows, Columns       int
	SamplesPerPixel     int
	BitsAllocated       int // 8 or 16; 32 for monochrome (rendered without a table)
	BitsStored          int
	HighBit             int
	Signed              bool   // Pixel Representation 1
	Photometric         string // as it applies to the frame data (see Frame)
	PlanarConfiguration int    // 0 colour-by-pixel, 1 colour-by-plane
	NumberOfFrames      int
	Modality            string

	RescaleSlope     float64 // 1 when absent
	RescaleIntercept float64
	ModalityLUT      *LUT // replaces slope/intercept when set

	Windows     []Window // stored Window Center/Width pairs, first is the default
	VOILUTs     []LUT    // VOI LUT Sequence items
	VOIFunction string   // LINEAR (default), LINEAR_EXACT or SIGMOID

	PresentationLUTShape string // IDENTITY (default) or INVERSE

	Palette *Palette // PALETTE COLOR
}

// Window is a VOI window (PS3.3 C.11.2.1.2).
type Window struct {
	Center, Width float64
	Explanation   string
	Function      string // "" means the description's VOIFunction
}

func (w Window) String() string {
	s := fmt.Sprintf("%g/%g", w.Center, w.Width)
	if w.Explanation != "" {
		s += " (" + w.Explanation + ")"
	}
	return s
}

// LUT is a lookup table with its descriptor (PS3.3 C.11.1.1): entries map
// input values First, First+1, ... to Data; input outside the range clamps
// to the first or last entry.
type LUT struct {
	First       int
	Bits        int // bits per entry (8 or 16, as the descriptor says)
	Data        []uint16
	Explanation string
}

func (l *LUT) lookup(v float64) float64 {
	i := int(v) - l.First
	if v < float64(l.First) {
		i = 0
	}
	if i >= len(l.Data) {
		i = len(l.Data) - 1
	}
	return float64(l.Data[i])
}

// Palette is the Palette Color Lookup Table (PS3.3 C.7.6.3.1.5).
type Palette struct {
	Red, Green, Blue LUT
}

// Grey reports whether the image is monochrome.
func (d *Description) Grey() bool {
	return d.SamplesPerPixel == 1 && d.Photometric != "PALETTE COLOR"
}

// FrameBytes is the size of one frame.
func (d *Description) FrameBytes() int {
	return d.Rows * d.Columns * d.SamplesPerPixel * d.BitsAllocated / 8
}

// Check validates the description.
func (d *Description) Check() error {
	switch {
	case d.Rows <= 0 || d.Columns <= 0 || d.Rows > 65535 || d.Columns > 65535:
		return fmt.Errorf("%w: %dx%d pixels", ErrBadDescription, d.Columns, d.Rows)
	case d.BitsAllocated == 32 && !d.Grey():
		return fmt.Errorf("%w: 32 bits allocated in a colour image", ErrUnsupported)
	case d.BitsAllocated != 8 && d.BitsAllocated != 16 && d.BitsAllocated != 32:
		return fmt.Errorf("%w: %d bits allocated", ErrUnsupported, d.BitsAllocated)
	case d.BitsStored < 1 || d.BitsStored > d.BitsAllocated || d.HighBit < d.BitsStored-1 || d.HighBit >= d.BitsAllocated:
		return fmt.Errorf("%w: bits stored %d, high bit %d, bits allocated %d", ErrBadDescription, d.BitsStored, d.HighBit, d.BitsAllocated)
	case d.SamplesPerPixel != 1 && d.SamplesPerPixel != 3:
		return fmt.Errorf("%w: %d samples per pixel", ErrUnsupported, d.SamplesPerPixel)
	}
	ph := d.Photometric
	switch {
	case d.SamplesPerPixel == 1 && (ph == "MONOCHROME1" || ph == "MONOCHROME2" || ph == ""):
	case d.SamplesPerPixel == 1 && ph == "PALETTE COLOR":
		if d.Palette == nil {
			return fmt.Errorf("%w: PALETTE COLOR without a palette", ErrBadDescription)
		}
		for _, l := range []*LUT{&d.Palette.Red, &d.Palette.Green, &d.Palette.Blue} {
			if len(l.Data) == 0 {
				return fmt.Errorf("%w: empty palette", ErrBadDescription)
			}
		}
	case d.SamplesPerPixel == 3 && (ph == "RGB" || ph == "YBR_FULL" || ph == "YBR_RCT" || ph == "YBR_ICT"):
	case d.SamplesPerPixel == 3 && ph == "YBR_FULL_422":
		if d.Columns%2 != 0 && d.PlanarConfiguration == 0 {
			return fmt.Errorf("%w: YBR_FULL_422 with an odd number of columns", ErrBadDescription)
		}
	default:
		return fmt.Errorf("%w: photometric interpretation %q with %d samples", ErrUnsupported, ph, d.SamplesPerPixel)
	}
	if d.ModalityLUT != nil && len(d.ModalityLUT.Data) == 0 {
		return fmt.Errorf("%w: empty Modality LUT", ErrBadDescription)
	}
	for _, l := range d.VOILUTs {
		if len(l.Data) == 0 {
			return fmt.Errorf("%w: empty VOI LUT", ErrBadDescription)
		}
	}
	return nil
}

// Presets lists the windows to offer: the stored ones with their
// explanations, then the usual presets for the modality (CT: brain,
// subdural, lung, mediastinum, abdomen, liver, bone).
func (d *Description) Presets() []Window {
	out := append([]Window(nil), d.Windows...)
	if strings.EqualFold(d.Modality, "CT") {
		out = append(out, CTPresets...)
	}
	return out
}

// CTPresets are common CT windows in Hounsfield units.
var CTPresets = []Window{
	{Center: 40, Width: 80, Explanation: "CT brain"},
	{Center: 75, Width: 215, Explanation: "CT subdural"},
	{Center: -600, Width: 1500, Explanation: "CT lung"},
	{Center: 50, Width: 350, Explanation: "CT mediastinum"},
	{Center: 40, Width: 400, Explanation: "CT abdomen"},
	{Center: 60, Width: 160, Explanation: "CT liver"},
	{Center: 400, Width: 1800, Explanation: "CT bone"},
}
