package dimse

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// PDUType is the first byte of every PDU (PS3.8 9.3.1).
type PDUType byte

// The seven PDU types of PS3.8 9.3.
const (
	TypeAssociateRQ PDUType = 0x01
	TypeAssociateAC PDUType = 0x02
	TypeAssociateRJ PDUType = 0x03
	TypePDataTF     PDUType = 0x04
	TypeReleaseRQ   PDUType = 0x05
	TypeReleaseRP   PDUType = 0x06
	TypeAbort       PDUType = 0x07
)

func (t PDUType) String() string {
	switch t {
	case TypeAssociateRQ:
		return "A-ASSOCIATE-RQ"
	case TypeAssociateAC:
		return "A-ASSOCIATE-AC"
	case TypeAssociateRJ:
		return "A-ASSOCIATE-RJ"
	case TypePDataTF:
		return "P-DATA-TF"
	case TypeReleaseRQ:
		return "A-RELEASE-RQ"
	case TypeReleaseRP:
		return "A-RELEASE-RP"
	case TypeAbort:
		return "A-ABORT"
	}
	return fmt.Sprintf("PDU type 0x%02X", byte(t))
}

// ApplicationContext is the DICOM application context name (PS3.7 A.2.1).
const ApplicationContext = "1.2.840.10008.3.1.1.1"

// Item types inside A-ASSOCIATE PDUs (PS3.8 9.3.2-9.3.3, D.3.3).
const (
	itemAppContext   = 0x10
	itemPresCtxRQ    = 0x20
	itemPresCtxAC    = 0x21
	itemAbstract     = 0x30
	itemTransfer     = 0x40
	itemUserInfo     = 0x50
	itemMaxLength    = 0x51
	itemImplClass    = 0x52
	itemAsyncOps     = 0x53
	itemRole         = 0x54
	itemImplVersion  = 0x55
	assocFixedLength = 68 // version, reserved, called, calling, reserved
)

// Presentation context results (PS3.8 9.3.3.2).
const (
	ResultAcceptance             byte = 0
	ResultUserRejection          byte = 1
	ResultNoReason               byte = 2
	ResultAbstractNotSupported   byte = 3
	ResultTransferNotSupported   byte = 4
	presentationResultNotDecided byte = 0xFF
)

// ContextRQ is one proposed presentation context.
type ContextRQ struct {
	ID               byte
	AbstractSyntax   string
	TransferSyntaxes []string
}

// ContextAC is the acceptor's answer for one presentation context.
type ContextAC struct {
	ID             byte
	Result         byte
	TransferSyntax string
}

// RoleSelection is an SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4).
type RoleSelection struct {
	SOPClassUID string
	SCU, SCP    bool
}

// UserInfo holds the user information sub-items DiscDesk uses.
type UserInfo struct {
	MaxPDULength uint32 // 0 = no limit (PS3.8 D.1)
	ImplClassUID string
	ImplVersion  string
	Roles        []RoleSelection
}

// AssociateRQ is an A-ASSOCIATE-RQ PDU (PS3.8 9.3.2).
type AssociateRQ struct {
	ProtocolVersion uint16
	CalledAE        string
	CallingAE       string
	AppContext      string
	Contexts        []ContextRQ
	UserInfo        UserInfo
}

// AssociateAC is an A-ASSOCIATE-AC PDU (PS3.8 9.3.3).
type AssociateAC struct {
	ProtocolVersion uint16
	CalledAE        string
	CallingAE       string
	AppContext      string
	Contexts        []ContextAC
	UserInfo        UserInfo
}

// Reject is an A-ASSOCIATE-RJ PDU (PS3.8 9.3.4).
type Reject struct {
	Result, Source, Reason byte
}

// A-ASSOCIATE-RJ result, source and reason values (PS3.8 Table 9-21).
const (
	RejectPermanent byte = 1
	RejectTransient byte = 2

	SourceServiceUser             byte = 1 // reasons below: ReasonNoReason..ReasonCalledAENotRecognized
	SourceServiceProviderACSE     byte = 2 // reasons: 1 no reason, 2 protocol version not supported
	SourceServiceProviderPresentn byte = 3 // reasons: 1 temporary congestion, 2 local limit exceeded

	ReasonNoReason               byte = 1
	ReasonAppContextNotSupported byte = 2
	ReasonCallingAENotRecognized byte = 3
	ReasonCalledAENotRecognized  byte = 7

	ReasonProtocolVersion    byte = 2 // with SourceServiceProviderACSE
	ReasonTemporaryCongested byte = 1 // with SourceServiceProviderPresentn
	ReasonLocalLimitExceeded byte = 2 // with SourceServiceProviderPresentn
)

