package pacs

import (
	"discdesk/app/pacs/dimse"
	"discdesk/viewer/codec"
)

// SOPClass names one SOP class by UID and its PS3.6 name.
type SOPClass struct {
	UID  string
	Name string
}

// Non-storage SOP classes DiscDesk uses (PS3.4 A, C.6).
const (
	VerificationSOPClass = "1.2.840.10008.1.1"
	PatientRootFind      = "1.2.840.10008.5.1.4.1.2.1.1"
	PatientRootMove      = "1.2.840.10008.5.1.4.1.2.1.2"
	PatientRootGet       = "1.2.840.10008.5.1.4.1.2.1.3"
	StudyRootFind        = "1.2.840.10008.5.1.4.1.2.2.1"
	StudyRootMove        = "1.2.840.10008.5.1.4.1.2.2.2"
	StudyRootGet         = "1.2.840.10008.5.1.4.1.2.2.3"
)

// StorageSOPClasses is the table of Storage SOP classes the Storage SCP
// accepts and the C-GET SCU proposes (PS3.4 B.5). The conformance statement
// must list exactly these; TestStorageTable checks the table itself.
var StorageSOPClasses = []SOPClass{
	{"1.2.840.10008.5.1.4.1.1.1", "Computed Radiography Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage - For Presentation"},
	{"1.2.840.10008.5.1.4.1.1.1.1.1", "Digital X-Ray Image Storage - For Processing"},
	{"1.2.840.10008.5.1.4.1.1.1.2", "Digital Mammography X-Ray Image Storage - For Presentation"},
	{"1.2.840.10008.5.1.4.1.1.1.2.1", "Digital Mammography X-Ray Image Storage - For Processing"},
	{"1.2.840.10008.5.1.4.1.1.1.3", "Digital Intra-Oral X-Ray Image Storage - For Presentation"},
	{"1.2.840.10008.5.1.4.1.1.1.3.1", "Digital Intra-Oral X-Ray Image Storage - For Processing"},
	{"1.2.840.10008.5.1.4.1.1.2", "CT Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.2.1", "Enhanced CT Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.2.2", "Legacy Converted Enhanced CT Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.3.1", "Ultrasound Multi-frame Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.4", "MR Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.4.1", "Enhanced MR Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.4.2", "MR Spectroscopy Storage"},
	{"1.2.840.10008.5.1.4.1.1.4.3", "Enhanced MR Color Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.4.4", "Legacy Converted Enhanced MR Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.6.1", "Ultrasound Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.6.2", "Enhanced US Volume Storage"},
	{"1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.7.1", "Multi-frame Single Bit Secondary Capture Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.7.2", "Multi-frame Grayscale Byte Secondary Capture Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.7.4", "Multi-frame True Color Secondary Capture Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.9.1.1", "12-lead ECG Waveform Storage"},
	{"1.2.840.10008.5.1.4.1.1.9.1.2", "General ECG Waveform Storage"},
	{"1.2.840.10008.5.1.4.1.1.9.1.3", "Ambulatory ECG Waveform Storage"},
	{"1.2.840.10008.5.1.4.1.1.9.2.1", "Hemodynamic Waveform Storage"},
	{"1.2.840.10008.5.1.4.1.1.9.3.1", "Cardiac Electrophysiology Waveform Storage"},
	{"1.2.840.10008.5.1.4.1.1.9.4.1", "Basic Voice Audio Waveform Storage"},
	{"1.2.840.10008.5.1.4.1.1.11.1", "Grayscale Softcopy Presentation State Storage"},
	{"1.2.840.10008.5.1.4.1.1.11.2", "Color Softcopy Presentation State Storage"},
	{"1.2.840.10008.5.1.4.1.1.11.3", "Pseudo-Color Softcopy Presentation State Storage"},
	{"1.2.840.10008.5.1.4.1.1.11.4", "Blending Softcopy Presentation State Storage"},
	{"1.2.840.10008.5.1.4.1.1.12.1", "X-Ray Angiographic Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.12.1.1", "Enhanced XA Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.12.2", "X-Ray Radiofluoroscopic Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.12.2.1", "Enhanced XRF Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.13.1.1", "X-Ray 3D Angiographic Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.13.1.3", "Breast Tomosynthesis Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.20", "Nuclear Medicine Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.66", "Raw Data Storage"},
	{"1.2.840.10008.5.1.4.1.1.66.1", "Spatial Registration Storage"},
	{"1.2.840.10008.5.1.4.1.1.66.2", "Spatial Fiducials Storage"},
	{"1.2.840.10008.5.1.4.1.1.66.4", "Segmentation Storage"},
	{"1.2.840.10008.5.1.4.1.1.67", "Real World Value Mapping Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.1", "VL Endoscopic Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.1.1", "Video Endoscopic Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.2", "VL Microscopic Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.4", "VL Photographic Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.1", "Ophthalmic Photography 8 Bit Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.2", "Ophthalmic Photography 16 Bit Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.4", "Ophthalmic Tomography Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.77.1.6", "VL Whole Slide Microscopy Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.2", "Detail SR Storage - Trial (Retired)"},
	{"1.2.840.10008.5.1.4.1.1.88.11", "Basic Text SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.22", "Enhanced SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.34", "Comprehensive 3D SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.40", "Procedure Log Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.50", "Mammography CAD SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.59", "Key Object Selection Document Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.65", "Chest CAD SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.67", "X-Ray Radiation Dose SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.88.68", "Radiopharmaceutical Radiation Dose SR Storage"},
	{"1.2.840.10008.5.1.4.1.1.104.1", "Encapsulated PDF Storage"},
	{"1.2.840.10008.5.1.4.1.1.104.2", "Encapsulated CDA Storage"},
	{"1.2.840.10008.5.1.4.1.1.128", "Positron Emission Tomography Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.128.1", "Legacy Converted Enhanced PET Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.130", "Enhanced PET Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.1", "RT Image Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.2", "RT Dose Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.3", "RT Structure Set Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.4", "RT Beams Treatment Record Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.5", "RT Plan Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.6", "RT Brachy Treatment Record Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.7", "RT Treatment Summary Record Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.8", "RT Ion Plan Storage"},
	{"1.2.840.10008.5.1.4.1.1.481.9", "RT Ion Beams Treatment Record Storage"},
}

