// Package conformance owns the facts of DiscDesk's conformance documents
// (docs/CONFORMANCE.md in the DICOM PS3.2 layout, docs/IHE-INTEGRATION.md
// after the IHE Technical Framework's integration statement template) that
// the code holds: the Storage SOP classes and transfer syntaxes the Storage
// SCP accepts (app/pacs), the transfer syntaxes each PS3.11 media
// application profile allows (burner/disc), the DICOMDIR record type of
// every storage SOP class (viewer/dicomdir, PS3.3 F.4) and the Specific
// Character Set defined terms the DICOM core decodes (viewer/dcm, PS3.3
// C.12.1.1.2).
//
// [Tables] renders those facts as Markdown; [Splice] writes each table
// between the markers
//
//	<!-- BEGIN GENERATED name -->
//	<!-- END GENERATED name -->
//
// of a document. `go generate ./internal/conformance` rewrites docs/*.md
// (cmd/gendocs); the tests fail when a committed document differs from what
// the code generates, and check the documents against the code a second,
// independent way (parsing the UIDs back out of the tables).
//
// # Caveats
//
// The character set terms are read from viewer/dcm/charset.go's source
// (the case labels of NewCharset and the keys of its charmaps table),
// because viewer/dcm exports no list of them; a test decodes a sample of
// every listed term so a term the code no longer understands fails.
package conformance

//go:generate go run ./cmd/gendocs