// A-ABORT sources and reasons (PS3.8 Table 9-26).
const (
	AbortSourceUser     byte = 0
	AbortSourceProvider byte = 2

	AbortNotSpecified     byte = 0
	AbortUnrecognizedPDU  byte = 1
	AbortUnexpectedPDU    byte = 2
	AbortUnrecognizedParm byte = 4
	AbortUnexpectedParm   byte = 5
	AbortInvalidParmValue byte = 6
)

// readPDU reads one PDU. The body is read into buf when it is large enough;
// a length over limit is refused before anything is allocated.
func readPDU(r io.Reader, limit uint32, buf []byte) (PDUType, []byte, error) {
	var hdr [6]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	t := PDUType(hdr[0])
	n := binary.BigEndian.Uint32(hdr[2:])
	if t < TypeAssociateRQ || t > TypeAbort {
		return t, nil, fmt.Errorf("read PDU: %w: type 0x%02X", ErrUnrecognizedPDU, hdr[0])
	}
	if n > limit {
		return t, nil, fmt.Errorf("read %v: %w: %d bytes, limit %d", t, ErrPDUTooLarge, n, limit)
	}
	if uint32(cap(buf)) >= n {
		buf = buf[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return t, nil, fmt.Errorf("read %v body: %w", t, err)
	}
	return t, buf, nil
}

// appendPDUHeader appends a PDU header with a zero length to be patched by
// finishPDU.
func appendPDUHeader(b []byte, t PDUType) []byte {
	return append(b, byte(t), 0, 0, 0, 0, 0)
}

func finishPDU(b []byte, start int) []byte {
	binary.BigEndian.PutUint32(b[start+2:], uint32(len(b)-start-6))
	return b
}

func appendItem(b []byte, typ byte, value []byte) []byte {
	b = append(b, typ, 0, byte(len(value)>>8), byte(len(value)))
	return append(b, value...)
}

func appendStringItem(b []byte, typ byte, s string) []byte {
	return appendItem(b, typ, []byte(s))
}

func padAE(s string) []byte {
	b := []byte(fmt.Sprintf("%-16s", s))
	return b[:16]
}

func appendFixed(b []byte, version uint16, called, calling string) []byte {
	b = append(b, byte(version>>8), byte(version), 0, 0)
	b = append(b, padAE(called)...)
	b = append(b, padAE(calling)...)
	return append(b, make([]byte, 32)...)
}

func appendUserInfo(b []byte, u UserInfo) []byte {
	var v []byte
	v = appendItem(v, itemMaxLength, binary.BigEndian.AppendUint32(nil, u.MaxPDULength))
	if u.ImplClassUID != "" {
		v = appendStringItem(v, itemImplClass, u.ImplClassUID)
	}
	for _, r := range u.Roles {
		rv := binary.BigEndian.AppendUint16(nil, uint16(len(r.SOPClassUID)))
		rv = append(rv, r.SOPClassUID...)
		rv = append(rv, boolByte(r.SCU), boolByte(r.SCP))
		v = appendItem(v, itemRole, rv)
	}
	if u.ImplVersion != "" {
		v = appendStringItem(v, itemImplVersion, u.ImplVersion)
	}
	return appendItem(b, itemUserInfo, v)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// Encode returns the PDU bytes.
func (rq *AssociateRQ) Encode() []byte {
	b := appendPDUHeader(nil, TypeAssociateRQ)
	b = appendFixed(b, rq.ProtocolVersion, rq.CalledAE, rq.CallingAE)
	b = appendStringItem(b, itemAppContext, rq.AppContext)
	for _, c := range rq.Contexts {
		v := []byte{c.ID, 0, 0, 0}
		v = appendStringItem(v, itemAbstract, c.AbstractSyntax)
		for _, ts := range c.TransferSyntaxes {
			v = appendStringItem(v, itemTransfer, ts)
		}
		b = appendItem(b, itemPresCtxRQ, v)
	}
	b = appendUserInfo(b, rq.UserInfo)
	return finishPDU(b, 0)
}

// Encode returns the PDU bytes.
func (ac *AssociateAC) Encode() []byte {
	b := appendPDUHeader(nil, TypeAssociateAC)
	b = appendFixed(b, ac.ProtocolVersion, ac.CalledAE, ac.CallingAE)
	b = appendStringItem(b, itemAppContext, ac.AppContext)
	for _, c := range ac.Contexts {
		v := []byte{c.ID, 0, c.Result, 0}
		ts := c.TransferSyntax
		if c.Result != ResultAcceptance {
			ts = "" // PS3.8 9.3.3.2: not significant when rejected
		}
		v = appendStringItem(v, itemTransfer, ts)
		b = appendItem(b, itemPresCtxAC, v)
	}
	b = appendUserInfo(b, ac.UserInfo)
	return finishPDU(b, 0)
}

// Encode returns the PDU bytes.
func (rj Reject) Encode() []byte {
	return []byte{byte(TypeAssociateRJ), 0, 0, 0, 0, 4, 0, rj.Result, rj.Source, rj.Reason}
}

func encodeAbort(source, reason byte) []byte {
	return []byte{byte(TypeAbort), 0, 0, 0, 0, 4, 0, 0, source, reason}
}

var (
	releaseRQ = []byte{byte(TypeReleaseRQ), 0, 0, 0, 0, 4, 0, 0, 0, 0}
	releaseRP = []byte{byte(TypeReleaseRP), 0, 0, 0, 0, 4, 0, 0, 0, 0}
)

// item is one variable item: its type and value.
type item struct {
	typ   byte
	value []byte
}

// splitItems splits b into items with 2-byte lengths (PS3.8 9.3.2.x).
func splitItems(b []byte, what string) ([]item, error) {
	var out []item
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%s: %w: %d trailing bytes", what, ErrMalformedPDU, len(b))
		}
		n := int(binary.BigEndian.Uint16(b[2:]))
		if 4+n > len(b) {
			return nil, fmt.Errorf("%s: %w: item 0x%02X length %d runs past %d bytes", what, ErrMalformedPDU, b[0], n, len(b)-4)
		}
		out = append(out, item{b[0], b[4 : 4+n]})
		b = b[4+n:]
	}
	return out, nil
}

