package drive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"discdesk/burner"
)

// xorrisoDrive writes through xorriso (libburnia): a real drive (/dev/sr0)
// or its stdio:FILE pseudo-drive, which runs the same code and produces a
// real ISO image in FILE.
type xorrisoDrive struct {
	outdev string // "/dev/sr0" or "stdio:/path/disc.iso"
	opt    Options
	info   Info
}

func newXorriso(outdev string, opt Options) (*xorrisoDrive, error) {
	d := &xorrisoDrive{outdev: outdev, opt: opt, info: Info{Spec: outdev, Backend: "xorriso"}}
	if strings.HasPrefix(outdev, "stdio:") {
		d.info.Product = "stdio pseudo-drive"
		d.info.Writes = []MediaKind{KindFile}
	}
	return d, nil
}

func (d *xorrisoDrive) Info() Info { return d.info }

func (d *xorrisoDrive) stdioFile() (string, bool) {
	return strings.CutPrefix(d.outdev, "stdio:")
}

func (d *xorrisoDrive) lockKey() string {
	if f, ok := d.stdioFile(); ok {
		return f
	}
	return d.outdev
}

// tool finds the xorriso program.
func (d *xorrisoDrive) tool() (string, error) {
	name := d.opt.Xorriso
	if name == "" {
		name = "xorriso"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("drive: %s: %w: %w", name, ErrToolMissing, err)
	}
	return p, nil
}

// Media runs `xorriso -outdev DEV -toc -tell_media_space`.
func (d *xorrisoDrive) Media(ctx context.Context) (Media, error) {
	args := xorrisoMediaArgs(d.outdev)
	out, err := d.run(ctx, args, nil)
	if err != nil {
		return Media{}, fmt.Errorf("drive: media of %s: %w", d.outdev, err)
	}
	m := parseXorrisoMedia(out)
	d.capMedia(&m)
	return m, nil
}

// capMedia applies Options.Media to a pseudo-drive: its free space is the
// file system's, limited to the nominal size of the media it stands for.
func (d *xorrisoDrive) capMedia(m *Media) {
	if _, ok := d.stdioFile(); !ok {
		return
	}
	if c := d.opt.capacity(); c > 0 && m.Free > c {
		m.Free = c
	}
}

func xorrisoMediaArgs(outdev string) []string {
	return []string{"-abort_on", "FAILURE", "-outdev", outdev, "-toc", "-tell_media_space"}
}

var (
	reMediaCurrent = regexp.MustCompile(`(?m)^Media current:\s*(.*?)\s*$`)
	reMediaStatus  = regexp.MustCompile(`(?m)^Media status\s*:\s*(.*?)\s*$`)
	reMediaSpace   = regexp.MustCompile(`(?m)^Media space\s*:\s*(\d+)s`)
	reVolumeID     = regexp.MustCompile(`(?m)^ISO session\s*:.*,\s*(\S.*?)\s*$`)
	reUpdateWrite  = regexp.MustCompile(`UPDATE : Writing:\s+(\d+)s\s+([\d.]+)%`)
	reProblem      = regexp.MustCompile(`^(?:xorriso|libburn|libisofs|libisoburn)\s*:\s*(FATAL|FAILURE|SORRY|MISHAP)\s*:\s*(.*)$`)
	reDevice       = regexp.MustCompile(`^\s*\d+\s+-dev\s+'([^']+)'\s+\S+\s*:\s*'([^']*)'\s*'([^']*)'`)
	reProfile      = regexp.MustCompile(`(?m)^Profile\s*:\s*0x[0-9A-Fa-f]+\s*\(([^)]*)\)`)
)

