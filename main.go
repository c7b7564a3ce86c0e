// Command discdesk is the DiscDesk patient-disc station: the desk window with
// no arguments, or one of its command-line verbs (see discdesk --help).
package main

import (
	_ "discdesk/internal/envlocale" // before Fyne reads LANG

	"discdesk/app/cli"
	"discdesk/app/desk"
)

func main() { cli.Main(desk.Run) }