// trimUID removes the trailing NUL or space padding some peers send.
func trimUID(b []byte) string { return strings.TrimRight(string(b), "\x00 ") }

func trimAE(b []byte) string { return strings.TrimSpace(strings.TrimRight(string(b), "\x00")) }

type assocCommon struct {
	version         uint16
	called, calling string
	appContext      string
	user            UserInfo
	rest            []item // presentation context items
}

func decodeAssocCommon(body []byte, what string) (*assocCommon, error) {
	if len(body) < assocFixedLength {
		return nil, fmt.Errorf("%s: %w: %d bytes, need %d", what, ErrMalformedPDU, len(body), assocFixedLength)
	}
	c := &assocCommon{
		version: binary.BigEndian.Uint16(body),
		called:  trimAE(body[4:20]),
		calling: trimAE(body[20:36]),
	}
	items, err := splitItems(body[assocFixedLength:], what)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		switch it.typ {
		case itemAppContext:
			c.appContext = trimUID(it.value)
		case itemUserInfo:
			if c.user, err = decodeUserInfo(it.value, what); err != nil {
				return nil, err
			}
		case itemPresCtxRQ, itemPresCtxAC:
			c.rest = append(c.rest, it)
		default:
			return nil, fmt.Errorf("%s: %w: item type 0x%02X", what, ErrMalformedPDU, it.typ)
		}
	}
	if c.appContext == "" {
		return nil, fmt.Errorf("%s: %w: no application context item", what, ErrMalformedPDU)
	}
	return c, nil
}

