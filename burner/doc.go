// Package burner turns chosen DICOM files into a verified patient disc: the
// plan (File IDs, transcoding, media and profile per PS3.11), the DICOMDIR and
// IHE PDI content, and the drive backends that write and read it back.
//
// It never imports the desk (app) or Fyne: it takes plain inputs, returns
// plain results and reports progress through small interfaces, so it runs
// headless in tests and from the command line.
package burner
