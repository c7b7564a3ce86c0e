package dimse

import "testing"

// benchStoreRQ and benchStoreRSP are the command sets of one C-STORE
// exchange, the receive path's per-instance cost.
var (
	benchStoreRQ = &Command{Field: CStoreRQ, MessageID: 7, AffectedSOPClass: "1.2.840.10008.5.1.4.1.1.2",
		AffectedSOPInstance: "1.2.826.0.1.3680043.8.498.12345678901234567890123456789012", HasData: true}
	benchStoreRSP = &Command{Field: CStoreRSP, RespondingTo: 7, AffectedSOPClass: "1.2.840.10008.5.1.4.1.1.2",
		AffectedSOPInstance: "1.2.826.0.1.3680043.8.498.12345678901234567890123456789012", Status: StatusSuccess}
)

// BenchmarkDecodeCommand decodes a C-STORE-RQ command set, as the Storage
// SCP does for every instance it receives.
func BenchmarkDecodeCommand(b *testing.B) {
	in := benchStoreRQ.Encode()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := DecodeCommand(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeCommand encodes the C-STORE-RSP the Storage SCP answers
// every instance with.
func BenchmarkEncodeCommand(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchStoreRSP.Encode()
	}
}

// benchIdentifier is a study-level C-FIND response identifier.
func benchIdentifier() Elements {
	var es Elements
	es.SetString(T(0x0008, 0x0005), "CS", "ISO_IR 192")
	es.SetString(T(0x0008, 0x0020), "DA", "20240131")
	es.SetString(T(0x0008, 0x0050), "SH", "ACC123456")
	es.SetString(T(0x0008, 0x0052), "CS", "STUDY")
	es.SetString(T(0x0008, 0x0061), "CS", `CT\SR`)
	es.SetString(T(0x0008, 0x1030), "LO", "CT CHEST WITH CONTRAST")
	es.SetString(T(0x0010, 0x0010), "PN", "Doe^Jane")
	es.SetString(T(0x0010, 0x0020), "LO", "PID0001")
	es.SetString(T(0x0010, 0x0030), "DA", "19700101")
	es.SetString(T(0x0020, 0x000D), "UI", "1.2.826.0.1.3680043.8.498.1")
	es.SetString(T(0x0020, 0x1208), "IS", "120")
	return es
}

// BenchmarkDecodeIdentifier decodes a C-FIND response identifier in
// Explicit VR Little Endian.
func BenchmarkDecodeIdentifier(b *testing.B) {
	in := benchIdentifier().EncodeExplicit()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := DecodeElements(in, true); err != nil {
			b.Fatal(err)
		}
	}
}