// parseXorrisoMedia reads -toc / -tell_media_space output.
func parseXorrisoMedia(out string) Media {
	var m Media
	if x := reMediaCurrent.FindAllStringSubmatch(out, -1); len(x) > 0 {
		m.Type = x[len(x)-1][1]
	}
	status := ""
	if x := reMediaStatus.FindAllStringSubmatch(out, -1); len(x) > 0 {
		status = x[len(x)-1][1]
	}
	if x := reMediaSpace.FindStringSubmatch(out); x != nil {
		n, _ := strconv.ParseInt(x[1], 10, 64)
		m.Free = n * 2048
	}
	if x := reVolumeID.FindAllStringSubmatch(out, -1); len(x) > 0 {
		m.VolumeID = x[len(x)-1][1]
	}
	t := strings.ToUpper(m.Type)
	switch {
	case strings.Contains(m.Type, "is not present") || strings.Contains(status, "is not present") || m.Type == "":
		m.State = StateNone
		m.Free = 0
		return m
	case strings.Contains(status, "is blank"):
		m.State = StateBlank
	case strings.Contains(status, "is closed"):
		m.State = StateClosed
	case strings.Contains(status, "is appendable") || strings.Contains(status, "is written"):
		m.State = StateAppendable
	default:
		m.State = StateNone
	}
	switch {
	case strings.HasPrefix(t, "STDIO"):
		m.Kind = KindFile
	case strings.HasPrefix(t, "CD"):
		m.Kind = KindCD
	case strings.HasPrefix(t, "DVD"), strings.HasPrefix(t, "HD-DVD"):
		m.Kind = KindDVD
	case strings.HasPrefix(t, "BD"):
		m.Kind = KindBD
	}
	m.Rewritable = strings.Contains(t, "RW") || strings.Contains(t, "-RE") || strings.Contains(t, "RAM") || strings.Contains(t, "OVERWRITEABLE")
	if m.State == StateClosed {
		m.Free = 0
	}
	return m
}

// parseXorrisoDevices reads `xorriso -devices` output.
func parseXorrisoDevices(out string) []Info {
	var list []Info
	for _, line := range strings.Split(out, "\n") {
		if x := reDevice.FindStringSubmatch(line); x != nil {
			list = append(list, Info{Spec: x[1], Backend: "xorriso", Vendor: strings.TrimSpace(x[2]), Product: strings.TrimSpace(x[3])})
		}
	}
	return list
}

