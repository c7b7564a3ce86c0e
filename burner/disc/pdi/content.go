package pdi

import "time"

// Content is everything the README and the pages say about one disc.
type Content struct {
	FacilityName    string
	FacilityAddress string // may span lines
	FacilityPhone   string
	FacilityEmail   string
	// FacilityContact is whom to ask for with questions ("" = anyone at
	// the facility).
	FacilityContact string
	Software        string // burning application
	Version         string
	Created         time.Time
	FileSetID       string
	DiscIndex       int // 1-based
	DiscCount       int
	Profile         string // e.g. STD-GEN-CD

	// Web is whether INDEX.HTM and IHE_PDI/ are on the disc.
	Web bool
	// ViewerFolder is the disc folder of the viewer ("" = no viewer);
	// ViewerPrograms are its start programs by platform, disc paths.
	ViewerFolder   string
	ViewerPrograms []Program
	// WebViewer is the disc path of the browser viewer's page ("" = none),
	// linked from INDEX.HTM and named in README.TXT.
	WebViewer string

	Patients []Patient
}

// Program is a viewer start program for one platform.
type Program struct {
	Platform string // "Windows", "macOS", "Linux"
	Path     string // disc path, e.g. VIEWER/WINDOWS/DDVIEW.EXE
}

// Patient is one patient on the disc.
type Patient struct {
	Name, ID, BirthDate, Sex string // BirthDate as YYYY-MM-DD when known
	Studies                  []Study
}

// Study is one study.
type Study struct {
	Date, Time, Description, Accession, ID string
	// Radiologists are the reading radiologists, display form ("Dr Astrid
	// Lindqvist"), empty when the study names none.
	Radiologists []string
	Series       []Series
	Reports      []Report
}

// Series is one series with its web images.
type Series struct {
	Number      int
	Modality    string
	Description string
	Instances   int // objects in the series on the disc
	// Frames is the number of images: one per single-frame image object,
	// Number of Frames for a multi-frame one (0 for a series without
	// images).
	Frames int
	Folder string // disc folder of its DICOM files, e.g. DICOM/P0000001/S0000001
	Images []Image
	// Note explains why a series has no images (not an image series, or
	// no renderable pixel data).
	Note string
}

// Image is one web image: a JPEG and its thumbnail.
type Image struct {
	Instance      int // Instance Number
	Frame         int // 1-based frame of a multi-frame object (0 = single)
	JPEG, Thumb   []byte
	Width, Height int
	ThumbW        int
	ThumbH        int
}

// Report is one report of a study, as a page.
type Report struct {
	Title  string
	Date   string
	Kind   string // "SR" or "PDF"
	FileID string // where the DICOM object is on the disc
	// Text is the plain text (PDF text, or a Basic Text SR flattened);
	// Tree is the SR content tree when Kind is "SR".
	Text string
	Tree []Node
}

// Node is one content item of a structured report.
type Node struct {
	Name     string // concept name
	Value    string // text, code meaning, number with units, date...
	Children []Node
}

// File is one generated file: disc path and bytes.
type File struct {
	Path string
	Data []byte
}
