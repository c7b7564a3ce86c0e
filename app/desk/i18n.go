package desk

import (
	"discdesk/viewer/imageview"
	"discdesk/viewer/srtext"
)

// Patient-facing strings of the kiosk, in English and Spanish.
var kioskText = map[string]map[string]string{
	"en": {
		"welcome":   "Welcome. See your images.",
		"code":      "Request code (on your receipt)",
		"birth":     "Your date of birth",
		"year":      "Year",
		"month":     "Month",
		"day":       "Day",
		"open":      "Show my images",
		"nomatch":   "We could not find a request with this code and date of birth. Please check your receipt, or ask at the desk.",
		"locked":    "Too many tries. Please wait a few minutes or ask at the desk.",
		"askstaff":  "Please ask at the desk: a staff member needs to check these images before you can see them.",
		"yours":     "Your studies",
		"finish":    "Finish",
		"back":      "Back",
		"other":     "Español",
		"idle":      "For your privacy, the screen clears itself when nobody touches it.",
		"staff":     "Staff",
		"staffpin":  "Staff: type your name and PIN to leave the kiosk",
		"leave":     "Leave kiosk",
		"cancel":    "Cancel",
		"wrongpin":  "Wrong name or PIN.",
		"noimages":  "This study has no images to show.",
		"notfound":  "Not available.",
		"series":    "Series",
		"position":  "Series %d · image %d of %d",
		"cantshow":  "This image cannot be shown.",
		"yourname":  "Your name",
		"keyboard":  "Touch a box, then the keys:",
		"delete":    "Delete",
		"clear":     "Clear",
		"next":      "Next box",
		"report":    "Read the report",
		"reporthd":  "Report",
		"images":    "Back to the images",
		"reportpdf": "This report is a PDF document that cannot be shown here. Please ask at the desk for a printed copy.",
		"noreport":  "This study has no report yet.",
	},
	"es": {
		"welcome":   "Bienvenido. Vea sus imágenes.",
		"code":      "Código de solicitud (en su recibo)",
		"birth":     "Su fecha de nacimiento",
		"year":      "Año",
		"month":     "Mes",
		"day":       "Día",
		"open":      "Ver mis imágenes",
		"nomatch":   "No encontramos una solicitud con este código y fecha de nacimiento. Revise su recibo o pregunte en el mostrador.",
		"locked":    "Demasiados intentos. Espere unos minutos o pregunte en el mostrador.",
		"askstaff":  "Por favor, pregunte en el mostrador: un miembro del personal debe revisar estas imágenes antes de que pueda verlas.",
		"yours":     "Sus estudios",
		"finish":    "Terminar",
		"back":      "Volver",
		"other":     "English",
		"idle":      "Para su privacidad, la pantalla se borra sola cuando nadie la toca.",
		"staff":     "Personal",
		"staffpin":  "Personal: escriba su nombre y PIN para salir del quiosco",
		"leave":     "Salir del quiosco",
		"cancel":    "Cancelar",
		"wrongpin":  "Nombre o PIN incorrecto.",
		"noimages":  "Este estudio no tiene imágenes para mostrar.",
		"notfound":  "No disponible.",
		"series":    "Serie",
		"position":  "Serie %d · imagen %d de %d",
		"cantshow":  "No se puede mostrar esta imagen.",
		"yourname":  "Su nombre",
		"keyboard":  "Toque una casilla y luego las teclas:",
		"delete":    "Borrar",
		"clear":     "Vaciar",
		"next":      "Siguiente",
		"report":    "Leer el informe",
		"reporthd":  "Informe",
		"images":    "Volver a las imágenes",
		"reportpdf": "Este informe es un documento PDF que no se puede mostrar aquí. Pida una copia impresa en el mostrador.",
		"noreport":  "Este estudio aún no tiene informe.",
	},
}

// tr returns the kiosk string key in lang, falling back to English.
func tr(lang, key string) string {
	if s, ok := kioskText[lang][key]; ok {
		return s
	}
	return kioskText["en"][key]
}

