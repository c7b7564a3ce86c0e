package disc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"discdesk/burner"
)

// WriteFolder writes the tree into dir (created; it must be empty or
// absent): library files are copied, generated files written, every file
// 0600 and folder 0700.
func WriteFolder(t *burner.Tree, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("disc: write folder: %w", err)
	}
	if ents, err := os.ReadDir(dir); err != nil {
		return fmt.Errorf("disc: write folder: %w", err)
	} else if len(ents) > 0 {
		return fmt.Errorf("disc: write folder %s: not empty (a disc root holds only its own files)", dir)
	}
	for _, f := range t.Files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return fmt.Errorf("disc: write folder: %w", err)
		}
		if f.Source == "" {
			if err := os.WriteFile(dst, f.Data, 0o600); err != nil {
				return fmt.Errorf("disc: write %s: %w", f.Path, err)
			}
			continue
		}
		if err := copyFile(f.Source, dst); err != nil {
			return fmt.Errorf("disc: write %s: %w", f.Path, err)
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeFile(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// XorrisoArgs returns the xorriso arguments that write the tree as an ISO
// 9660 level 1 image (Joliet with the same names, no Rock Ridge, volume id =
// File-set ID) to target (an ISO path as stdio:PATH, or a drive), mapping
// each library file in place; generated files are read from staged, a
// folder holding them under their disc paths (see StageGenerated).
func XorrisoArgs(t *burner.Tree, staged, target string) []string {
	args := []string{
		"-abort_on", "FAILURE", "-return_with", "SORRY", "32", "-report_about", "SORRY",
		"-outdev", target, "-blank", "as_needed",
		"-volid", t.VolumeID, "-rockridge", "off", "-joliet", "on",
		"-compliance", "iso_9660_level=1:deep_paths_off:long_paths_off:only_iso_version",
	}
	for _, f := range t.Files {
		src := f.Source
		if src == "" {
			src = filepath.Join(staged, filepath.FromSlash(f.Path))
		}
		args = append(args, "-map", src, "/"+f.Path)
	}
	return append(args, "-commit")
}

// StageGenerated writes the tree's generated files (Data) under dir at
// their disc paths, for xorriso to map. Library and work files are not
// copied.
func StageGenerated(t *burner.Tree, dir string) error {
	for _, f := range t.Files {
		if f.Source != "" {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return fmt.Errorf("disc: stage: %w", err)
		}
		if err := os.WriteFile(dst, f.Data, 0o600); err != nil {
			return fmt.Errorf("disc: stage %s: %w", f.Path, err)
		}
	}
	return nil
}

// WriteISO builds an ISO 9660 image of the tree at path with xorriso,
// straight from the library files and the generated files (staged in a
// temporary folder; the study is never copied first). The image appears
// at path only when complete.
func WriteISO(ctx context.Context, t *burner.Tree, path string) error {
	if _, err := exec.LookPath("xorriso"); err != nil {
		return fmt.Errorf("disc: write ISO: %w", err)
	}
	staged, err := os.MkdirTemp(filepath.Dir(path), ".discdesk-stage-")
	if err != nil {
		return fmt.Errorf("disc: write ISO: %w", err)
	}
	defer os.RemoveAll(staged)
	if err := StageGenerated(t, staged); err != nil {
		return err
	}
	tmp := filepath.Join(staged, "image.iso")
	args := XorrisoArgs(t, staged, "stdio:"+tmp)
	cmd := exec.CommandContext(ctx, "xorriso", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return &ToolError{Tool: "xorriso", Args: args[:min(len(args), 24)], ExitCode: code, Stderr: lastLines(stderr.String(), 6)}
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("disc: write ISO: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("disc: write ISO: %w", err)
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
