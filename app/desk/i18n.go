package desk

// Patient-facing strings of the kiosk, in English and Spanish.
var kioskText = map[string]map[string]string{
	"en": {
		"welcome":  "Welcome. See your images.",
		"code":     "Request code (on your receipt)",
		"birth":    "Your date of birth",
		"year":     "Year",
		"month":    "Month",
		"day":      "Day",
		"open":     "Show my images",
		"nomatch":  "We could not find a request with this code and date of birth. Please check your receipt, or ask at the desk.",
		"locked":   "Too many tries. Please wait a few minutes or ask at the desk.",
		"askstaff": "Please ask at the desk: a staff member needs to check these images before you can see them.",
		"yours":    "Your studies",
		"finish":   "Finish",
		"back":     "Back",
		"other":    "Español",
		"idle":     "For your privacy, the screen clears itself when nobody touches it.",
		"staff":    "Staff",
		"staffpin": "Staff: type your name and PIN to leave the kiosk",
		"leave":    "Leave kiosk",
		"cancel":   "Cancel",
		"wrongpin": "Wrong name or PIN.",
		"noimages": "This study has no images to show.",
		"notfound": "Not available.",
		"series":   "Series",
		"position": "Series %d · image %d of %d",
		"cantshow": "This image cannot be shown.",
		"yourname": "Your name",
	},
	"es": {
		"welcome":  "Bienvenido. Vea sus imágenes.",
		"code":     "Código de solicitud (en su recibo)",
		"birth":    "Su fecha de nacimiento",
		"year":     "Año",
		"month":    "Mes",
		"day":      "Día",
		"open":     "Ver mis imágenes",
		"nomatch":  "No encontramos una solicitud con este código y fecha de nacimiento. Revise su recibo o pregunte en el mostrador.",
		"locked":   "Demasiados intentos. Espere unos minutos o pregunte en el mostrador.",
		"askstaff": "Por favor, pregunte en el mostrador: un miembro del personal debe revisar estas imágenes antes de que pueda verlas.",
		"yours":    "Sus estudios",
		"finish":   "Terminar",
		"back":     "Volver",
		"other":    "English",
		"idle":     "Para su privacidad, la pantalla se borra sola cuando nadie la toca.",
		"staff":    "Personal",
		"staffpin": "Personal: escriba su nombre y PIN para salir del quiosco",
		"leave":    "Salir del quiosco",
		"cancel":   "Cancelar",
		"wrongpin": "Nombre o PIN incorrecto.",
		"noimages": "Este estudio no tiene imágenes para mostrar.",
		"notfound": "No disponible.",
		"series":   "Serie",
		"position": "Serie %d · imagen %d de %d",
		"cantshow": "No se puede mostrar esta imagen.",
		"yourname": "Su nombre",
	},
}

// tr returns the kiosk string key in lang, falling back to English.
func tr(lang, key string) string {
	if s, ok := kioskText[lang][key]; ok {
		return s
	}
	return kioskText["en"][key]
}
