//go:build windows

package printing

import (
	"context"
	"fmt"
	"strings"
)

// psQuote quotes s as a PowerShell single-quoted string.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// printFile prints through the shell's "PrintTo" verb of the PDF handler
// (what Explorer's "Print" does), to the named printer. Windows reports no
// job ID for it.
func printFile(ctx context.Context, path string, o Options) (string, error) {
	script := "Start-Process -FilePath " + psQuote(path) + " -Verb PrintTo -ArgumentList " + psQuote(`"`+o.Printer+`"`) + " -WindowStyle Hidden"
	if _, err := run(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script); err != nil {
		return "", fmt.Errorf("printing: to %s: %w", o.Printer, err)
	}
	return "", nil
}

// printers lists the Windows printers (Get-Printer).
func printers(ctx context.Context, _ string) ([]string, error) {
	out, err := run(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "Get-Printer | ForEach-Object { $_.Name }")
	if err != nil {
		return nil, fmt.Errorf("printing: list printers: %w", err)
	}
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	return names, nil
}

// openFile opens the PDF in the default viewer.
func openFile(ctx context.Context, path string) error {
	_, err := run(ctx, "rundll32.exe", "url.dll,FileProtocolHandler", path)
	return err
}
