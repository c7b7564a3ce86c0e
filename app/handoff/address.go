package handoff

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An Address is a mailing address split into the parts that are checked
// separately, so an address dictated over the phone is caught while the
// caller is still on the line. Non-US addresses are allowed.
type Address struct {
	Name       string `json:"name,omitempty"`   // addressee line (person or practice)
	Street     string `json:"street"`           // street and number, or PO Box
	Suite      string `json:"suite,omitempty"`  // suite, floor, apartment
	City       string `json:"city"`             // city or town
	Region     string `json:"region,omitempty"` // US state / Canadian province code; free text elsewhere
	PostalCode string `json:"postal_code"`      // ZIP, postcode; may be empty where the country has none
	Country    string `json:"country"`          // ISO 3166-1 alpha-2, e.g. "US"
}

var (
	usZIP      = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	caPostal   = regexp.MustCompile(`^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$`)
	gbPostcode = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$`)
	anyPostal  = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 -]{1,10}[A-Z0-9]$`)
)

// usStates holds USPS codes of states, DC, territories and military post offices.
var usStates = setOf("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI UM AA AE AP")

var caProvinces = setOf("AB BC MB NB NL NS NT NU ON PE QC SK YT")

// countries holds the ISO 3166-1 alpha-2 codes.
var countries = setOf(`AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`)

// countryNames maps the spellings a desk is likely to hear to their codes.
var countryNames = map[string]string{
	"USA": "US", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US", "U.S.A.": "US", "U.S.": "US",
	"CANADA": "CA", "UNITED KINGDOM": "GB", "UK": "GB", "GREAT BRITAIN": "GB", "ENGLAND": "GB",
	"GERMANY": "DE", "DEUTSCHLAND": "DE", "FRANCE": "FR", "MEXICO": "MX", "MÉXICO": "MX", "SPAIN": "ES",
	"ITALY": "IT", "NETHERLANDS": "NL", "SWITZERLAND": "CH", "AUSTRIA": "AT", "IRELAND": "IE",
	"JAPAN": "JP", "CHINA": "CN", "INDIA": "IN", "AUSTRALIA": "AU", "BRAZIL": "BR", "GREECE": "GR",
	"RUSSIA": "RU", "UKRAINE": "UA", "POLAND": "PL", "SWEDEN": "SE", "NORWAY": "NO", "DENMARK": "DK",
}

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// Normalize returns a copy with spaces trimmed and collapsed, the country as
// an upper-case ISO code (country names it knows are mapped; empty means
// US), and US/Canadian regions and postal codes upper-cased.
func (a Address) Normalize() Address {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	a.Name, a.Street, a.Suite, a.City = clean(a.Name), clean(a.Street), clean(a.Suite), clean(a.City)
	a.Region, a.PostalCode = clean(a.Region), strings.ToUpper(clean(a.PostalCode))
	c := strings.ToUpper(clean(a.Country))
	if code, ok := countryNames[c]; ok {
		c = code
	}
	if c == "" {
		c = "US"
	}
	a.Country = c
	if c == "US" || c == "CA" {
		a.Region = strings.ToUpper(strings.TrimSuffix(a.Region, "."))
	}
	return a
}

// Validate checks each part of a normalized address and returns a
// *FieldError wrapping ErrInvalidAddress for the first part that fails.
func (a Address) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fieldErr("address."+field, ErrInvalidAddress, format, args...)
	}
	for field, v := range map[string]string{"name": a.Name, "street": a.Street, "suite": a.Suite, "city": a.City, "region": a.Region, "postal_code": a.PostalCode} {
		if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
			return bad(field, "contains control characters or invalid UTF-8")
		}
		if utf8.RuneCountInString(v) > 80 {
			return bad(field, "longer than 80 characters")
		}
	}
	if !countries[a.Country] {
		return bad("country", "%q is not an ISO 3166 country code", a.Country)
	}
	if a.Street == "" {
		return bad("street", "street and number are required")
	}
	if a.City == "" {
		return bad("city", "city is required")
	}
	if !strings.ContainsFunc(a.City, unicode.IsLetter) {
		return bad("city", "%q has no letters", a.City)
	}
	switch a.Country {
	case "US":
		if !strings.ContainsFunc(a.Street, unicode.IsDigit) {
			return bad("street", "a US street address needs a house number or PO Box number")
		}
		if !usStates[a.Region] {
			return bad("region", "%q is not a US state code", a.Region)
		}
		if !usZIP.MatchString(a.PostalCode) {
			return bad("postal_code", "US ZIP code must be 12345 or 12345-6789, got %q", a.PostalCode)
		}
	case "CA":
		if !caProvinces[a.Region] {
			return bad("region", "%q is not a Canadian province code", a.Region)
		}
		if !caPostal.MatchString(a.PostalCode) {
			return bad("postal_code", "Canadian postal code must look like K1A 0B1, got %q", a.PostalCode)
		}
	case "GB":
		if !gbPostcode.MatchString(a.PostalCode) {
			return bad("postal_code", "UK postcode must look like SW1A 1AA, got %q", a.PostalCode)
		}
	default:
		if a.PostalCode != "" && !anyPostal.MatchString(a.PostalCode) {
			return bad("postal_code", "%q is not a postal code (letters, digits, space, hyphen; 3-12 characters)", a.PostalCode)
		}
	}
	return nil
}

