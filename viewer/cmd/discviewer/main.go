// Command discviewer is the disc viewer that ships on every disc: it shows
// the images of the DICOMDIR beside it, or of the folder, DICOMDIR or ISO
// image named as its argument. See package discdesk/viewer/discview.
package main

import (
	"fmt"
	"os"

	"discdesk/viewer/discview"
)

func main() {
	if err := discview.Run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "discviewer:", err)
		os.Exit(1)
	}
}
