package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"discdesk/viewer/render"
)

// addRender adds the file's commands to the command list (cli.go).
func addRender(r registry) {
	r.add(&Command{
		Name:    "render",
		Summary: "render a frame of a DICOM image to PNG or JPEG",
		Usage:   "[--frame N] [--window CENTER/WIDTH] [--size WxH] --out FILE.png|FILE.jpg DICOM-FILE",
		Flags: func(fs *flag.FlagSet) func(ctx context.Context, env *Env, args []string) error {
			frame := fs.Int("frame", 0, "frame number, from 0")
			window := fs.String("window", "", "window CENTER/WIDTH (default: the stored window, else the value range)")
			size := fs.String("size", "", "fit within WxH pixels")
			out := fs.String("out", "", "output file, .png or .jpg")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 1 || *out == "" {
					return &ExitError{Code: 2, Err: fmt.Errorf("render: need --out FILE and one DICOM file")}
				}
				return runRender(env, args[0], *out, *frame, *window, *size)
			}
		},
	})
}

func runRender(env *Env, in, out string, frame int, window, size string) error {
	r, data, err := render.Open(in, frame)
	if err != nil {
		return err
	}
	if window != "" {
		c, w, ok := strings.Cut(window, "/")
		cf, err1 := strconv.ParseFloat(c, 64)
		wf, err2 := strconv.ParseFloat(w, 64)
		if !ok || err1 != nil || err2 != nil || wf <= 0 {
			return &ExitError{Code: 2, Err: fmt.Errorf("render: --window %q: want CENTER/WIDTH with WIDTH > 0", window)}
		}
		r.SetWindow(render.Window{Center: cf, Width: wf})
	}
	img, err := r.Render(data)
	if err != nil {
		return err
	}
	if size != "" {
		ws, hs, ok := strings.Cut(strings.ToLower(size), "x")
		w, err1 := strconv.Atoi(ws)
		h, err2 := strconv.Atoi(hs)
		if !ok || err1 != nil || err2 != nil || w <= 0 || h <= 0 {
			return &ExitError{Code: 2, Err: fmt.Errorf("render: --size %q: want WxH", size)}
		}
		img = render.Scale(img, w, h, false)
	}
	if err := render.WriteFile(out, img); err != nil {
		return err
	}
	b := img.Bounds()
	fmt.Fprintf(env.Stdout, "wrote %s (%dx%d, frame %d, window %s)\n", out, b.Dx(), b.Dy(), frame, r.Window())
	return nil
}
