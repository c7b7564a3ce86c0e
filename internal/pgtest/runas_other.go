//go:build !unix

package pgtest

import "os/exec"

// runAs is a no-op where processes have no Unix credentials.
func runAs(*exec.Cmd, int, int) {}
