// Package control owns the desk's local control socket: the way a command
// started while another DiscDesk process (the desk window or `discdesk
// serve`) owns the store asks that process to do the work instead of
// failing on the store's lock (ARCHITECTURE: "asks the running desk to do
// the work").
//
// The socket is a Unix domain socket, control.sock, in the data folder
// (0700): only its owner can reach it, the socket file is 0600, and on
// Linux the server also checks the caller's user ID with SO_PEERCRED. One
// connection carries one request: a JSON line {"op": ..., "args": ...};
// the server answers with JSON lines of output text and a last line saying
// whether the operation succeeded. Output is for people (what the command
// would have printed); the caller prints it as it arrives.
//
// Caveats: the protocol is local and unversioned beyond the operation
// names; both ends are the same program, so it changes with it. A stale
// socket left by a killed process is removed when the next server starts,
// and a caller that finds nobody listening gets ErrNoServer.
package control
