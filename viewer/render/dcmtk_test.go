package render

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/codec"
	"discdesk/viewer/dcm"
)

// corpusImages lists every corpus file that parses and has pixel data,
// except the malformed folders (tested separately). Long series are
// sampled (every 8th file) to keep the test fast.
func corpusImages(t *testing.T) []string {
	root := corpus.Dir(t)
	var files []string
	perDir := map[string]int{}
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if e.Name() == "malformed" {
				return filepath.SkipDir
			}
			return nil
		}
		dir := filepath.Dir(p)
		perDir[dir]++
		series := strings.Contains(p, "mr_series") || strings.Contains(p, "disc_layouts")
		if series && perDir[dir]%8 != 1 && perDir[dir] > 3 {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestMatchesDCMTK renders frame 0 of every corpus image with its default
// view (first stored window, else first VOI LUT, else min-max) through
// dcmj2pnm and through this package, and requires every pixel to be within
// one grey level. Images we cannot decode must fail with the sentinel
// error; they are listed in the log.
func TestMatchesDCMTK(t *testing.T) {
	var compared, unsupported []string
	for _, path := range corpusImages(t) {
		rel, _ := filepath.Rel(corpus.Dir(t), path)
		f, err := dcm.ParseFile(path)
		if err != nil || f.DataSet.Get(dcm.PixelData) == nil {
			continue // not an image (DICOMDIR, SR, document, not DICOM)
		}
		d, err := Describe(f.DataSet, f.Syntax.UID)
		if err != nil {
			t.Errorf("%s: describe: %v", rel, err)
			continue
		}
		frame, err := Frame(f, d, 0)
		if errors.Is(err, codec.ErrUnsupportedSyntax) {
			unsupported = append(unsupported, fmt.Sprintf("%s (%v)", rel, err))
			continue
		}
		if err != nil {
			t.Errorf("%s: frame: %v", rel, err)
			continue
		}
		r, err := New(d)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		got, err := r.Render(frame)
		if err != nil {
			t.Errorf("%s: render: %v", rel, err)
			continue
		}
		args := []string{}
		if d.Grey() {
			switch {
			case len(d.Windows) > 0:
				args = append(args, "+Wi", "1")
			case len(d.VOILUTs) > 0:
				args = append(args, "+Wl", "1")
			default:
				args = append(args, "+Wm")
			}
		}
		want, err := dcmj2pnm(t, path, f.Syntax.UID, args...)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if msg := compareImages(got, want); msg != "" {
			t.Errorf("%s (%s, %s, window %v): %s", rel, codec.Name(f.Syntax.UID), d.Photometric, r.Window(), msg)
			continue
		}
		compared = append(compared, rel)
	}
	t.Logf("%d images match dcmj2pnm within 1 grey level", len(compared))
	for _, u := range unsupported {
		t.Logf("unsupported (sentinel error returned): %s", u)
	}
	if len(compared) < 40 {
		t.Errorf("only %d images compared; the corpus walk is broken", len(compared))
	}
}

// dcmj2pnm renders frame 1 to an 8-bit binary PGM/PPM and reads it. DCMTK
// 3.6 renders JPEG-LS with dcml2pnm and has no JPEG 2000 decoder: those
// files are first made native with gdcmconv --raw.
func dcmj2pnm(t *testing.T, path, syntax string, args ...string) (image.Image, error) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pnm")
	tool := "dcmj2pnm"
	switch syntax {
	case codec.JPEGLSLossless, codec.JPEGLSNearLossless:
		tool = "dcml2pnm"
	case codec.JPEG2000, codec.JPEG2000Lossless:
		raw := filepath.Join(dir, "raw.dcm")
		if msg, err := exec.Command("gdcmconv", "--raw", path, raw).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("gdcmconv --raw: %v: %s", err, msg)
		}
		path = raw
	case codec.HTJ2K, codec.HTJ2KLossless, codec.HTJ2KRPCLLossless, codec.JPEGXL, codec.JPEGXLLossless, codec.JPEGXLJPEGRecompression:
		// DCMTK decodes neither: the reference is the format's own
		// decoder (OpenJPH, libjxl; a recompressed JPEG is rebuilt by
		// djxl and rendered by dcmj2pnm as JPEG).
		ref, err := referenceDecode(t, path, syntax)
		if err != nil || ref.dicom == "" {
			return ref.img, err
		}
		path = ref.dicom
	}
	cmd := exec.Command(tool, append(append(args, "+op"), path, out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("dcmj2pnm %v: %v: %s", args, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	return readPNM(b)
}

type reference struct {
	img   image.Image // decoded by the reference decoder
	dicom string      // or a DICOM file for dcmj2pnm to render
}

// referenceDecode decodes the first frame of an HTJ2K or JPEG XL object
// with its reference decoder.
func referenceDecode(t *testing.T, path, syntax string) (reference, error) {
	dir := t.TempDir()
	f, err := dcm.ParseFile(path)
	if err != nil {
		return reference{}, err
	}
	frags := f.DataSet.Get(dcm.PixelData).Fragments
	var stream []byte
	frames, _ := f.DataSet.Int(dcm.NumberOfFrames)
	for _, fr := range frags[1:] {
		stream = append(stream, fr.Data...)
		if frames > 1 {
			break // one fragment per frame: the first is frame 0
		}
	}
	in := filepath.Join(dir, "frame")
	if err := os.WriteFile(in, stream, 0o600); err != nil {
		return reference{}, err
	}
	out := filepath.Join(dir, "out.ppm")
	var cmd *exec.Cmd
	switch syntax {
	case codec.JPEGXLJPEGRecompression:
		jpg := filepath.Join(dir, "out.jpg")
		if msg, err := exec.Command("djxl", in, jpg).CombinedOutput(); err != nil {
			return reference{}, fmt.Errorf("djxl: %v: %s", err, msg)
		}
		b, err := os.ReadFile(jpg)
		if err != nil {
			return reference{}, err
		}
		f.DataSet.Set(&dcm.Element{Tag: dcm.PixelData, VR: "OB", Length: dcm.UndefinedLength, Fragments: []dcm.Fragment{{}, {Data: append(b, make([]byte, len(b)%2)...)}}})
		f.DataSet.Set(dcm.Str(dcm.NumberOfFrames, "IS", "1"))
		dst := filepath.Join(dir, "jpeg.dcm")
		var buf bytes.Buffer
		if err := dcm.WriteExplicitLE(&buf, f.DataSet, codec.JPEGBaseline8Bit); err != nil {
			return reference{}, err
		}
		return reference{dicom: dst}, os.WriteFile(dst, buf.Bytes(), 0o600)
	case codec.JPEGXL, codec.JPEGXLLossless:
		cmd = exec.Command("djxl", in, out)
	default:
		cmd = exec.Command("ojph_expand", "-i", in, "-o", out)
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		return reference{}, fmt.Errorf("%s: %v: %s", cmd.Path, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return reference{}, err
	}
	img, err := readPNM(b)
	return reference{img: img}, err
}

func readPNM(b []byte) (image.Image, error) {
	r := bufio.NewReader(bytes.NewReader(b))
	var magic string
	var w, h, maxv int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil {
		return nil, fmt.Errorf("PNM header: %w", err)
	}
	r.ReadByte()
	rest, _ := io.ReadAll(r)
	switch magic {
	case "P5":
		img := image.NewGray(image.Rect(0, 0, w, h))
		if len(rest) < w*h {
			return nil, fmt.Errorf("short PGM")
		}
		copy(img.Pix, rest)
		return img, nil
	case "P6":
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		if len(rest) < 3*w*h {
			return nil, fmt.Errorf("short PPM")
		}
		for i := 0; i < w*h; i++ {
			copy(img.Pix[4*i:4*i+3], rest[3*i:3*i+3])
			img.Pix[4*i+3] = 255
		}
		return img, nil
	}
	return nil, fmt.Errorf("PNM type %s", magic)
}

// compareImages returns "" when both images have the same size and every
// channel is within one level.
func compareImages(got, want image.Image) string {
	if got.Bounds() != want.Bounds() {
		return fmt.Sprintf("size %v, dcmj2pnm %v", got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	bad, worst := 0, 0
	var first string
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := got.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				if d < 0 {
					d = -d
				}
				if d > worst {
					worst = d
				}
				if d > 1 {
					if bad == 0 {
						first = fmt.Sprintf("(%d,%d) ours %d/%d/%d dcmtk %d/%d/%d", x, y, r1>>8, g1>>8, b1>>8, r2>>8, g2>>8, b2>>8)
					}
					bad++
				}
			}
		}
	}
	if bad > 0 {
		return fmt.Sprintf("%d samples differ by more than 1 (worst %d), first at %s", bad, worst, first)
	}
	return ""
}
