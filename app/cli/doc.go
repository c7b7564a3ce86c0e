// Package cli is DiscDesk's thin command layer: one file per verb
// (cmd_<verb>.go), each registering a Command whose Run parses its flags and
// calls domain packages. Nothing here holds a business rule.
package cli
