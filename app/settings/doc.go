// Package settings owns the facility's desk settings kept in the bbolt
// store: the facility's name, address and phone (printed in README.TXT,
// on labels and forms), the burn targets (optical drives, an ISO-file
// folder when the machine has no burner), the default medium, the PACS
// nodes and AE titles (PS3.5 6.2, AE value representation: at most 16
// characters, no backslash or control characters), the DICOM receiver
// (on/off, port, auto-burn AE title, quiet time, instance-count node, TLS;
// off by default), the fee schedule (45 CFR
// 164.524(c)(4)), the target turnaround per urgency, the workstation name
// recorded in the handoff log, and the kiosk's options (idle timeout,
// language, large text, high contrast).
//
// It is a domain package: the settings screen calls Validate and Save; it
// never imports Fyne. Only a supervisor may save (staff.ActionSettings).
package settings
