package demo

import (
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"discdesk/viewer/dcm"
)

// SOP classes written by the generator.
const (
	ctImage      = "1.2.840.10008.5.1.4.1.1.2"
	mrImage      = "1.2.840.10008.5.1.4.1.1.4"
	crImage      = "1.2.840.10008.5.1.4.1.1.1"
	basicTextSR  = "1.2.840.10008.5.1.4.1.1.88.11"
	demoUIDSpace = "6ba7b811-9dad-11d1-80b4-00c04fd430c8" // the URL namespace of RFC 4122
)

// UID derives a stable 2.25 UID from a name.
func UID(name string) string {
	u := uuid.NewSHA1(uuid.MustParse(demoUIDSpace), []byte("discdesk-demo:"+name))
	return "2.25." + new(big.Int).SetBytes(u[:]).String()
}

type patient struct {
	id, name, birth, sex, charset string
}

type study struct {
	p                     patient
	key, date, time, desc string
	accession, referring  string
	reading               string
}

// Write generates the demo library into dir and returns the number of files.
func Write(dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	lucia := patient{id: "DEMO0001", name: "Ramírez^Lucía", birth: "19580412", sex: "F", charset: "ISO_IR 192"}
	yamada := patient{id: "DEMO0002", name: "Yamada^Tarou=山田^太郎=やまだ^たろう", birth: "19710923", sex: "M", charset: "ISO_IR 192"}
	obrien := patient{id: "DEMO0003", name: "O'Brien^Seán", birth: "19900101", sex: "M", charset: "ISO_IR 192"}
	ct := study{p: lucia, key: "ct", date: "20261102", time: "093015", desc: "CT CHEST ABDOMEN PELVIS WITH CONTRAST", accession: "ACC26110201", referring: "Okafor^Nnamdi^^Dr", reading: "Lindqvist^Astrid^^Dr"}
	mr := study{p: yamada, key: "mr", date: "20261018", time: "141200", desc: "MR BRAIN WITHOUT CONTRAST", accession: "ACC26101807", referring: "Sato^Kenji^^Dr", reading: "Lindqvist^Astrid^^Dr"}
	cr := study{p: obrien, key: "cr", date: "20261120", time: "080500", desc: "XR CHEST PA", accession: "ACC26112003", referring: "Walsh^Aoife^^Dr", reading: "Mensah^Kwame^^Dr"}
	n := 0
	write := func(sub string, ds *dcm.DataSet) error {
		p := filepath.Join(dir, sub)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		ds.Sort()
		if err := dcm.WriteExplicitLE(f, ds, dcm.ExplicitVRLittleEndian); err != nil {
			f.Close()
			return err
		}
		n++
		return f.Close()
	}
	// Phantom CT volume: 40 axial slices, 256x256, Hounsfield units.
	for i := 0; i < 40; i++ {
		ds := base(ct, ctImage, "CT", 1, "AXIAL 5MM", i+1)
		image(ds, 256, 256, 16, 12, true, ctSlice(256, float64(i)/39))
		ds.Set(dcm.Str(dcm.RescaleIntercept, "DS", "-1024"))
		ds.Set(dcm.Str(dcm.RescaleSlope, "DS", "1"))
		ds.Set(dcm.Str(dcm.T(0x0028, 0x1054), "LO", "HU"))
		ds.Set(dcm.Str(dcm.WindowCenter, "DS", `40\-600`))
		ds.Set(dcm.Str(dcm.WindowWidth, "DS", `400\1500`))
		ds.Set(dcm.Str(dcm.T(0x0028, 0x1055), "LO", `ABDOMEN\LUNG`))
		ds.Set(dcm.Str(dcm.ImageType, "CS", `ORIGINAL\PRIMARY\AXIAL`))
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0060), "DS", "120")) // KVP
		geometry(ds, i, 5, 1.2)
		if err := write(fmt.Sprintf("CT/IM%04d.dcm", i+1), ds); err != nil {
			return n, err
		}
	}
	if err := write("CT/SR0001.dcm", report(ct, "CT chest, abdomen and pelvis with contrast.\n\nFindings: No focal liver lesion. Lungs clear. No lymphadenopathy.\n\nImpression: No evidence of metastatic disease.")); err != nil {
		return n, err
	}
	// MR: 20 slices, 256x256.
	for i := 0; i < 20; i++ {
		ds := base(mr, mrImage, "MR", 1, "T2 AXIAL", i+1)
		image(ds, 256, 256, 16, 12, false, mrSlice(256, float64(i)/19))
		ds.Set(dcm.Str(dcm.WindowCenter, "DS", "600"))
		ds.Set(dcm.Str(dcm.WindowWidth, "DS", "1200"))
		ds.Set(dcm.Str(dcm.ImageType, "CS", `ORIGINAL\PRIMARY\M\ND`))
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0020), "CS", "SE"))   // Scanning Sequence
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0021), "CS", "NONE")) // Sequence Variant
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0022), "CS", ""))     // Scan Options
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0023), "CS", "2D"))   // MR Acquisition Type
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0080), "DS", "4000")) // Repetition Time
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0081), "DS", "90"))   // Echo Time
		ds.Set(dcm.Str(dcm.T(0x0018, 0x0091), "IS", "16"))   // Echo Train Length
		geometry(ds, i, 4, 0.9)
		if err := write(fmt.Sprintf("MR/IM%04d.dcm", i+1), ds); err != nil {
			return n, err
		}
	}
	if err := write("MR/SR0001.dcm", report(mr, "MR brain without contrast.\n\nFindings: Normal grey-white differentiation. No mass effect.\n\nImpression: Normal study.")); err != nil {
		return n, err
	}
	// CR chest radiograph, MONOCHROME1 as many CR systems store it.
	ds := base(cr, crImage, "CR", 1, "PA", 1)
	image(ds, 512, 640, 16, 12, false, radiograph(512, 640))
	ds.Set(dcm.Str(dcm.PhotometricInterpretation, "CS", "MONOCHROME1"))
	ds.Set(dcm.Str(dcm.WindowCenter, "DS", "2048"))
	ds.Set(dcm.Str(dcm.WindowWidth, "DS", "4096"))
	ds.Set(dcm.Str(dcm.ImageType, "CS", `ORIGINAL\PRIMARY`))
	ds.Set(dcm.Str(dcm.T(0x0018, 0x5101), "CS", "PA"))
	ds.Set(dcm.Str(dcm.T(0x0018, 0x0015), "CS", "CHEST")) // Body Part Examined
	ds.Delete(dcm.T(0x0020, 0x0060))                      // Laterality: not for a chest
	ds.Set(dcm.Str(dcm.T(0x0028, 0x0030), "DS", `0.35\0.35`))
	if err := write("CR/IM0001.dcm", ds); err != nil {
		return n, err
	}
	return n, nil
}

