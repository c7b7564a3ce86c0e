//go:build !linux && !darwin && !windows

package drive

import (
	"context"
	"fmt"
)

func listDevices(context.Context, Options) ([]Info, error) {
	return nil, ErrUnsupported
}

func openDevice(dev string, _ Options) (Drive, error) {
	return nil, fmt.Errorf("drive: open %s: %w", dev, ErrUnsupported)
}
