//go:build darwin

package drive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"discdesk/burner"
)

// drutilDrive burns on macOS: drutil for status and eject, hdiutil
// makehybrid to build the ISO 9660 + Joliet image from a staging folder of
// hard links, hdiutil burn to write it; the disc is read back from its BSD
// device. Not run on real hardware (see the package Caveats).
type drutilDrive struct {
	n   int // drutil drive index, 1-based
	opt Options
}

func listDevices(ctx context.Context, opt Options) ([]Info, error) {
	var list []Info
	for n := 1; n <= 4; n++ {
		out, err := exec.CommandContext(ctx, "drutil", drutilStatusArgs(n)...).CombinedOutput()
		if err != nil {
			if errors.Is(err, exec.ErrNotFound) {
				return nil, fmt.Errorf("drive: drutil: %w", ErrToolMissing)
			}
			break
		}
		v, p := parseDrutilVendor(string(out))
		if v == "" && p == "" {
			break
		}
		list = append(list, Info{Spec: strconv.Itoa(n), Backend: "drutil", Vendor: v, Product: p, Writes: []MediaKind{KindCD, KindDVD}})
	}
	return list, nil
}

func openDevice(dev string, opt Options) (Drive, error) {
	n, err := strconv.Atoi(dev)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("drive: open %q: macOS drives are numbered 1, 2, ... (see discdesk drives): %w", dev, ErrNoDrive)
	}
	return &drutilDrive{n: n, opt: opt}, nil
}

func (d *drutilDrive) Info() Info {
	return Info{Spec: strconv.Itoa(d.n), Backend: "drutil", Writes: []MediaKind{KindCD, KindDVD}}
}

func (d *drutilDrive) status(ctx context.Context) (Media, string, error) {
	args := drutilStatusArgs(d.n)
	out, err := exec.CommandContext(ctx, "drutil", args...).CombinedOutput()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return Media{}, "", fmt.Errorf("drive: drutil: %w", ErrToolMissing)
		}
		return Media{}, "", fmt.Errorf("drive: drutil status: %w: %w", ErrNoDrive, &ToolError{Tool: "drutil", Args: args, ExitCode: exitCode(err), Stderr: string(out)})
	}
	if v, p := parseDrutilVendor(string(out)); v == "" && p == "" {
		return Media{}, "", fmt.Errorf("drive: drutil status: drive %d: %w", d.n, ErrNoDrive)
	}
	m, dev := parseDrutilStatus(string(out))
	return m, dev, nil
}

func (d *drutilDrive) Media(ctx context.Context) (Media, error) {
	m, _, err := d.status(ctx)
	return m, err
}

func (d *drutilDrive) Burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error {
	unlock, err := Lock(fmt.Sprintf("drutil:%d", d.n))
	if err != nil {
		return err
	}
	defer unlock()
	progress.emit(Progress{Phase: PhasePreparing, Total: tree.Size()})
	m, _, err := d.status(ctx)
	if err != nil {
		return err
	}
	if err := CheckMedia(d.Info().Spec, m, tree, d.opt.Media); err != nil {
		return fmt.Errorf("drive: burn: %w", err)
	}
	st, err := stage(tree, d.opt.TempDir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	imgDir, err := os.MkdirTemp(stagingIn(d.opt.TempDir), "discdesk-image-")
	if err != nil {
		return fmt.Errorf("drive: burn: image folder: %w", err)
	}
	defer os.RemoveAll(imgDir)
	image := filepath.Join(imgDir, "disc.iso")
	args := hdiutilMakehybridArgs(tree.VolumeID, image, st.dir)
	if out, err := exec.CommandContext(ctx, "hdiutil", args...).CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("drive: hdiutil makehybrid: %w", &ToolError{Tool: "hdiutil", Args: args, ExitCode: exitCode(err), Stderr: string(out)})
	}
	total := ImageSize(tree)
	sp := newSpeedometer(progress, PhaseWriting, total)
	sp.update(0)
	args = hdiutilBurnArgs(image)
	cmd := exec.CommandContext(ctx, "hdiutil", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pr, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("drive: hdiutil: %w: %w", ErrToolMissing, err)
	}
	var errs []string
	writing := false
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		pct, ok, e := parsePuppetLine(sc.Text())
		if ok {
			writing = true
			sp.update(int64(pct / 100 * float64(total)))
		}
		if e != "" {
			errs = append(errs, e)
		}
	}
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return fmt.Errorf("drive: burn: %w", ctx.Err())
	}
	if werr != nil || len(errs) > 0 {
		te := &ToolError{Tool: "hdiutil", Args: args, ExitCode: exitCode(werr), Stderr: strings.Join(append(errs, stderr.String()), "\n")}
		return fmt.Errorf("drive: burn: %w: %w", classifyHdiutil(te.Stderr, writing), te)
	}
	sp.update(total)
	progress.emit(Progress{Phase: PhaseDone, Done: total, Total: total})
	return nil
}

func (d *drutilDrive) Verify(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	unlock, err := Lock(fmt.Sprintf("drutil:%d", d.n))
	if err != nil {
		return nil, err
	}
	defer unlock()
	_, dev, err := d.status(ctx)
	if err != nil {
		return nil, err
	}
	if dev == "" {
		return nil, fmt.Errorf("drive: verify: %w", ErrNoMedia)
	}
	raw := strings.Replace(dev, "/dev/disk", "/dev/rdisk", 1)
	if _, err := os.Stat(raw); err != nil {
		raw = dev
	}
	return VerifyImage(ctx, raw, tree, progress)
}

func (d *drutilDrive) Eject(ctx context.Context) error {
	args := []string{"eject", "-drive", strconv.Itoa(d.n)}
	if out, err := exec.CommandContext(ctx, "drutil", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("drive: eject: %w", &ToolError{Tool: "drutil", Args: args, ExitCode: exitCode(err), Stderr: string(out)})
	}
	return nil
}