func decodeUserInfo(b []byte, what string) (UserInfo, error) {
	var u UserInfo
	subs, err := splitItems(b, what+" user information")
	if err != nil {
		return u, err
	}
	for _, s := range subs {
		switch s.typ {
		case itemMaxLength:
			if len(s.value) != 4 {
				return u, fmt.Errorf("%s: %w: maximum length item of %d bytes", what, ErrMalformedPDU, len(s.value))
			}
			u.MaxPDULength = binary.BigEndian.Uint32(s.value)
		case itemImplClass:
			u.ImplClassUID = trimUID(s.value)
		case itemImplVersion:
			u.ImplVersion = strings.TrimSpace(string(s.value))
		case itemRole:
			if len(s.value) < 2 {
				return u, fmt.Errorf("%s: %w: short role selection item", what, ErrMalformedPDU)
			}
			n := int(binary.BigEndian.Uint16(s.value))
			if 2+n+2 != len(s.value) {
				return u, fmt.Errorf("%s: %w: role selection UID length %d in %d bytes", what, ErrMalformedPDU, n, len(s.value))
			}
			u.Roles = append(u.Roles, RoleSelection{
				SOPClassUID: trimUID(s.value[2 : 2+n]),
				SCU:         s.value[2+n] == 1,
				SCP:         s.value[3+n] == 1,
			})
		default:
			// Asynchronous operations window, extended negotiation, user
			// identity: not negotiated (see package doc).
		}
	}
	return u, nil
}

// DecodeAssociateRQ parses the body of an A-ASSOCIATE-RQ PDU (without the
// 6-byte PDU header).
func DecodeAssociateRQ(body []byte) (*AssociateRQ, error) {
	c, err := decodeAssocCommon(body, "A-ASSOCIATE-RQ")
	if err != nil {
		return nil, err
	}
	rq := &AssociateRQ{ProtocolVersion: c.version, CalledAE: c.called, CallingAE: c.calling, AppContext: c.appContext, UserInfo: c.user}
	for _, it := range c.rest {
		if it.typ != itemPresCtxRQ || len(it.value) < 4 {
			return nil, fmt.Errorf("A-ASSOCIATE-RQ: %w: presentation context item 0x%02X of %d bytes", ErrMalformedPDU, it.typ, len(it.value))
		}
		pc := ContextRQ{ID: it.value[0]}
		subs, err := splitItems(it.value[4:], "A-ASSOCIATE-RQ presentation context")
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			switch s.typ {
			case itemAbstract:
				pc.AbstractSyntax = trimUID(s.value)
			case itemTransfer:
				pc.TransferSyntaxes = append(pc.TransferSyntaxes, trimUID(s.value))
			default:
				return nil, fmt.Errorf("A-ASSOCIATE-RQ: %w: sub-item 0x%02X in presentation context %d", ErrMalformedPDU, s.typ, pc.ID)
			}
		}
		if pc.AbstractSyntax == "" || len(pc.TransferSyntaxes) == 0 || pc.ID%2 == 0 {
			return nil, fmt.Errorf("A-ASSOCIATE-RQ: %w: presentation context %d incomplete or even ID", ErrMalformedPDU, pc.ID)
		}
		rq.Contexts = append(rq.Contexts, pc)
	}
	return rq, nil
}

// DecodeAssociateAC parses the body of an A-ASSOCIATE-AC PDU.
func DecodeAssociateAC(body []byte) (*AssociateAC, error) {
	c, err := decodeAssocCommon(body, "A-ASSOCIATE-AC")
	if err != nil {
		return nil, err
	}
	ac := &AssociateAC{ProtocolVersion: c.version, CalledAE: c.called, CallingAE: c.calling, AppContext: c.appContext, UserInfo: c.user}
	for _, it := range c.rest {
		if it.typ != itemPresCtxAC || len(it.value) < 4 {
			return nil, fmt.Errorf("A-ASSOCIATE-AC: %w: presentation context item 0x%02X of %d bytes", ErrMalformedPDU, it.typ, len(it.value))
		}
		pc := ContextAC{ID: it.value[0], Result: it.value[2]}
		subs, err := splitItems(it.value[4:], "A-ASSOCIATE-AC presentation context")
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			if s.typ == itemTransfer {
				pc.TransferSyntax = trimUID(s.value)
			}
		}
		ac.Contexts = append(ac.Contexts, pc)
	}
	return ac, nil
}

// decodeFour parses the 4-byte body of A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and
// A-ABORT PDUs.
func decodeFour(t PDUType, body []byte) ([4]byte, error) {
	var v [4]byte
	if len(body) != 4 {
		return v, fmt.Errorf("%v: %w: body of %d bytes, want 4", t, ErrMalformedPDU, len(body))
	}
	copy(v[:], body)
	return v, nil
}
