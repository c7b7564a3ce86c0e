package study

import (
	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
)

// Tags of the geometry modules (PS3.3 C.7.6.2, C.7.6.2.1.1) and the
// functional groups of enhanced multi-frame images (C.7.6.16).
var (
	tagPixelSpacing           = dcm.T(0x0028, 0x0030)
	tagImagerPixelSpacing     = dcm.T(0x0018, 0x1164)
	tagImageOrientation       = dcm.T(0x0020, 0x0037)
	tagImagePosition          = dcm.T(0x0020, 0x0032)
	tagSliceLocation          = dcm.T(0x0020, 0x1041)
	tagSliceThickness         = dcm.T(0x0018, 0x0050)
	tagSharedFunctionalGroups = dcm.T(0x5200, 0x9229)
	tagPixelMeasures          = dcm.T(0x0028, 0x9110)
	tagPlaneOrientation       = dcm.T(0x0020, 0x9116)
	tagFrameTime              = dcm.T(0x0018, 0x1063)
	tagCineRate               = dcm.T(0x0018, 0x0040)
	// Annotations of the IHE Basic Image Review profile.
	tagInstitutionName      = dcm.T(0x0008, 0x0080)
	tagPatientAge           = dcm.T(0x0010, 0x1010)
	tagLaterality           = dcm.T(0x0020, 0x0060)
	tagImageLaterality      = dcm.T(0x0020, 0x0062)
	tagLossyCompression     = dcm.T(0x0028, 0x2110)
	tagLossyRatio           = dcm.T(0x0028, 0x2112)
	tagLossyMethod          = dcm.T(0x0028, 0x2114)
	tagFrameLaterality      = dcm.T(0x0020, 0x9072)
	tagFrameAnatomySequence = dcm.T(0x0020, 0x9071)
)

// FrameInfo is what the viewer needs to know about one frame besides its
// pixels: how to render it and where it lies.
type FrameInfo struct {
	Instance *Instance
	Frame    int // frame number in the instance, from 0
	Frames   int // frames in the instance
	Desc     *render.Description
	// PixelSpacing is the row and column spacing in mm (PS3.3 10.7.1.3);
	// zero when unknown. Calibrated is false when it came from Imager
	// Pixel Spacing (at the detector, not the patient).
	PixelSpacing [2]float64
	Calibrated   bool
	// Orientation is Image Orientation (Patient): row then column direction
	// cosines; HasOrientation says whether it was present.
	Orientation    [6]float64
	HasOrientation bool
	Position       [3]float64
	HasPosition    bool
	SliceLocation  string
	SliceThickness string
	// FrameTime is the nominal time between frames in ms (0 unknown).
	FrameTime float64
	// Annotations: Institution Name, Patient's Age, laterality (Image
	// Laterality, else Laterality, else the frame anatomy's), and the lossy
	// compression history (PS3.3 C.7.6.1.1.5): Lossy is true when Lossy
	// Image Compression is "01"; Ratio and Method hold their values.
	Institution, PatientAge, Laterality string
	Lossy                               bool
	LossyRatio, LossyMethod             []string
}

// Frame is one decoded frame: little-endian stored samples as
// render.Frame returns them, and its description.
type Frame struct {
	Info *FrameInfo
	Data []byte
}

// infoOf reads the geometry of an image data set.
func infoOf(in *Instance, ds *dcm.DataSet, d *render.Description) *FrameInfo {
	fi := &FrameInfo{Instance: in, Desc: d, Frames: d.NumberOfFrames}
	geo := ds
	if sh := ds.Seq(tagSharedFunctionalGroups); len(sh) > 0 {
		if pm := sh[0].Seq(tagPixelMeasures); len(pm) > 0 && pm[0].Has(tagPixelSpacing) {
			if v := pm[0].Floats(tagPixelSpacing); len(v) == 2 {
				fi.PixelSpacing, fi.Calibrated = [2]float64{v[0], v[1]}, true
			}
		}
		if po := sh[0].Seq(tagPlaneOrientation); len(po) > 0 {
			geo = po[0]
		}
	}
	if fi.PixelSpacing == [2]float64{} {
		if v := ds.Floats(tagPixelSpacing); len(v) == 2 && v[0] > 0 && v[1] > 0 {
			fi.PixelSpacing, fi.Calibrated = [2]float64{v[0], v[1]}, true
		} else if v := ds.Floats(tagImagerPixelSpacing); len(v) == 2 && v[0] > 0 && v[1] > 0 {
			fi.PixelSpacing = [2]float64{v[0], v[1]}
		}
	}
	if v := geo.Floats(tagImageOrientation); len(v) == 6 {
		copy(fi.Orientation[:], v)
		fi.HasOrientation = true
	}
	if v := ds.Floats(tagImagePosition); len(v) == 3 {
		copy(fi.Position[:], v)
		fi.HasPosition = true
	}
	fi.SliceLocation = ds.String(tagSliceLocation)
	fi.SliceThickness = ds.String(tagSliceThickness)
	fi.Institution = ds.String(tagInstitutionName)
	fi.PatientAge = ds.String(tagPatientAge)
	fi.Laterality = ds.String(tagImageLaterality)
	if fi.Laterality == "" {
		fi.Laterality = ds.String(tagLaterality)
	}
	if sh := ds.Seq(tagSharedFunctionalGroups); fi.Laterality == "" && len(sh) > 0 {
		if fa := sh[0].Seq(tagFrameAnatomySequence); len(fa) > 0 {
			fi.Laterality = fa[0].String(tagFrameLaterality)
		}
	}
	fi.Lossy = ds.String(tagLossyCompression) == "01"
	fi.LossyRatio = ds.Strings(tagLossyRatio)
	fi.LossyMethod = ds.Strings(tagLossyMethod)
	if v, ok := ds.Float(tagFrameTime); ok && v > 0 {
		fi.FrameTime = v
	} else if v, ok := ds.Float(tagCineRate); ok && v > 0 {
		fi.FrameTime = 1000 / v
	}
	return fi
}

// OrientationLabels returns the patient-direction letters shown at the
// left, right, top and bottom edges of an image with Image Orientation
// (Patient) o (PS3.3 C.7.6.2.1.1: x towards the patient's left, y towards
// posterior, z towards head): L/R, A/P, H/F, strongest axis first, axes
// under a third of the strongest left out.
func OrientationLabels(o [6]float64) (left, right, top, bottom string) {
	row := [3]float64{o[0], o[1], o[2]}
	col := [3]float64{o[3], o[4], o[5]}
	neg := func(v [3]float64) [3]float64 { return [3]float64{-v[0], -v[1], -v[2]} }
	return direction(neg(row)), direction(row), direction(neg(col)), direction(col)
}

func direction(v [3]float64) string {
	letters := [3][2]string{{"L", "R"}, {"P", "A"}, {"H", "F"}}
	idx := []int{0, 1, 2}
	mag := func(i int) float64 { return abs64(v[i]) }
	for i := 0; i < 3; i++ {
		for j := i + 1; j < 3; j++ {
			if mag(idx[j]) > mag(idx[i]) {
				idx[i], idx[j] = idx[j], idx[i]
			}
		}
	}
	var s string
	for _, i := range idx {
		if mag(i) < 0.0001 || mag(i) < mag(idx[0])/3 {
			continue
		}
		if v[i] > 0 {
			s += letters[i][0]
		} else {
			s += letters[i][1]
		}
	}
	return s
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
