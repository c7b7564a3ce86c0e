//go:build !e2e

package desk

import (
	"context"
	"io"
)

// e2eEnv is empty in the shipped desk: the automation hook (e2e.go) is
// compiled only with the build tag e2e, which only the end-to-end test uses.
// The empty name never matches an environment variable, so desk.go's check
// never starts anything.
const e2eEnv = ""

// runE2E does nothing without the e2e build tag.
func (d *Desk) runE2E(context.Context, string, io.Writer) {}
