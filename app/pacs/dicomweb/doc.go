// Package dicomweb owns DiscDesk's DICOMweb client (PS3.18): QIDO-RS search
// for studies, series and instances with DICOM JSON results (PS3.18 10.6,
// F.2) and WADO-RS retrieval of whole studies as multipart/related;
// type="application/dicom" (PS3.18 10.4, 8.7), against a configured base URL
// with HTTP Basic or Bearer authentication.
//
// Responses are read with limits: QIDO JSON up to Client.MaxJSON, WADO parts
// streamed to disk one at a time, never held whole in memory.
package dicomweb
