//go:build !unix

package facility_test

import "time"

// cpuTime is unknown here: benchmarks report zero CPU per operation.
func cpuTime() time.Duration { return 0 }
