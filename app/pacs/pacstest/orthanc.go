package pacstest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// OrthancServer is a started Orthanc: its DICOM peer and DICOMweb root.
type OrthancServer struct {
	Peer
	DICOMwebURL        string
	Username, Password string
}

// Orthanc runs Orthanc (apt orthanc + orthanc-dicomweb) with a generated
// configuration in the test's temporary folder: DICOM and HTTP on free
// loopback ports, HTTP Basic authentication, the DICOMweb plugin, and the
// given modalities (AE title, host, port) known for C-FIND and C-MOVE.
func Orthanc(t testing.TB, aet string, modalities []Peer) OrthancServer {
	t.Helper()
	dir := t.TempDir()
	ports := startPeer(t, "Orthanc", 2, func(ports []int) *exec.Cmd {
		dicomPort, httpPort := ports[0], ports[1]
		mods := map[string][]any{}
		for i, m := range modalities {
			mods[fmt.Sprintf("m%d", i)] = []any{m.AETitle, m.Host, m.Port}
		}
		cfg := map[string]any{
			"Name":                    "discdesk-test",
			"StorageDirectory":        filepath.Join(dir, "db"),
			"IndexDirectory":          filepath.Join(dir, "db"),
			"HttpPort":                httpPort,
			"DicomPort":               dicomPort,
			"DicomAet":                aet,
			"RemoteAccessAllowed":     false,
			"AuthenticationEnabled":   true,
			"RegisteredUsers":         map[string]string{"desk": "s3cret"},
			"Plugins":                 []string{"/usr/share/orthanc/plugins/libOrthancDicomWeb.so"},
			"DicomWeb":                map[string]any{"Enable": true, "Root": "/dicom-web/"},
			"DicomModalities":         mods,
			"DicomCheckCalledAet":     true,
			"DicomAlwaysAllowEcho":    true,
			"DicomAlwaysAllowStore":   true,
			"UnknownSopClassAccepted": true,
			"StorageCompression":      false,
			"DefaultEncoding":         "Utf8", // C-FIND answers in UTF-8, so no name loses characters
			"ConcurrentJobs":          1,
			"HttpThreadsCount":        4,
			"SaveJobs":                false,
		}
		b, _ := json.MarshalIndent(cfg, "", "  ")
		cfgPath := filepath.Join(dir, "orthanc.json")
		if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("Orthanc", cfgPath)
		cmd.Dir = dir
		return cmd
	})
	dicomPort, httpPort := ports[0], ports[1]
	return OrthancServer{
		Peer:        Peer{AETitle: aet, Host: "127.0.0.1", Port: dicomPort},
		DICOMwebURL: fmt.Sprintf("http://127.0.0.1:%d/dicom-web/", httpPort),
		Username:    "desk", Password: "s3cret",
	}
}
