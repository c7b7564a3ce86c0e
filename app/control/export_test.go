package control

import "net"

func dialRaw(dir string) (*net.UnixConn, error) {
	c, err := net.Dial("unix", Path(dir))
	if err != nil {
		return nil, err
	}
	return c.(*net.UnixConn), nil
}
