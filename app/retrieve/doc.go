// Package retrieve owns finding studies on a PACS node and fetching a
// chosen study into the library: the one workflow behind the desk's PACS
// screen and the `discdesk find` and `discdesk retrieve` commands.
//
// A Node is a configured PACS node (app/settings: Node) or one given on
// the command line, reached over DIMSE or DICOMweb (dicomweb.Remote):
//
//   - Find is a study-level C-FIND (PS3.4 C.4.1, Study Root by default)
//     or QIDO-RS /studies (PS3.18 10.6) with the same keys.
//   - Retrieve is, for DIMSE, a C-MOVE (PS3.4 C.4.2) to the desk's own
//     running receiver when one files into the same library (Options.MoveTo),
//     or else to a temporary Storage SCP (PS3.4 B) this package runs on
//     Options.Port for the length of the move, accepting only the node's AE
//     title; or a C-GET (PS3.4 C.4.3) on the same association. For DICOMweb
//     it is WADO-RS /studies/{study} (PS3.18 10.4), each part spooled whole
//     before the library takes it.
//
// Progress leaves through Options.Progress (instances done of expected),
// called from the goroutine that stores each instance; the caller turns it
// into UI work. Every error names the node.
//
// # Caveats
//
//   - Modality is matched here, on Modalities in Study, after the node
//     answers: PS3.4 C.6.1.1.3 leaves matching on it optional for SCPs.
//   - With Options.MoveTo the instances arrive through the desk's own
//     receiver, not through this package: progress follows the PACS's
//     pending C-MOVE responses (sub-operations completed and remaining),
//     and stored and held are counted from the library before and after.
//   - Cancelling stops the association and the temporary SCP, which
//     files nothing more from that moment; instances already stored stay
//     in the library, whole and indexed, so a second
//     retrieve completes the study and counts them as already held.
//     Nothing half-written is left: a part being received is removed from
//     the spool.
package retrieve