// kioskOverlay is the viewer overlay a patient reads on the kiosk, as the
// lines of imageview.Words: their name, the study's description and date,
// the series, the image (and frame) of how many, the window's name,
// turning and cine, in their language. A line not named here is not shown:
// the staff's items (patient ID, birth date, sex, accession, institution,
// slice thickness and location, window numbers, the zoom as a scale of
// image pixels, calibration and compression notes, laterality codes) and
// the edge letters, whose abbreviations differ between the languages and
// which the staff explain.
var kioskOverlay = map[string]map[string]string{
	"en": {
		imageview.WordName:                      "%s",
		imageview.WordStudy:                     "%s",
		imageview.WordStudyDate:                 "%s",
		imageview.WordSeries:                    "%s",
		imageview.WordImage:                     "Image %d of %d",
		imageview.WordFrame:                     "Frame %d of %d",
		imageview.WordWindowName:                "Window: %s",
		imageview.WordWindowOwn:                 "as stored in the image",
		imageview.WordWindowSet:                 "adjusted by hand",
		imageview.WordPreset + "CT brain":       "brain",
		imageview.WordPreset + "CT subdural":    "subdural",
		imageview.WordPreset + "CT lung":        "lung",
		imageview.WordPreset + "CT mediastinum": "mediastinum",
		imageview.WordPreset + "CT abdomen":     "abdomen",
		imageview.WordPreset + "CT liver":       "liver",
		imageview.WordPreset + "CT bone":        "bone",
		imageview.WordPreset + "Full range":     "all values",
		imageview.WordPreset + "full range":     "all values",
		imageview.WordRotated:                   "Turned %d°",
		imageview.WordMirroredLR:                "mirrored left to right",
		imageview.WordMirroredTB:                "mirrored top to bottom",
		imageview.WordCine:                      "Playing",
		imageview.WordDistance:                  "%.1f mm",
		imageview.WordPixels:                    "%.1f pixels",
		imageview.WordAngle:                     "%.1f°",
		imageview.WordSecondArm:                 "now drag the second arm",
	},
	"es": {
		imageview.WordName:                      "%s",
		imageview.WordStudy:                     "%s",
		imageview.WordStudyDate:                 "%s",
		imageview.WordSeries:                    "%s",
		imageview.WordImage:                     "Imagen %d de %d",
		imageview.WordFrame:                     "Cuadro %d de %d",
		imageview.WordWindowName:                "Ventana: %s",
		imageview.WordWindowOwn:                 "la guardada en la imagen",
		imageview.WordWindowSet:                 "ajustada a mano",
		imageview.WordPreset + "CT brain":       "cerebro",
		imageview.WordPreset + "CT subdural":    "subdural",
		imageview.WordPreset + "CT lung":        "pulmón",
		imageview.WordPreset + "CT mediastinum": "mediastino",
		imageview.WordPreset + "CT abdomen":     "abdomen",
		imageview.WordPreset + "CT liver":       "hígado",
		imageview.WordPreset + "CT bone":        "hueso",
		imageview.WordPreset + "Full range":     "todos los valores",
		imageview.WordPreset + "full range":     "todos los valores",
		imageview.WordRotated:                   "Girada %d°",
		imageview.WordMirroredLR:                "reflejada de izquierda a derecha",
		imageview.WordMirroredTB:                "reflejada de arriba abajo",
		imageview.WordCine:                      "Reproduciendo",
		imageview.WordDistance:                  "%.1f mm",
		imageview.WordPixels:                    "%.1f píxeles",
		imageview.WordAngle:                     "%.1f°",
		imageview.WordSecondArm:                 "ahora arrastre el segundo brazo",
	},
}

// kioskWords are the overlay's words on the kiosk in lang: kioskOverlay's
// lines, and for an image that cannot be shown the kiosk's own sentence
// (the error's text is the staff's English).
func kioskWords(lang string) imageview.Words {
	lines := kioskOverlay[lang]
	if lines == nil {
		lines = kioskOverlay["en"]
	}
	return func(key string) string {
		if key == imageview.WordError {
			return tr(lang, "cantshow")
		}
		return lines[key]
	}
}

// kioskReportWords frame an SR report on the kiosk (srtext.TextWith); the
// report's content stays as the radiologist wrote it.
var kioskReportWords = map[string]srtext.Words{
	"en": {}, // srtext's English
	"es": {
		Final:       "Informe final",
		Preliminary: "Informe preliminar (incompleto)",
		VerifiedBy:  "verificado por %s",
		ObserverOn:  "%s el %s",
		Verified:    "verificado",
		NotVerified: "todavía no verificado por un radiólogo",
		Dated:       "con fecha %s",
		Image:       "(referencia a una imagen)",
		Composite:   "(referencia a otro objeto)",
		Waveform:    "(referencia a un trazado)",
	},
}