func base(s study, sopClass, modality string, seriesNo int, seriesDesc string, instance int) *dcm.DataSet {
	ds := &dcm.DataSet{}
	set := func(t dcm.Tag, vr dcm.VR, v string) { ds.Set(dcm.Str(t, vr, v)) }
	set(dcm.SpecificCharacterSet, "CS", s.p.charset)
	set(dcm.SOPClassUID, "UI", sopClass)
	set(dcm.SOPInstanceUID, "UI", UID(fmt.Sprintf("%s/%d/%d/%s", s.key, seriesNo, instance, modality)))
	set(dcm.StudyDate, "DA", s.date)
	set(dcm.SeriesDate, "DA", s.date)
	set(dcm.ContentDate, "DA", s.date)
	set(dcm.StudyTime, "TM", s.time)
	set(dcm.ContentTime, "TM", s.time)
	set(dcm.AccessionNumber, "SH", s.accession)
	set(dcm.Modality, "CS", modality)
	set(dcm.Manufacturer, "LO", "DiscDesk demo generator")
	set(dcm.InstitutionName, "LO", "Riverside Imaging Center")
	set(dcm.InstitutionAddress, "ST", "200 Harbor Street, Springfield, IL 62701, USA")
	set(dcm.ReferringPhysicianName, "PN", s.referring)
	set(dcm.StudyDescription, "LO", s.desc)
	set(dcm.SeriesDescription, "LO", seriesDesc)
	set(dcm.NameOfPhysiciansReadingStudy, "PN", s.reading)
	set(dcm.PatientName, "PN", s.p.name)
	set(dcm.PatientID, "LO", s.p.id)
	set(dcm.IssuerOfPatientID, "LO", "RIVERSIDE")
	set(dcm.PatientBirthDate, "DA", s.p.birth)
	set(dcm.PatientSex, "CS", s.p.sex)
	set(dcm.StudyInstanceUID, "UI", UID(s.key))
	set(dcm.SeriesInstanceUID, "UI", UID(fmt.Sprintf("%s/%d/%s", s.key, seriesNo, modality)))
	set(dcm.StudyID, "SH", strings.ToUpper(s.key)+"1")
	set(dcm.SeriesNumber, "IS", fmt.Sprint(seriesNo))
	set(dcm.InstanceNumber, "IS", fmt.Sprint(instance))
	if modality != "SR" {
		set(dcm.T(0x0018, 0x5100), "CS", "HFS") // Patient Position
		set(dcm.T(0x0020, 0x0060), "CS", "")    // Laterality (paired part: none)
		set(dcm.T(0x0020, 0x0012), "IS", "1")   // Acquisition Number
		set(dcm.T(0x0020, 0x0020), "CS", "")    // Patient Orientation
	}
	return ds
}

