package codec

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testImage is what the tests need of a Part 10 file: a tiny explicit VR
// little endian walker, so the codec tests do not depend on viewer/dcm.
type testImage struct {
	syntax    string
	params    Params
	planar    int
	frames    int
	photo     string
	native    []byte   // native pixel data
	fragments [][]byte // encapsulated: fragments after the offset table
	bot       []byte
}

func readTestImage(t testing.TB, path string) *testImage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := parseTestImage(b)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return img
}

func parseTestImage(b []byte) (*testImage, error) {
	if len(b) < 132 || string(b[128:132]) != "DICM" {
		return nil, fmt.Errorf("not Part 10")
	}
	img := &testImage{frames: 1}
	pos := 132
	us := func(v []byte) int { return int(binary.LittleEndian.Uint16(v)) }
	for pos+8 <= len(b) {
		grp, el := binary.LittleEndian.Uint16(b[pos:]), binary.LittleEndian.Uint16(b[pos+2:])
		vr := string(b[pos+4 : pos+6])
		var n, hdr int
		switch vr {
		case "OB", "OW", "OF", "SQ", "UT", "UN", "OD", "OL", "UC", "UR", "OV", "SV", "UV":
			n, hdr = int(binary.LittleEndian.Uint32(b[pos+8:])), 12
		default:
			n, hdr = us(b[pos+6:]), 8
		}
		tag := uint32(grp)<<16 | uint32(el)
		pos += hdr
		if n == -1 || uint32(n) == 0xFFFFFFFF {
			if tag == 0x7FE00010 {
				return img, img.readFragments(b[pos:])
			}
			end, err := skipUndefined(b, pos)
			if err != nil {
				return nil, err
			}
			pos = end
			continue
		}
		if pos+n > len(b) {
			return nil, fmt.Errorf("element %08X past end", tag)
		}
		v := b[pos : pos+n]
		pos += n
		switch tag {
		case 0x00020010:
			img.syntax = strings.TrimRight(string(v), "\x00 ")
		case 0x00280002:
			img.params.SamplesPerPixel = us(v)
		case 0x00280004:
			img.photo = strings.TrimSpace(string(v))
		case 0x00280006:
			img.planar = us(v)
		case 0x00280008:
			fmt.Sscan(strings.TrimSpace(string(v)), &img.frames)
		case 0x00280010:
			img.params.Rows = us(v)
		case 0x00280011:
			img.params.Columns = us(v)
		case 0x00280100:
			img.params.BitsAllocated = us(v)
		case 0x00280101:
			img.params.BitsStored = us(v)
		case 0x00280103:
			img.params.PixelRepresentation = us(v)
		case 0x7FE00010:
			img.native = v
		}
	}
	return img, nil
}

// skipUndefined skips items up to the matching sequence delimiter.
func skipUndefined(b []byte, pos int) (int, error) {
	depth := 1
	for pos+8 <= len(b) {
		tag := uint32(binary.LittleEndian.Uint16(b[pos:]))<<16 | uint32(binary.LittleEndian.Uint16(b[pos+2:]))
		switch tag {
		case 0xFFFEE0DD:
			depth--
			pos += 8
			if depth == 0 {
				return pos, nil
			}
			continue
		case 0xFFFEE000, 0xFFFEE00D:
			pos += 8
			continue
		}
		vr := string(b[pos+4 : pos+6])
		var n, hdr int
		switch vr {
		case "OB", "OW", "OF", "SQ", "UT", "UN", "OD", "OL", "UC", "UR", "OV", "SV", "UV":
			n, hdr = int(binary.LittleEndian.Uint32(b[pos+8:])), 12
		default:
			n, hdr = int(binary.LittleEndian.Uint16(b[pos+6:])), 8
		}
		pos += hdr
		if uint32(n) == 0xFFFFFFFF {
			depth++
			continue
		}
		pos += n
	}
	return 0, fmt.Errorf("unterminated sequence")
}

func (img *testImage) readFragments(b []byte) error {
	pos := 0
	first := true
	for pos+8 <= len(b) {
		tag := uint32(binary.LittleEndian.Uint16(b[pos:]))<<16 | uint32(binary.LittleEndian.Uint16(b[pos+2:]))
		n := int(binary.LittleEndian.Uint32(b[pos+4:]))
		pos += 8
		if tag == 0xFFFEE0DD {
			return nil
		}
		if tag != 0xFFFEE000 || pos+n > len(b) {
			return fmt.Errorf("bad fragment item")
		}
		if first {
			img.bot = b[pos : pos+n]
			first = false
		} else {
			img.fragments = append(img.fragments, b[pos:pos+n])
		}
		pos += n
	}
	return fmt.Errorf("no sequence delimiter")
}

// frame returns compressed frame i: by the offset table, else one fragment
// per frame, else (one frame) all fragments.
func (img *testImage) frame(t testing.TB, i int) []byte {
	t.Helper()
	if len(img.bot) >= 4*img.frames && img.frames > 1 {
		var offs []int
		for k := 0; k < img.frames; k++ {
			offs = append(offs, int(binary.LittleEndian.Uint32(img.bot[4*k:])))
		}
		var out []byte
		pos := 0
		for _, f := range img.fragments {
			if pos >= offs[i] && (i+1 >= len(offs) || pos < offs[i+1]) {
				out = append(out, f...)
			}
			pos += 8 + len(f)
		}
		return out
	}
	if img.frames == 1 {
		var out []byte
		for _, f := range img.fragments {
			out = append(out, f...)
		}
		return out
	}
	if len(img.fragments) == img.frames {
		return img.fragments[i]
	}
	// Several fragments per frame, no offset table: split at JPEG SOI.
	var frames [][]byte
	for _, f := range img.fragments {
		if len(f) >= 2 && f[0] == 0xFF && f[1] == 0xD8 || len(frames) == 0 {
			frames = append(frames, nil)
		}
		frames[len(frames)-1] = append(frames[len(frames)-1], f...)
	}
	if i >= len(frames) {
		t.Fatalf("frame %d of %d", i, len(frames))
	}
	return frames[i]
}

// nativeFrame returns native frame i in colour-by-pixel order.
func (img *testImage) nativeFrame(t testing.TB, i int) []byte {
	t.Helper()
	n := img.params.FrameBytes()
	if len(img.native) < (i+1)*n {
		t.Fatalf("native pixel data %d bytes, need %d", len(img.native), (i+1)*n)
	}
	f := img.native[i*n : (i+1)*n]
	if img.planar == 1 && img.params.SamplesPerPixel == 3 {
		bps := img.params.BitsAllocated / 8
		out := make([]byte, n)
		plane := n / 3
		for c := 0; c < 3; c++ {
			for p := 0; p < plane/bps; p++ {
				copy(out[(p*3+c)*bps:(p*3+c+1)*bps], f[c*plane+p*bps:c*plane+(p+1)*bps])
			}
		}
		return out
	}
	return f
}

// toolDecode runs an external decompressor into t.TempDir and reads its output.
func toolDecode(t testing.TB, src string, tool ...string) *testImage {
	t.Helper()
	out := filepath.Join(t.TempDir(), "ref.dcm")
	args := append(append([]string{}, tool[1:]...), src, out)
	if tool[0] == "gdcmconv" {
		args = append([]string{"--raw"}, tool[1:]...)
		args = append(args, src, out)
	}
	cmd := exec.Command(tool[0], args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(tool, " "), err, msg)
	}
	return readTestImage(t, out)
}