// parseXorrisoProfiles reads `-list_profiles out` into media kinds.
func parseXorrisoProfiles(out string) []MediaKind {
	has := map[MediaKind]bool{}
	for _, x := range reProfile.FindAllStringSubmatch(out, -1) {
		p := strings.ToUpper(x[1])
		switch {
		case strings.HasPrefix(p, "CD-R"):
			has[KindCD] = true
		case strings.HasPrefix(p, "DVD"):
			has[KindDVD] = true
		case strings.HasPrefix(p, "BD"):
			has[KindBD] = true
		}
	}
	var kinds []MediaKind
	for _, k := range []MediaKind{KindCD, KindDVD, KindBD} {
		if has[k] {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// xorrisoBurnArgs builds the write command line (see DEPENDENCIES.md):
// ISO 9660 level 1 plus Joliet, no Rock Ridge, one -map per file so library
// files are read in place, the session closed.
func xorrisoBurnArgs(outdev, volid string, maps [][2]string) []string {
	args := []string{
		"-abort_on", "FAILURE", "-return_with", "SORRY", "32",
		// Progress ten times a second: xorriso also notices that the image is
		// written only when it next reports, which at the default second
		// added up to a second to every burn (an ISO image of 351 MB took
		// 0.34-1.34 s, and 0.27-0.76 s so).
		"-pacifier", "xorriso", "-pacifier", "interval=0.1",
		"-outdev", outdev,
		"-volid", volid,
		"-rockridge", "off", "-joliet", "on",
		"-compliance", "iso_9660_level=1:deep_paths_off:long_paths_off:only_iso_version",
		"-close", "on",
	}
	if strings.HasPrefix(outdev, "stdio:") {
		// An image file: no forced output every 16 MB. Each fsync also
		// flushed the files just generated for the disc (ext4 commits them
		// together), which doubled the time of writing an image; xorriso -as
		// mkisofs does not sync either, and the read-back verify follows.
		args = append(args, "-stdio_sync", "off")
	}
	for _, m := range maps {
		args = append(args, "-map", m[0], "/"+m[1])
	}
	return append(args, "-commit")
}

// parseXorrisoUpdate reads a pacifier line: sectors written and percent.
func parseXorrisoUpdate(line string) (sectors int64, pct float64, ok bool) {
	x := reUpdateWrite.FindStringSubmatch(line)
	if x == nil {
		return 0, 0, false
	}
	sectors, _ = strconv.ParseInt(x[1], 10, 64)
	pct, _ = strconv.ParseFloat(x[2], 64)
	return sectors, pct, true
}

// classifyXorriso maps xorriso/libburn problem lines to a sentinel.
// writing says whether data had started to flow when they were printed.
func classifyXorriso(problems []string, writing bool) error {
	text := strings.ToLower(strings.Join(problems, "\n"))
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(text, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("medium not present", "media not present", "no media", "is not present", "tray open", "medium may have changed"):
		if writing {
			return ErrEjected
		}
		return ErrNoMedia
	case has("busy", "exclusive access", "cannot open busy"):
		return ErrBusy
	case has("no drives found", "not found", "cannot access", "does not lead to", "not a cd", "cannot acquire drive", "neither stdio-path"):
		return ErrNoDrive
	case has("exceeds free space", "not enough space", "too small", "exceeds available", "would exceed"):
		return ErrCapacityExceeded
	case has("not blank", "is not appendable", "is closed", "closed media", "not writeable", "not writable"):
		return ErrMediaNotBlank
	case has("unsuitable media", "not suitable", "unsupported media", "media type not supported"):
		return ErrMediaUnsupported
	case has("cannot write", "write(2)", "failure with writing", "write error", "scsi error on write", "burn run failed", "image write cancelled"):
		return ErrWrite
	}
	if writing {
		return ErrWrite
	}
	return nil
}

// run runs xorriso with args. Lines of stderr go to onLine as they come
// (xorriso prints its pacifier and messages there). It returns stdout and
// stderr together. A non-zero exit or problem lines give a *ToolError
// wrapped with the sentinel classifyXorriso picks.
func (d *xorrisoDrive) run(ctx context.Context, args []string, onLine func(string)) (string, error) {
	tool, err := d.tool()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, tool, args...)
	dieWithParent(cmd)
	cmd.Cancel = func() error {
		// Let xorriso stop the drive cleanly; the hard kill follows WaitDelay.
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 10 * time.Second
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	pr, err := cmd.StderrPipe()
	if err != nil {
		return "", fmt.Errorf("drive: xorriso: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("drive: start %s: %w: %w", tool, ErrToolMissing, err)
	}
	var (
		stderr   strings.Builder
		problems []string
		writing  bool
	)
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		stderr.WriteString(line)
		stderr.WriteByte('\n')
		if x := reProblem.FindStringSubmatch(line); x != nil {
			problems = append(problems, x[2])
		}
		if strings.Contains(line, "UPDATE : Writing:") {
			writing = true
		}
		if onLine != nil {
			onLine(line)
		}
	}
	_, _ = io.Copy(io.Discard, pr)
	werr := cmd.Wait()
	out := stdout.String() + stderr.String()
	if ctx.Err() != nil {
		return out, ctx.Err()
	}
	code := 0
	if werr != nil {
		if code = exitCode(werr); code < 0 {
			return out, fmt.Errorf("drive: run %s: %w", tool, werr)
		}
	}
	if code == 0 && len(problems) == 0 {
		return out, nil
	}
	te := &ToolError{Tool: "xorriso", Args: args, ExitCode: code, Stderr: strings.Join(problems, "\n")}
	if code == 0 && len(problems) > 0 && !anySevere(problems, out) {
		return out, nil
	}
	if s := classifyXorriso(problems, writing); s != nil {
		return out, fmt.Errorf("%w: %w", s, te)
	}
	return out, te
}

// anySevere reports whether the run printed FAILURE/FATAL/SORRY problems
// that were not merely tolerated (xorriso prints SORRY for "No drives found"
// and still exits 0 without -return_with).
func anySevere(problems []string, out string) bool {
	return strings.Contains(out, ": FAILURE :") || strings.Contains(out, ": FATAL :") || strings.Contains(out, ": SORRY :")
}

// Burn writes tree through xorriso.
func (d *xorrisoDrive) Burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error {
	unlock, err := Lock(d.lockKey())
	if err != nil {
		return err
	}
	defer unlock()
	return d.burn(ctx, tree, progress)
}

func (d *xorrisoDrive) burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error {
	progress.emit(Progress{Phase: PhasePreparing, Total: tree.Size()})
	if _, err := d.tool(); err != nil {
		return err
	}
	m, err := d.Media(ctx)
	if err != nil {
		return fmt.Errorf("drive: burn: %w", err)
	}
	if err := CheckMedia(d.outdev, m, tree, d.opt.Media); err != nil {
		return fmt.Errorf("drive: burn: %w", err)
	}
	st, err := stage(tree, d.opt.TempDir, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if f, ok := d.stdioFile(); ok {
		// Create the image private (0600) before xorriso opens it; an
		// existing file (blank, as CheckMedia found) keeps its mode.
		if err := createPrivate(f); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("drive: burn %s: %w: %w", d.outdev, ErrWrite, err)
		}
	}
	maps := make([][2]string, 0, len(tree.Files))
	for _, f := range tree.Files {
		maps = append(maps, [2]string{st.paths[f.Path], f.Path})
	}
	args := xorrisoBurnArgs(d.outdev, tree.VolumeID, maps)
	total := ImageSize(tree)
	sp := newSpeedometer(progress, PhaseWriting, total)
	sp.update(0)
	_, err = d.run(ctx, args, func(line string) {
		if sectors, pct, ok := parseXorrisoUpdate(line); ok {
			done := int64(pct / 100 * float64(total))
			if b := sectors * 2048; pct == 0 && b < total {
				done = b
			}
			sp.update(done)
		} else if strings.Contains(line, "completed successfully") {
			sp.update(total)
			progress.emit(Progress{Phase: PhaseClosing, Done: total, Total: total})
		}
	})
	if err != nil {
		return fmt.Errorf("drive: burn %s: %w", d.outdev, err)
	}
	progress.emit(Progress{Phase: PhaseDone, Done: total, Total: total})
	return nil
}

// Verify reads the image back from the device or stdio file.
func (d *xorrisoDrive) Verify(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	unlock, err := Lock(d.lockKey())
	if err != nil {
		return nil, err
	}
	defer unlock()
	name, ok := d.stdioFile()
	if !ok {
		name = d.outdev
	}
	synced := make(chan error, 1)
	if ok { // an image file, written without syncing: flushed while read back
		go func() { synced <- syncImage(name) }()
	} else {
		synced <- nil
	}
	rep, err := VerifyImage(ctx, name, tree, progress)
	if rep != nil {
		rep.Target = d.outdev
	}
	if serr := <-synced; serr != nil && err == nil {
		return rep, fmt.Errorf("drive: verify %s: flush: %w: %w", d.outdev, ErrWrite, serr)
	}
	return rep, err
}

// Eject opens the tray (nothing for the pseudo-drive).
func (d *xorrisoDrive) Eject(ctx context.Context) error {
	if _, ok := d.stdioFile(); ok {
		return nil
	}
	unlock, err := Lock(d.lockKey())
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := d.run(ctx, []string{"-outdev", d.outdev, "-eject", "all"}, nil); err != nil {
		return fmt.Errorf("drive: eject %s: %w", d.outdev, err)
	}
	return nil
}
