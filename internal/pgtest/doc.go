// Package pgtest owns the throwaway PostgreSQL server a test starts itself:
// initdb and pg_ctl (Debian's postgresql, /usr/lib/postgresql/<v>/bin) into a
// fresh temporary folder, listening only on a Unix socket inside that folder
// (no TCP port), stopped and removed when the test ends.
//
// When the test runs as root the server runs as the "postgres" user, since
// initdb refuses root. Under CI=true a missing PostgreSQL fails the test
// instead of skipping it.
package pgtest
