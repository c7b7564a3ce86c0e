// Package audit builds the DICOM audit message for a disc that leaves the
// building, the Export message of PS3.15 A.5.3.7 (Event ID (110106, DCM,
// "Export")) in the XML of the DICOM audit schema (PS3.15 A.5.1, derived
// from RFC 3881), and sends audit messages to a collector by syslog: RFC
// 5424 messages framed by octet counting (RFC 6587 3.4.1) over TCP, or over
// TLS as RFC 5425 requires, per the Audit Trail Message Format Profile and
// the Secure Transport Connection Profiles of PS3.15.
//
// [ForHandoff] turns a message builder into a handoff.Auditor, so the
// message is kept inside the hash-chained handoff log with the handoff
// event; [Sender] then forwards it, when a collector is configured, after
// the event is committed.
//
// # Caveats
//
// A failed send is reported to the caller and not retried here: the message
// stays in the log, which is the record of truth. The syslog MSG part holds
// patient identifiers, as the DICOM message requires: the collector link
// should be TLS outside a trusted network.
package audit
