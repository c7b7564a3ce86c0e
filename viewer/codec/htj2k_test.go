//go:build cgo && linux && !discviewer

package codec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// patternImage is a deterministic test picture: a gradient with a pattern and
// noise, rows x cols x spp samples of up to maxval.
func patternImage(rows, cols, spp, maxval int) []int {
	v := make([]int, rows*cols*spp)
	seed := uint32(12345)
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			for c := 0; c < spp; c++ {
				seed = seed*1664525 + 1013904223
				base := (x*maxval/cols + y*maxval/(2*rows) + c*maxval/3) % (maxval + 1)
				if (x/8+y/8)%2 == 0 {
					base = maxval - base
				}
				n := int(seed>>24) % (maxval/16 + 1)
				v[(y*cols+x)*spp+c] = min(maxval, max(0, base+n-maxval/32))
			}
		}
	}
	return v
}

// writePNM writes samples as a binary PGM (spp 1) or PPM (spp 3).
func writePNM(t *testing.T, path string, v []int, rows, cols, spp, maxval int) {
	t.Helper()
	var b bytes.Buffer
	magic := "P5"
	if spp == 3 {
		magic = "P6"
	}
	fmt.Fprintf(&b, "%s\n%d %d\n%d\n", magic, cols, rows, maxval)
	for _, s := range v {
		if maxval > 255 {
			b.WriteByte(byte(s >> 8))
		}
		b.WriteByte(byte(s))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// readPNM reads the samples of a binary PGM/PPM as ojph_expand writes it.
func readPNM(t *testing.T, path string) []int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fields, pos := []string{}, 0
	for len(fields) < 4 {
		for b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t' {
			pos++
		}
		start := pos
		for b[pos] != ' ' && b[pos] != '\n' && b[pos] != '\r' && b[pos] != '\t' {
			pos++
		}
		fields = append(fields, string(b[start:pos]))
	}
	pos++
	maxval, _ := strconv.Atoi(fields[3])
	var out []int
	for i := pos; i < len(b); {
		if maxval > 255 {
			out = append(out, int(binary.BigEndian.Uint16(b[i:])))
			i += 2
		} else {
			out = append(out, int(b[i]))
			i++
		}
	}
	return out
}

// samples reads a decoded frame back as integers.
func samples(frame []byte, bits int) []int {
	var out []int
	if bits == 8 {
		for _, x := range frame {
			out = append(out, int(x))
		}
		return out
	}
	for i := 0; i+1 < len(frame); i += 2 {
		out = append(out, int(binary.LittleEndian.Uint16(frame[i:])))
	}
	return out
}

func ojph(t *testing.T, tool string, args ...string) {
	t.Helper()
	if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
}

// HTJ2K code streams made by OpenJPH's ojph_compress decode with OpenJPEG
// to exactly the source samples and exactly what OpenJPH's own ojph_expand
// decodes (lossless), and within one of ojph_expand's values (lossy), for
// 8-, 12- and 16-bit grey and 8-bit colour, under all three HTJ2K
// transfer syntaxes.
func TestHTJ2KAgainstOpenJPH(t *testing.T) {
	for _, c := range []struct {
		name              string
		spp, maxval, bits int
		reversible        bool
		syntax            string
	}{
		{"grey12_lossless", 1, 4095, 16, true, HTJ2KLossless},
		{"grey8_lossless_rpcl", 1, 255, 8, true, HTJ2KRPCLLossless},
		{"rgb8_lossless", 3, 255, 8, true, HTJ2KLossless},
		{"grey16_lossless", 1, 65535, 16, true, HTJ2KLossless},
		{"grey12_lossy", 1, 4095, 16, false, HTJ2K},
		{"rgb8_lossy", 3, 255, 8, false, HTJ2K},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			rows, cols := 67, 93 // not multiples of the code-block size
			src := patternImage(rows, cols, c.spp, c.maxval)
			ext := ".pgm"
			if c.spp == 3 {
				ext = ".ppm"
			}
			in, j2c, back := filepath.Join(dir, "in"+ext), filepath.Join(dir, "out.j2c"), filepath.Join(dir, "back"+ext)
			writePNM(t, in, src, rows, cols, c.spp, c.maxval)
			args := []string{"-i", in, "-o", j2c, "-reversible", strconv.FormatBool(c.reversible)}
			if !c.reversible {
				args = append(args, "-qstep", "0.01")
			}
			ojph(t, "ojph_compress", args...)
			ojph(t, "ojph_expand", "-i", j2c, "-o", back)
			stream, err := os.ReadFile(j2c)
			if err != nil {
				t.Fatal(err)
			}
			frame, err := Decode(c.syntax, stream, Params{Rows: rows, Columns: cols, SamplesPerPixel: c.spp, BitsAllocated: c.bits})
			if err != nil {
				t.Fatal(err)
			}
			got, ref := samples(frame, c.bits), readPNM(t, back)
			if len(got) != len(ref) {
				t.Fatalf("%d samples, ojph_expand gave %d", len(got), len(ref))
			}
			diff, worst := 0, 0
			for i := range got {
				if d := got[i] - ref[i]; d != 0 {
					diff++
					worst = max(worst, d, -d)
				}
			}
			// Lossless: bit-exact. Lossy (9-7 wavelet): the two decoders
			// round the inverse transform differently, by at most one.
			if c.reversible && diff > 0 || worst > 1 {
				t.Errorf("%d of %d samples differ from ojph_expand's decode (by up to %d)", diff, len(got), worst)
			}
			if c.reversible {
				for i := range got {
					if got[i] != src[i] {
						t.Fatalf("lossless decode differs from the source at sample %d: %d, want %d", i, got[i], src[i])
					}
				}
			}
		})
	}
}
