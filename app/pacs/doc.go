// Package pacs owns DiscDesk's life as a DICOM node: the Storage SCP that
// receives studies (PS3.4 B, C-ECHO of PS3.4 A), the query/retrieve SCU
// (C-FIND, C-MOVE and C-GET of PS3.4 C) and the auto-burn tracker that
// decides when a received study is complete. The wire protocol lives in
// app/pacs/dimse, the DICOMweb client in app/pacs/dicomweb.
//
// Network code stays apart from the library: the Storage SCP spools each
// received object to a complete Part 10 file (PS3.10 7.1, meta written by
// viewer/dcm) in a spool folder, checks with viewer/dcm that it parses, and
// hands it to a Sink. The library implements
// Sink by importing the file; FileSink, used by the headless `discdesk
// serve` and the tests, renames it into a folder. A Sink error is answered
// with C-STORE status A700 (out of resources) unless it wraps ErrAlreadyHeld
// (success), ErrConflict (0111) or ErrCannotUnderstand (C000); a data set
// that does not parse, or has an invalid Study or Series Instance UID, gets
// C000 (cannot understand), one without them or whose SOP class or
// instance differs from the command A900. A peer that breaks the
// protocol, sends an oversize PDU or goes silent longer than the idle time
// is aborted; its partly received object is deleted.
//
// # Security
//
// Only the calling AE titles (and, when given, host addresses) listed in
// Config.Callers are accepted; others get A-ASSOCIATE-RJ (permanent, service
// user, calling AE title not recognized). A called AE title not in
// Config.AETitles gets reason 7 (called AE title not recognized). Beyond
// Config.MaxAssociations concurrent associations a caller gets a transient
// rejection (service provider, local limit exceeded); when callers are
// listed with a host, a quarter of the associations is kept for those
// hosts. A peer announcing a Maximum PDU Length below 1024 bytes is
// rejected (permanent, service provider ACSE).
//
// Before its A-ASSOCIATE-RQ has arrived a connection is "pending": it may
// stay so for dimse.Limits.Request (3 s by default), at most
// Config.MaxPendingPerHost per remote address, at most Config.MaxPending
// from hosts not named in Config.Callers. A new connection beyond either
// bound closes the oldest pending one of that host or of those strangers,
// so idle or garbage connections can never keep a new peer out. TLS (the Basic TLS
// Secure Transport Connection Profile, PS3.15 B.1) is on when Config.TLS is
// set.
//
// # Caveats
//
// No Query/Retrieve SCP: DiscDesk asks a PACS, it does not answer queries.
// C-GET first asks the study's SOP Classes in Study, then proposes for each
// of them (or, when the PACS does not say, for the common image classes) an
// uncompressed context and one context per compressed syntax the desk
// decodes, so a PACS that cannot transcode sends what it holds; other
// storage classes get the uncompressed context while the 128 contexts of
// an association last. C-MOVE receives whatever the PACS sends through the
// Storage SCP; when the PACS stops a study's move at a failed sub-operation
// (Orthanc does), the other instances are moved one by one.
//
// Sub-operation counts are the highest reported by any response, and
// Failed SOP Instance UID List is read from the response identifier or, as
// Orthanc sends it, from the command set.
package pacs