// TransferSyntaxes lists the transfer syntaxes the Storage SCP accepts, in
// the order named in the conformance statement (PS3.5 A, PS3.6 A). Objects
// are stored as received; nothing is transcoded.
var TransferSyntaxes = []SOPClass{
	{dimse.ExplicitVRLittleEndian, "Explicit VR Little Endian"},
	{dimse.ImplicitVRLittleEndian, "Implicit VR Little Endian"},
	{dimse.DeflatedExplicitVRLE, "Deflated Explicit VR Little Endian"},
	{dimse.ExplicitVRBigEndian, "Explicit VR Big Endian (Retired)"},
	{"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"},
	{"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"},
	{"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"},
	{"1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])"},
	{"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"},
	{"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"},
	{"1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"},
	{"1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"},
	{"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"},
	{"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"},
	{"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"},
	{"1.2.840.10008.1.2.4.110", "JPEG XL Lossless"},
	{"1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"},
	{"1.2.840.10008.1.2.4.112", "JPEG XL"},
	{"1.2.840.10008.1.2.5", "RLE Lossless"},
	{"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"},
	{"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"},
	{"1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"},
	{"1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1"},
}

var (
	storageSet  = uidSet(StorageSOPClasses)
	transferSet = uidSet(TransferSyntaxes)
)

func uidSet(list []SOPClass) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, c := range list {
		m[c.UID] = true
	}
	return m
}

// IsStorageSOPClass reports whether uid is in StorageSOPClasses.
func IsStorageSOPClass(uid string) bool { return storageSet[uid] }

// uncompressed are the native transfer syntaxes C-GET proposes together in
// one presentation context per SOP class (the PACS picks one and converts
// to it, which every PACS can).
var uncompressed = []string{dimse.ExplicitVRLittleEndian, dimse.ImplicitVRLittleEndian, dimse.DeflatedExplicitVRLE, dimse.ExplicitVRBigEndian}

