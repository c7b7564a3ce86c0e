//go:build !windows

package printing

import (
	"context"
	"fmt"
	"runtime"
	"strings"
)

// printFile hands the PDF to CUPS with lp (Linux, macOS and the BSDs all
// print through CUPS) and returns the job ID lp reports.
func printFile(ctx context.Context, path string, o Options) (string, error) {
	out, err := run(ctx, "lp", lpArgs(path, o)...)
	if err != nil {
		return "", fmt.Errorf("printing: to %s: %w", o.Printer, err)
	}
	if m := lpJob.FindStringSubmatch(out); m != nil {
		return m[1], nil
	}
	return "", nil
}

// printers lists the CUPS destinations (lpstat -e).
func printers(ctx context.Context, server string) ([]string, error) {
	var args []string
	if server != "" {
		args = append(args, "-h", server)
	}
	out, err := run(ctx, "lpstat", append(args, "-e")...)
	if err != nil {
		return nil, fmt.Errorf("printing: list printers: %w", err)
	}
	return strings.Fields(out), nil
}

// openFile opens the PDF in the desktop's viewer: xdg-open on Linux and
// the BSDs, open on macOS.
func openFile(ctx context.Context, path string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	_, err := run(ctx, name, path)
	return err
}
