// Package dimse owns the DICOM network layers below the services: the upper
// layer protocol of PS3.8 (PDUs of PS3.8 9.3, association establishment,
// release and abort of PS3.8 7, presentation context and role negotiation,
// maximum PDU length, the ARTIM timer of PS3.8 9.1.5) and the DIMSE message
// exchange of PS3.7 (command sets in Implicit VR Little Endian, group 0000,
// PS3.7 9.3 and E; fragmentation into PDVs, PS3.8 9.3.5 and E).
//
// Its elements are viewer/dcm's, the desk's one DICOM parser and writer:
// command sets (Implicit VR Little Endian, PS3.7 6.3.1) and identifiers (in
// the negotiated transfer syntax, PS3.5 A.1-A.5) are read with dcm.Scanner
// and written with dcm.AppendElement; Elements is only a flat, tag-sorted
// view of them for the services. Data sets of stored objects are not its
// business: package pacs checks and reads them, and their File Meta
// Information, with viewer/dcm too. It knows nothing of storage, queries or
// the library: package pacs builds the services on top of it.
//
// # Limits
//
// Every length read from the wire is checked before anything is allocated:
// a PDU longer than the receive limit, a command set over 64 KiB, or an item
// that runs past its PDU aborts the association (A-ABORT, source service
// provider, reason invalid PDU parameter value) instead of allocating. Reads
// carry deadlines: the ARTIM timeout while an association is being opened or
// closed, an idle timeout while it is open.
//
// # Caveats
//
// Elements keeps a sequence as its encoded items: re-encoding it in another
// transfer syntax than it came in (Implicit to Explicit VR, say) does not
// re-encode the items. Top-level tags must ascend (PS3.5 7.1); inside items
// the structure is checked, not the order.
//
// Asynchronous operations (PS3.7 D.3.3.3) are not negotiated: one operation
// at a time per association. Extended negotiation and user identity items are
// ignored on receipt and never sent.
package dimse
