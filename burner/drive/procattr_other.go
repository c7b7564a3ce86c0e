//go:build !linux

package drive

import "os/exec"

// dieWithParent does nothing here: only Linux has a parent-death signal.
// (On macOS drutil is cancelled through its context; on Windows the
// PowerShell burn is.)
func dieWithParent(*exec.Cmd) {}
