package codec

import (
	"fmt"
	"sort"
	"strings"
)

// Transfer syntax UIDs this package knows (PS3.6 A).
const (
	RLELossless        = "1.2.840.10008.1.2.5"
	JPEGBaseline8Bit   = "1.2.840.10008.1.2.4.50"
	JPEGExtended12Bit  = "1.2.840.10008.1.2.4.51"
	JPEGLossless       = "1.2.840.10008.1.2.4.57"
	JPEGLosslessSV1    = "1.2.840.10008.1.2.4.70"
	JPEGLSLossless     = "1.2.840.10008.1.2.4.80"
	JPEGLSNearLossless = "1.2.840.10008.1.2.4.81"
	JPEG2000Lossless   = "1.2.840.10008.1.2.4.90"
	JPEG2000           = "1.2.840.10008.1.2.4.91"

	HTJ2KLossless     = "1.2.840.10008.1.2.4.201"
	HTJ2KRPCLLossless = "1.2.840.10008.1.2.4.202"
	HTJ2K             = "1.2.840.10008.1.2.4.203"

	JPEGXLLossless          = "1.2.840.10008.1.2.4.110"
	JPEGXLJPEGRecompression = "1.2.840.10008.1.2.4.111"
	JPEGXL                  = "1.2.840.10008.1.2.4.112"

	// DeflatedImageFrame is Deflated Image Frame Compression: each frame
	// native, deflated (PS3.5 8.2.16).
	DeflatedImageFrame = "1.2.840.10008.1.2.8.1"
	// EncapsulatedUncompressed is Encapsulated Uncompressed Explicit VR
	// Little Endian: each frame native, in its own fragment (PS3.5 A.4.11).
	EncapsulatedUncompressed = "1.2.840.10008.1.2.1.98"
)

// MaxFrameBytes bounds the output of one frame (1 GiB), so a hostile header
// cannot make a decoder allocate without limit.
const MaxFrameBytes = 1 << 30

// Params describes the frame a decoder must produce (PS3.3 C.7.6.3).
type Params struct {
	Rows, Columns       int
	SamplesPerPixel     int // 1 or 3
	BitsAllocated       int // 8 or 16
	BitsStored          int // informational; 0 means BitsAllocated
	PixelRepresentation int // 0 unsigned, 1 two's complement
}

// FrameBytes is the size of one decoded frame.
func (p Params) FrameBytes() int {
	return p.Rows * p.Columns * p.SamplesPerPixel * (p.BitsAllocated / 8)
}

func (p Params) check() error {
	if p.Rows <= 0 || p.Columns <= 0 || p.Rows > 65535 || p.Columns > 65535 {
		return fmt.Errorf("%w: %dx%d pixels", ErrParams, p.Columns, p.Rows)
	}
	if p.SamplesPerPixel != 1 && p.SamplesPerPixel != 3 {
		return fmt.Errorf("%w: %d samples per pixel", ErrParams, p.SamplesPerPixel)
	}
	if p.BitsAllocated != 8 && p.BitsAllocated != 16 {
		return fmt.Errorf("%w: %d bits allocated (compressed frames need 8 or 16)", ErrParams, p.BitsAllocated)
	}
	if p.FrameBytes() > MaxFrameBytes {
		return fmt.Errorf("%w: frame of %d bytes", ErrParams, p.FrameBytes())
	}
	return nil
}

// DecodeFunc decodes the concatenated fragments of one frame.
type DecodeFunc func(src []byte, p Params) ([]byte, error)

type entry struct {
	name   string
	decode DecodeFunc // nil: known but not decodable in this build
	why    string     // reason when decode is nil
	lib    string     // the C library the cgo build decodes it with ("" = pure Go)
}

