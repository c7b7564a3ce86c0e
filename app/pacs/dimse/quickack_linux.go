package dimse

import (
	"crypto/tls"
	"net"
	"syscall"
)

// quickAck asks Linux to acknowledge received segments at once (TCP_QUICKACK,
// tcp(7)). Without it a peer that writes a PDU in two parts with Nagle's
// algorithm on (dcmtk does) stalls 40 ms per message on the delayed ACK.
// The flag is not permanent, so it is set again before every read.
func quickAck(c net.Conn) {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
