//go:build !unix

package pacstest

// portLock reserves nothing across processes here: only the range outside
// the ephemeral ports and the in-process bookkeeping keep ports apart.
func portLock(int) bool { return true }
