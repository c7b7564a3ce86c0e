//go:build linux

package drive

import (
	"context"
	"errors"
	"fmt"
)

// listDevices runs `xorriso -devices` and, for each drive, -list_profiles.
func listDevices(ctx context.Context, opt Options) ([]Info, error) {
	x, _ := newXorriso("", opt)
	out, err := x.run(ctx, []string{"-devices"}, nil)
	if err != nil {
		if errors.Is(err, ErrNoDrive) {
			return nil, nil // "No drives found": an empty list, not a failure
		}
		return nil, fmt.Errorf("drive: list drives: %w", err)
	}
	list := parseXorrisoDevices(out)
	for i := range list {
		if p, err := x.run(ctx, []string{"-outdev", list[i].Spec, "-list_profiles", "out"}, nil); err == nil {
			list[i].Writes = parseXorrisoProfiles(p)
		}
	}
	return list, nil
}

// openDevice opens an optical drive (/dev/sr0) through xorriso.
func openDevice(dev string, opt Options) (Drive, error) {
	d, err := newXorriso(dev, opt)
	if err != nil {
		return nil, err
	}
	d.info.Spec = dev
	return d, nil
}
