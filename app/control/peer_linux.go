package control

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// checkPeer refuses a caller whose user ID is not ours (SO_PEERCRED).
func checkPeer(c net.Conn) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ErrNotOwner
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("%w (uid %d)", ErrNotOwner, cred.Uid)
	}
	return nil
}

func umask(m int) int { return syscall.Umask(m) }
