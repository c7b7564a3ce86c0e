//go:build linux

package drive

import (
	"os/exec"
	"syscall"
)

// dieWithParent puts a burning tool (xorriso) in its own process group and
// asks the kernel to kill it when the desk dies (PR_SET_PDEATHSIG), so a
// desk killed mid-burn leaves no xorriso writing on its own. The signal
// follows the death of the thread that started the child; Go keeps its
// threads for the life of the process.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
