// Package cli is DiscDesk's thin command layer: one file per verb
// (cmd_<verb>.go), each a Command in the explicit list of cli.go (an
// options struct with its flags and a named run function, as restic's
// commands are) that calls domain packages: the request lifecycle goes
// through app/station, the settings through app/settings. Nothing here
// holds a business rule; main wires the desk window in (cli.Main(desk.Run)).
package cli
