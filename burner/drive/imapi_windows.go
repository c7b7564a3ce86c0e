//go:build windows

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
	"strings"

	"discdesk/burner"
)

// imapiDrive burns on Windows through IMAPI2, driven by a PowerShell script
// that Go generates (imapi.go). The tree is staged as hard links (copies
// across volumes) for MsftFileSystemImage.Root.AddTree; the disc is read
// back raw from \\.\E:. Not run on real hardware (see the package Caveats).
type imapiDrive struct {
	letter string // "E:"
	opt    Options
}

func listDevices(ctx context.Context, opt Options) ([]Info, error) {
	out, err := runPowerShell(ctx, opt.TempDir, imapiListScript(), nil)
	if err != nil {
		return nil, fmt.Errorf("drive: list drives: %w", err)
	}
	return parseImapiDrives(out), nil
}

func openDevice(dev string, opt Options) (Drive, error) {
	l := strings.TrimRight(dev, `:\`)
	if len(l) != 1 {
		return nil, fmt.Errorf("drive: open %q: name a drive letter such as E: (see discdesk drives): %w", dev, ErrNoDrive)
	}
	return &imapiDrive{letter: strings.ToUpper(l) + ":", opt: opt}, nil
}

func (d *imapiDrive) Info() Info {
	return Info{Spec: d.letter, Backend: "imapi2", Writes: []MediaKind{KindCD, KindDVD, KindBD}}
}

// runPowerShell writes script to a private file and runs it, passing each
// stdout line to onLine. Errors printed by the script come back classified.
func runPowerShell(ctx context.Context, tempDir, script string, onLine func(string)) (string, error) {
	dir, err := os.MkdirTemp(tempDir, "discdesk-ps-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "imapi.ps1")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		return "", err
	}
	args := powershellArgs(file)
	cmd := exec.CommandContext(ctx, "powershell.exe", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pr, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("drive: powershell: %w", ErrToolMissing)
		}
		return "", err
	}
	var out strings.Builder
	writing := false
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if x := reImapiPhase.FindStringSubmatch(line); x != nil && x[1] == "writing" {
			writing = true
		}
		if onLine != nil {
			onLine(line)
		}
	}
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return out.String(), ctx.Err()
	}
	if msg, ok, s := parseImapiError(out.String(), writing); ok {
		te := &ToolError{Tool: "powershell", Args: args, ExitCode: exitCode(werr), Stderr: msg}
		if s != nil {
			return out.String(), fmt.Errorf("%w: %w", s, te)
		}
		return out.String(), te
	}
	if werr != nil {
		return out.String(), &ToolError{Tool: "powershell", Args: args, ExitCode: exitCode(werr), Stderr: stderr.String()}
	}
	return out.String(), nil
}

func (d *imapiDrive) Media(ctx context.Context) (Media, error) {
	out, err := runPowerShell(ctx, d.opt.TempDir, imapiMediaScript(d.letter), nil)
	if m, ok := parseImapiMedia(out); ok && (err == nil || errors.Is(err, ErrNoMedia)) {
		return m, nil
	}
	if err == nil {
		err = fmt.Errorf("no MEDIA line in the script output")
	}
	return Media{}, fmt.Errorf("drive: media of %s: %w", d.letter, err)
}

func (d *imapiDrive) Burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error {
	unlock, err := Lock("imapi:" + d.letter)
	if err != nil {
		return err
	}
	defer unlock()
	progress.emit(Progress{Phase: PhasePreparing, Total: tree.Size()})
	m, err := d.Media(ctx)
	if err != nil {
		return err
	}
	if err := CheckMedia(d.letter, m, tree, d.opt.Media); err != nil {
		return fmt.Errorf("drive: burn: %w", err)
	}
	st, err := stage(tree, d.opt.TempDir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	total := ImageSize(tree)
	_, err = runPowerShell(ctx, d.opt.TempDir, imapiBurnScript(d.letter, tree.VolumeID, st.dir), func(line string) {
		if x := reImapiPhase.FindStringSubmatch(line); x != nil && x[1] == "writing" {
			progress.emit(Progress{Phase: PhaseWriting, Total: total})
		}
	})
	if err != nil {
		return fmt.Errorf("drive: burn %s: %w", d.letter, err)
	}
	progress.emit(Progress{Phase: PhaseWriting, Done: total, Total: total})
	progress.emit(Progress{Phase: PhaseDone, Done: total, Total: total})
	return nil
}

func (d *imapiDrive) Verify(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	unlock, err := Lock("imapi:" + d.letter)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return VerifyImage(ctx, `\\.\`+d.letter, tree, progress)
}

func (d *imapiDrive) Eject(ctx context.Context) error {
	if _, err := runPowerShell(ctx, d.opt.TempDir, imapiEjectScript(d.letter), nil); err != nil {
		return fmt.Errorf("drive: eject %s: %w", d.letter, err)
	}
	return nil
}
