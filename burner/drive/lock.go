package drive

import (
	"fmt"
	"path/filepath"
	"sync"
)

var (
	locksMu sync.Mutex
	locks   = map[string]bool{}
)

// Lock takes the in-process lock of a target (key: a device path or a file
// path) for one burn, verification or eject. It fails at once with ErrBusy
// when another job holds it; it never waits. Backends call it; fakes in
// other packages may too.
func Lock(key string) (unlock func(), err error) {
	if abs, err := filepath.Abs(key); err == nil {
		key = abs
	}
	locksMu.Lock()
	defer locksMu.Unlock()
	if locks[key] {
		return nil, fmt.Errorf("drive: lock %s: %w", key, ErrBusy)
	}
	locks[key] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			locksMu.Lock()
			delete(locks, key)
			locksMu.Unlock()
		})
	}, nil
}