func image(ds *dcm.DataSet, rows, cols, alloc, stored int, signed bool, px []int16) {
	ds.Set(dcm.U16(dcm.SamplesPerPixel, 1))
	ds.Set(dcm.Str(dcm.PhotometricInterpretation, "CS", "MONOCHROME2"))
	ds.Set(dcm.U16(dcm.Rows, uint16(rows)))
	ds.Set(dcm.U16(dcm.Columns, uint16(cols)))
	ds.Set(dcm.U16(dcm.BitsAllocated, uint16(alloc)))
	ds.Set(dcm.U16(dcm.BitsStored, uint16(stored)))
	ds.Set(dcm.U16(dcm.HighBit, uint16(stored-1)))
	rep := uint16(0)
	if signed {
		rep = 1
	}
	ds.Set(dcm.U16(dcm.PixelRepresentation, rep))
	b := make([]byte, 2*len(px))
	for i, v := range px {
		b[2*i] = byte(uint16(v))
		b[2*i+1] = byte(uint16(v) >> 8)
	}
	ds.Set(dcm.NewElement(dcm.PixelData, "OW", b))
}

func geometry(ds *dcm.DataSet, i int, thickness, spacing float64) {
	ds.Set(dcm.Str(dcm.T(0x0018, 0x0050), "DS", fmt.Sprint(thickness)))
	ds.Set(dcm.Str(dcm.T(0x0020, 0x0032), "DS", fmt.Sprintf(`-153.6\-153.6\%g`, -float64(i)*thickness)))
	ds.Set(dcm.Str(dcm.T(0x0020, 0x0037), "DS", `1\0\0\0\1\0`))
	ds.Set(dcm.Str(dcm.T(0x0020, 0x1041), "DS", fmt.Sprintf("%g", -float64(i)*thickness)))
	ds.Set(dcm.Str(dcm.T(0x0028, 0x0030), "DS", fmt.Sprintf(`%g\%g`, spacing, spacing)))
	ds.Set(dcm.Str(dcm.T(0x0020, 0x0052), "UI", UID("frame-of-reference/"+ds.String(dcm.StudyInstanceUID))))
	ds.Set(dcm.Str(dcm.T(0x0020, 0x1040), "LO", "")) // Position Reference Indicator
}

type ellipse struct{ cx, cy, a, b, v float64 }

// ctSlice draws a body phantom whose organs change with z in 0..1, stored as
// HU + 1024.
func ctSlice(n int, z float64) []int16 {
	lung := 0.22 * math.Sin(math.Pi*math.Min(1, z*1.6))
	es := []ellipse{
		{0, 0, 0.85, 0.62, 1040},                             // soft tissue body
		{-0.38, -0.05, lung + 0.01, lung * 1.4, -780 - 1040}, // right lung
		{0.38, -0.05, lung + 0.01, lung * 1.4, -780 - 1040},  // left lung
		{0, 0.42, 0.09, 0.09, 700},                           // vertebra
		{0.25 * z, 0.05, 0.25 * z, 0.2 * z, 20},              // liver, growing
		{-0.1, 0.15, 0.05, 0.05, 250},                        // contrast-filled aorta
	}
	out := make([]int16, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			fx, fy := 2*float64(x)/float64(n)-1, 2*float64(y)/float64(n)-1
			hu := -1000.0
			for _, e := range es {
				dx, dy := (fx-e.cx)/e.a, (fy-e.cy)/e.b
				if e.a > 0 && e.b > 0 && dx*dx+dy*dy <= 1 {
					hu += e.v
				}
			}
			hu += 6 * math.Sin(float64(x*7+y*13)) // a little texture
			out[y*n+x] = int16(hu + 1024)
		}
	}
	return out
}