var registry = map[string]entry{
	RLELossless:                {name: "RLE Lossless", decode: DecodeRLE},
	DeflatedImageFrame:         {name: "Deflated Image Frame Compression", decode: decodeDeflatedFrame},
	EncapsulatedUncompressed:   {name: "Encapsulated Uncompressed Explicit VR Little Endian", decode: decodeEncapsulatedUncompressed},
	JPEGBaseline8Bit:           {name: "JPEG Baseline (Process 1)", decode: DecodeJPEG},
	JPEGExtended12Bit:          {name: "JPEG Extended (Process 2 & 4)", decode: DecodeJPEG},
	JPEGLossless:               {name: "JPEG Lossless (Process 14)", decode: DecodeJPEG},
	JPEGLosslessSV1:            {name: "JPEG Lossless SV1 (Process 14, Selection Value 1)", decode: DecodeJPEG},
	JPEGLSLossless:             {name: "JPEG-LS Lossless", decode: decodeJPEGLS, why: jpeglsWhy, lib: "CharLS"},
	JPEGLSNearLossless:         {name: "JPEG-LS Near-Lossless", decode: decodeJPEGLS, why: jpeglsWhy, lib: "CharLS"},
	JPEG2000Lossless:           {name: "JPEG 2000 (Lossless Only)", decode: decodeJPEG2000, why: j2kWhy, lib: "OpenJPEG"},
	JPEG2000:                   {name: "JPEG 2000", decode: decodeJPEG2000, why: j2kWhy, lib: "OpenJPEG"},
	"1.2.840.10008.1.2.4.51.1": {name: "JPEG Extended (Process 3 & 5, retired)"},
	"1.2.840.10008.1.2.4.53":   {name: "JPEG Spectral Selection (retired)"},
	"1.2.840.10008.1.2.4.55":   {name: "JPEG Full Progression (retired)"},
	HTJ2KLossless:              {name: "High-Throughput JPEG 2000 (Lossless Only)", decode: decodeJPEG2000, why: htj2kWhy, lib: "OpenJPEG 2.5"},
	HTJ2KRPCLLossless:          {name: "High-Throughput JPEG 2000 with RPCL (Lossless Only)", decode: decodeJPEG2000, why: htj2kWhy, lib: "OpenJPEG 2.5"},
	HTJ2K:                      {name: "High-Throughput JPEG 2000", decode: decodeJPEG2000, why: htj2kWhy, lib: "OpenJPEG 2.5"},
	JPEGXLLossless:             {name: "JPEG XL Lossless", decode: decodeJPEGXL, why: jxlWhy, lib: "libjxl"},
	JPEGXLJPEGRecompression:    {name: "JPEG XL JPEG Recompression", decode: decodeJPEGXLRecompressed, why: jxlWhy, lib: "libjxl"},
	JPEGXL:                     {name: "JPEG XL", decode: decodeJPEGXL, why: jxlWhy, lib: "libjxl"},
	"1.2.840.10008.1.2.4.100":  {name: "MPEG2 Main Profile"},
	"1.2.840.10008.1.2.4.101":  {name: "MPEG2 High Profile"},
	"1.2.840.10008.1.2.4.102":  {name: "MPEG-4 AVC/H.264 High Profile"},
	"1.2.840.10008.1.2.4.103":  {name: "MPEG-4 AVC/H.264 BD-compatible"},
	"1.2.840.10008.1.2.4.107":  {name: "HEVC/H.265 Main Profile"},
	"1.2.840.10008.1.2.4.108":  {name: "HEVC/H.265 Main 10 Profile"},
	"1.2.840.10008.1.2.4.91.1": {name: "JPIP"},
}

// Name is a readable name for a transfer syntax UID (the UID when unknown).
func Name(uid string) string {
	if e, ok := registry[uid]; ok {
		return e.name
	}
	return uid
}

// Supported reports whether this build decodes frames of the syntax.
func Supported(uid string) bool {
	e, ok := registry[uid]
	return ok && e.decode != nil
}

// Syntaxes lists the transfer syntax UIDs this build decodes, sorted.
func Syntaxes() []string {
	var out []string
	for uid, e := range registry {
		if e.decode != nil {
			out = append(out, uid)
		}
	}
	sort.Strings(out)
	return out
}

// Info describes a transfer syntax the registry knows.
type Info struct {
	UID, Name string
	// Decoded: this build decodes it. Library names the C library the cgo
	// build (the Linux desk) decodes it with; "" means pure Go, decoded by
	// every build, the disc viewers included.
	Decoded bool
	Library string
}

// Known lists every transfer syntax the registry knows, decodable or not,
// in UID order (component by component, as numbers): the source of the
// conformance statement's table.
func Known() []Info {
	var out []Info
	for uid, e := range registry {
		out = append(out, Info{UID: uid, Name: e.name, Decoded: e.decode != nil, Library: e.lib})
	}
	sort.Slice(out, func(i, j int) bool { return uidLess(out[i].UID, out[j].UID) })
	return out
}

func uidLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for k := 0; k < len(as) && k < len(bs); k++ {
		if len(as[k]) != len(bs[k]) {
			return len(as[k]) < len(bs[k])
		}
		if as[k] != bs[k] {
			return as[k] < bs[k]
		}
	}
	return len(as) < len(bs)
}

// Lookup returns the decoder for a transfer syntax, or an error wrapping
// ErrUnsupportedSyntax that names it.
func Lookup(uid string) (DecodeFunc, error) {
	e, ok := registry[uid]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedSyntax, uid)
	}
	if e.decode == nil {
		why := e.why
		if why == "" {
			why = "no decoder"
		}
		return nil, fmt.Errorf("%w: %s (%s): %s", ErrUnsupportedSyntax, e.name, uid, why)
	}
	return e.decode, nil
}

// Decode decodes one compressed frame of the given transfer syntax into
// little-endian, colour-by-pixel stored samples (see the package doc).
func Decode(uid string, src []byte, p Params) ([]byte, error) {
	dec, err := Lookup(uid)
	if err != nil {
		return nil, err
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("decode %s frame: %w", Name(uid), err)
	}
	out, err := dec(src, p)
	if err != nil {
		return nil, fmt.Errorf("decode %s frame: %w", Name(uid), err)
	}
	if len(out) != p.FrameBytes() {
		return nil, fmt.Errorf("decode %s frame: %w: %d bytes, want %d", Name(uid), ErrFrameSize, len(out), p.FrameBytes())
	}
	return out, nil
}
