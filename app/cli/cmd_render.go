package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"discdesk/viewer/render"
)

// renderOptions are the flags of `discdesk render`.
type renderOptions struct {
	Frame             int
	Window, Size, Out string
}

// addRender adds the file's commands to the command list (cli.go).
func addRender(r registry) {
	r.add(&Command{
		Name:    "render",
		Summary: "render a frame of a DICOM image to PNG or JPEG",
		Usage:   "[--frame N] [--window CENTER/WIDTH] [--size WxH] --out FILE.png|FILE.jpg DICOM-FILE",
		Flags: func(fs *flag.FlagSet) func(ctx context.Context, env *Env, args []string) error {
			o := &renderOptions{}
			fs.IntVar(&o.Frame, "frame", 0, "frame number, from 0")
			fs.StringVar(&o.Window, "window", "", "window CENTER/WIDTH (default: the stored window, else the value range)")
			fs.StringVar(&o.Size, "size", "", "fit within WxH pixels")
			fs.StringVar(&o.Out, "out", "", "output file, .png or .jpg")
			return func(ctx context.Context, env *Env, args []string) error { return runRender(env, o, args) }
		},
	})
}

func runRender(env *Env, o *renderOptions, args []string) error {
	if len(args) != 1 || o.Out == "" {
		return &ExitError{Code: 2, Err: fmt.Errorf("render: need --out FILE and one DICOM file")}
	}
	out, frame, window, size := o.Out, o.Frame, o.Window, o.Size
	r, data, err := render.Open(args[0], frame)
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