// getCompressed are the compressed transfer syntaxes C-GET proposes, each in
// a presentation context of its own, so that a PACS that cannot transcode
// (Orthanc with JPEG 2000) sends what it holds: every syntax this build of
// the desk decodes (viewer/codec) and accepts as a Storage SCP.
func getCompressed() []string {
	var out []string
	for _, ts := range TransferSyntaxes {
		if codec.Supported(ts.UID) {
			out = append(out, ts.UID)
		}
	}
	return out
}

// GetTransferSyntaxes lists, in the order proposed, the transfer syntaxes
// C-GET offers for its storage sub-operations: the uncompressed ones in one
// context, then each compressed one in its own (for the conformance
// statement).
func GetTransferSyntaxes() []SOPClass {
	byUID := map[string]SOPClass{}
	for _, ts := range TransferSyntaxes {
		byUID[ts.UID] = ts
	}
	var out []SOPClass
	for _, ts := range append(append([]string(nil), uncompressed...), getCompressed()...) {
		out = append(out, byUID[ts])
	}
	return out
}

// commonImageClasses get the compressed contexts when the PACS does not
// say which SOP classes a study holds.
var commonImageClasses = []string{
	"1.2.840.10008.5.1.4.1.1.2",    // CT
	"1.2.840.10008.5.1.4.1.1.4",    // MR
	"1.2.840.10008.5.1.4.1.1.1",    // CR
	"1.2.840.10008.5.1.4.1.1.1.1",  // DX
	"1.2.840.10008.5.1.4.1.1.6.1",  // US
	"1.2.840.10008.5.1.4.1.1.3.1",  // US multi-frame
	"1.2.840.10008.5.1.4.1.1.7",    // SC
	"1.2.840.10008.5.1.4.1.1.12.1", // XA
	"1.2.840.10008.5.1.4.1.1.1.2",  // MG
	"1.2.840.10008.5.1.4.1.1.128",  // PT
	"1.2.840.10008.5.1.4.1.1.20",   // NM
}

// getContexts proposes, for C-GET, the Q/R context and per storage SOP
// class one uncompressed context plus one per compressed syntax, within
// the 128 presentation contexts an association can carry (PS3.8 9.3.2.2):
// the study's own classes (when the PACS named them) or the common image
// classes get every syntax, the other storage classes the uncompressed
// context as long as room is left.
func getContexts(getUID string, studyClasses []string) ([]dimse.ContextRQ, []dimse.RoleSelection) {
	contexts := []dimse.ContextRQ{{ID: 1, AbstractSyntax: getUID, TransferSyntaxes: []string{dimse.ExplicitVRLittleEndian, dimse.ImplicitVRLittleEndian}}}
	var roles []dimse.RoleSelection
	add := func(class string, ts []string) bool {
		if len(contexts) == 128 {
			return false
		}
		contexts = append(contexts, dimse.ContextRQ{ID: byte(2*len(contexts) + 1), AbstractSyntax: class, TransferSyntaxes: ts})
		return true
	}
	seen := map[string]bool{}
	role := func(class string) {
		if !seen[class] {
			seen[class] = true
			roles = append(roles, dimse.RoleSelection{SOPClassUID: class, SCP: true})
		}
	}
	first := commonImageClasses
	if len(studyClasses) > 0 {
		first = studyClasses
	}
	compressed := getCompressed()
	for _, class := range first {
		if !IsStorageSOPClass(class) || seen[class] {
			continue
		}
		if !add(class, uncompressed) {
			break
		}
		role(class)
		for _, ts := range compressed {
			if !add(class, []string{ts}) {
				break
			}
		}
	}
	for _, sc := range StorageSOPClasses {
		if seen[sc.UID] {
			continue
		}
		if !add(sc.UID, uncompressed) {
			break
		}
		role(sc.UID)
	}
	return contexts, roles
}