// Lines formats the address for an envelope, one line per element.
func (a Address) Lines() []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	add(a.Name)
	add(a.Street)
	add(a.Suite)
	switch a.Country {
	case "US", "CA", "AU":
		rest := strings.TrimSpace(a.Region + " " + a.PostalCode)
		switch {
		case a.City != "" && rest != "":
			add(a.City + ", " + rest)
		default:
			add(a.City + rest)
		}
	case "GB":
		add(a.City)
		add(a.PostalCode)
	default:
		add(strings.TrimSpace(strings.TrimSpace(a.PostalCode+" "+a.City) + " " + a.Region))
	}
	if a.Country != "US" {
		add(a.Country)
	}
	return out
}

// usLastLine matches "City, ST 12345" and "City ST 12345-6789".
var usLastLine = regexp.MustCompile(`^(.+?),?\s+([A-Za-z]{2})\.?\s+([0-9]{5}(?:-[0-9]{4})?)$`)

// caLastLine matches "Ottawa, ON K1A 0B1".
var caLastLine = regexp.MustCompile(`^(.+?),?\s+([A-Za-z]{2})\.?\s+([A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9])$`)

// ParseAddress splits a free-text address (lines separated by newlines or
// semicolons, as typed or pasted at the desk) into its parts and validates
// it. The last line may name the country; without one the address is read
// as US ("City, ST 12345"). For other countries the line before the country
// is read as "postal-code city" or "city postal-code"; a line between the
// street and that line is the suite.
func ParseAddress(text string) (Address, error) {
	var lines []string
	for _, l := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' || r == '\r' }) {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	var a Address
	if len(lines) > 0 {
		last := strings.ToUpper(strings.TrimSuffix(lines[len(lines)-1], "."))
		if code, ok := countryNames[last]; ok {
			a.Country = code
			lines = lines[:len(lines)-1]
		} else if len(last) == 2 && countries[last] {
			a.Country = last
			lines = lines[:len(lines)-1]
		}
	}
	if len(lines) < 2 {
		return a, fieldErr("address", ErrInvalidAddress, "need at least a street line and a city line")
	}
	if len(lines) > 4 {
		return a, fieldErr("address", ErrInvalidAddress, "too many lines (%d)", len(lines))
	}
	cityLine := lines[len(lines)-1]
	if a.Country == "" || a.Country == "US" || a.Country == "CA" {
		m := usLastLine.FindStringSubmatch(cityLine)
		if a.Country == "CA" {
			m = caLastLine.FindStringSubmatch(cityLine)
		}
		if m == nil {
			return a, fieldErr("address.city", ErrInvalidAddress, "last line %q is not \"City, ST ZIP\"", cityLine)
		}
		a.City, a.Region, a.PostalCode = m[1], m[2], m[3]
	} else {
		f := strings.Fields(cityLine)
		switch {
		case len(f) >= 2 && strings.ContainsFunc(f[0], unicode.IsDigit):
			a.PostalCode, a.City = f[0], strings.Join(f[1:], " ")
		case len(f) >= 2 && strings.ContainsFunc(f[len(f)-1], unicode.IsDigit):
			a.PostalCode, a.City = f[len(f)-1], strings.Join(f[:len(f)-1], " ")
			// UK style: "London SW1A 1AA"
			if len(f) >= 3 && strings.ContainsFunc(f[len(f)-2], unicode.IsDigit) {
				a.PostalCode, a.City = f[len(f)-2]+" "+f[len(f)-1], strings.Join(f[:len(f)-2], " ")
			}
		default:
			a.City = cityLine
		}
	}
	rest := lines[:len(lines)-1]
	if len(rest) == 3 {
		a.Name, rest = rest[0], rest[1:]
	}
	a.Street = rest[0]
	if len(rest) == 2 {
		hasDigit := func(s string) bool { return strings.ContainsFunc(s, unicode.IsDigit) }
		if !hasDigit(rest[0]) && hasDigit(rest[1]) {
			a.Name, a.Street = rest[0], rest[1] // addressee, then street
		} else {
			a.Suite = rest[1]
		}
	}
	a = a.Normalize()
	return a, a.Validate()
}
