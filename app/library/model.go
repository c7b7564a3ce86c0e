package library

import (
	"time"
)

// Patient is the patient level of the index.
type Patient struct {
	Key       string `json:"key"` // issuer + "\x1f" + patient ID
	ID        string `json:"id"`
	Issuer    string `json:"issuer,omitempty"`
	Name      string `json:"name"` // decoded to UTF-8, DICOM PN form (Family^Given=...)
	BirthDate string `json:"birthDate,omitempty"`
	Sex       string `json:"sex,omitempty"`
}

// Study is one study with its patient keys and summary counts.
type Study struct {
	UID                string    `json:"uid"`
	Patient            Patient   `json:"patient"`
	Date               string    `json:"date,omitempty"` // YYYYMMDD
	Time               string    `json:"time,omitempty"`
	Description        string    `json:"description,omitempty"`
	AccessionNumber    string    `json:"accession,omitempty"`
	StudyID            string    `json:"studyId,omitempty"`
	ReferringPhysician string    `json:"referringPhysician,omitempty"`
	ReadingPhysicians  []string  `json:"readingPhysicians,omitempty"`
	Institution        string    `json:"institution,omitempty"`
	Modalities         []string  `json:"modalities"`
	SeriesCount        int       `json:"series"`
	InstanceCount      int       `json:"instances"`
	ExpectedInstances  int       `json:"expectedInstances,omitempty"` // Number of Study Related Instances, when a sender said so
	HasReport          bool      `json:"hasReport"`
	FirstReceived      time.Time `json:"firstReceived"`
	LastReceived       time.Time `json:"lastReceived"`
	Bytes              int64     `json:"bytes"`
}

// Series is one series of a study.
type Series struct {
	UID           string `json:"uid"`
	StudyUID      string `json:"studyUid"`
	Modality      string `json:"modality"`
	Number        int    `json:"number"`
	Description   string `json:"description,omitempty"`
	InstanceCount int    `json:"instances"`
}

// Instance is one stored object.
type Instance struct {
	SOPInstanceUID string    `json:"sopInstanceUid"`
	SOPClassUID    string    `json:"sopClassUid"`
	TransferSyntax string    `json:"transferSyntax"`
	StudyUID       string    `json:"studyUid"`
	SeriesUID      string    `json:"seriesUid"`
	Number         int       `json:"number"`
	Path           string    `json:"path"` // library-relative for managed files, absolute when in place
	InPlace        bool      `json:"inPlace,omitempty"`
	Size           int64     `json:"size"`
	ModTime        time.Time `json:"modTime"`
	CRC32C         string    `json:"crc32c,omitempty"` // content checksum taken at import (managed and in-place files), see CheckContent
	// Source names the file as staff imported it, relative to what was
	// imported: a path inside the imported folder or disc, the file's name
	// for a single file, "archive.zip!entry" for a ZIP entry, or
	// "received from AE" for an object received over the network.
	Source   string    `json:"source,omitempty"`
	Frames   int       `json:"frames,omitempty"`
	Received time.Time `json:"received"`
}

// StudyDetail is a study with its series and instances, for `discdesk study`.
type StudyDetail struct {
	Study
	Series   []SeriesDetail `json:"seriesList"`
	Problems []string       `json:"problems,omitempty"` // files that vanished or changed since they were indexed
}

// SeriesDetail is a series with its instances.
type SeriesDetail struct {
	Series
	Instances []Instance `json:"instanceList"`
}
