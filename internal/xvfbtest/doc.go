// Package xvfbtest owns starting a virtual X screen (Xvfb) for tests: the one
// helper every test that needs a display goes through.
//
// Xvfb is always started with -displayfd, so the X server itself picks a free
// display number (it takes the lock file atomically) and reports it back on a
// pipe. Tests in different packages run in parallel under `go test ./...`;
// choosing "the first free number" in the test and then starting the server
// on it races with the other packages (two servers for :93, one fails with
// "Failed to open display"). No test picks a display number itself.
package xvfbtest