func mrSlice(n int, z float64) []int16 {
	r := 0.75 * math.Sin(math.Pi*(0.15+0.7*z))
	es := []ellipse{
		{0, 0, r, r * 1.2, 700},             // brain
		{0, 0, r * 0.92, r * 1.12, 250},     // grey matter ring
		{0, 0, r * 0.75, r * 0.95, -200},    // white matter
		{-0.12, -0.05, 0.06, 0.22 * r, 900}, // ventricles (bright on T2)
		{0.12, -0.05, 0.06, 0.22 * r, 900},
	}
	out := make([]int16, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			fx, fy := 2*float64(x)/float64(n)-1, 2*float64(y)/float64(n)-1
			v := 20.0
			for _, e := range es {
				dx, dy := (fx-e.cx)/e.a, (fy-e.cy)/e.b
				if e.a > 0 && e.b > 0 && dx*dx+dy*dy <= 1 {
					v += e.v
				}
			}
			out[y*n+x] = int16(v)
		}
	}
	return out
}

// radiograph is a chest-like projection, MONOCHROME1 (high = dark).
func radiograph(rows, cols int) []int16 {
	out := make([]int16, rows*cols)
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			fx, fy := 2*float64(x)/float64(cols)-1, 2*float64(y)/float64(rows)-1
			v := 3600.0 // air: dark
			if fx*fx/0.8+fy*fy/0.95 < 1 {
				v = 1800 // body
				for _, side := range []float64{-0.38, 0.38} {
					dx, dy := (fx-side)/0.27, (fy+0.05)/0.6
					if dx*dx+dy*dy < 1 {
						v = 3000 // lungs: dark
					}
				}
				if math.Abs(fx) < 0.07 {
					v = 900 // spine: bright
				}
				if int((fy+1)*12)%3 == 0 && math.Abs(fx) > 0.1 && math.Abs(fx) < 0.7 {
					v -= 500 // ribs
				}
			}
			out[y*cols+x] = int16(v)
		}
	}
	return out
}

func code(value, scheme, meaning string) *dcm.DataSet {
	c := &dcm.DataSet{}
	c.Set(dcm.Str(dcm.T(0x0008, 0x0100), "SH", value))
	c.Set(dcm.Str(dcm.T(0x0008, 0x0102), "SH", scheme))
	c.Set(dcm.Str(dcm.T(0x0008, 0x0104), "LO", meaning))
	return c
}

// report is a verified Basic Text SR (PS3.3 A.35.1, TID 2000-like) in the
// study, with the images' patient and study attributes.
func report(s study, text string) *dcm.DataSet {
	ds := base(s, basicTextSR, "SR", 99, "Radiology report", 1)
	ds.Set(dcm.Str(dcm.SeriesInstanceUID, "UI", UID(s.key+"/report-series")))
	ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", UID(s.key+"/report")))
	ds.Set(dcm.Str(dcm.T(0x0040, 0xA040), "CS", "CONTAINER"))
	ds.Set(dcm.Str(dcm.T(0x0040, 0xA050), "CS", "SEPARATE"))
	ds.Set(dcm.Seq(dcm.ConceptNameCodeSequence, code("18748-4", "LN", "Diagnostic Imaging Report")))
	ds.Set(dcm.Str(dcm.CompletionFlag, "CS", "COMPLETE"))
	ds.Set(dcm.Str(dcm.VerificationFlag, "CS", "VERIFIED"))
	obs := &dcm.DataSet{}
	obs.Set(dcm.Str(dcm.T(0x0040, 0xA027), "LO", "Riverside Imaging Center"))
	obs.Set(dcm.Str(dcm.VerificationDateTime, "DT", s.date+"170000"))
	obs.Set(dcm.Str(dcm.T(0x0040, 0xA075), "PN", s.reading))
	obs.Set(dcm.Seq(dcm.T(0x0040, 0xA088))) // Verifying Observer Identification Code Sequence (Type 2, empty)
	ds.Set(dcm.Seq(dcm.T(0x0040, 0xA073), obs))
	ds.Set(dcm.Seq(dcm.T(0x0008, 0x1111))) // Referenced Performed Procedure Step Sequence (Type 2, empty)
	ds.Set(dcm.Seq(dcm.T(0x0040, 0xA372))) // Performed Procedure Code Sequence (Type 2, empty)
	var items []*dcm.DataSet
	for _, para := range strings.Split(text, "\n\n") {
		it := &dcm.DataSet{}
		it.Set(dcm.Str(dcm.T(0x0040, 0xA010), "CS", "CONTAINS"))
		it.Set(dcm.Str(dcm.T(0x0040, 0xA040), "CS", "TEXT"))
		it.Set(dcm.Seq(dcm.ConceptNameCodeSequence, code("121071", "DCM", "Finding")))
		it.Set(dcm.Str(dcm.T(0x0040, 0xA160), "UT", para))
		items = append(items, it)
	}
	ds.Set(dcm.Seq(dcm.T(0x0040, 0xA730), items...))
	return ds
}
