// Package version owns DiscDesk's release version: the one value written on
// every disc (README.TXT, the pages' footer, Software Versions (0018,1020) of
// a wrapped report) and shown by the desk. It must equal the Version of
// FyneApp.toml, which `fyne package` stamps into the installers; a test
// checks that the two agree.
package version
