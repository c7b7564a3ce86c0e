package dimse

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Command field values (PS3.7 E.1).
const (
	CStoreRQ  uint16 = 0x0001
	CStoreRSP uint16 = 0x8001
	CGetRQ    uint16 = 0x0010
	CGetRSP   uint16 = 0x8010
	CFindRQ   uint16 = 0x0020
	CFindRSP  uint16 = 0x8020
	CMoveRQ   uint16 = 0x0021
	CMoveRSP  uint16 = 0x8021
	CEchoRQ   uint16 = 0x0030
	CEchoRSP  uint16 = 0x8030
	CCancelRQ uint16 = 0x0FFF
)

// Status codes DiscDesk sends or interprets (PS3.7 C, PS3.4 B.2.3, C.4).
const (
	StatusSuccess            uint16 = 0x0000
	StatusPending            uint16 = 0xFF00
	StatusPendingWarning     uint16 = 0xFF01
	StatusCancel             uint16 = 0xFE00
	StatusSOPClassNotSupport uint16 = 0x0122
	StatusOutOfResources     uint16 = 0xA700 // C-STORE: refused, out of resources
	StatusDataSetMismatch    uint16 = 0xA900 // C-STORE: data set does not match SOP class
	StatusCannotUnderstand   uint16 = 0xC000 // C-STORE: error, cannot understand
	StatusWarningSubOps      uint16 = 0xB000 // C-MOVE/C-GET: sub-operations complete, one or more failures
	StatusUnableToProcess    uint16 = 0xC001
)

const (
	tagGroupLength          = Tag(0x00000000)
	tagAffectedSOPClass     = Tag(0x00000002)
	tagRequestedSOPClass    = Tag(0x00000003)
	tagCommandField         = Tag(0x00000100)
	tagMessageID            = Tag(0x00000110)
	tagRespondingTo         = Tag(0x00000120)
	tagMoveDestination      = Tag(0x00000600)
	tagPriority             = Tag(0x00000700)
	tagDataSetType          = Tag(0x00000800)
	tagStatus               = Tag(0x00000900)
	tagErrorComment         = Tag(0x00000902)
	tagAffectedSOPInstance  = Tag(0x00001000)
	tagRequestedSOPInstance = Tag(0x00001001)
	tagRemaining            = Tag(0x00001020)
	tagCompleted            = Tag(0x00001021)
	tagFailed               = Tag(0x00001022)
	tagWarning              = Tag(0x00001023)
	tagMoveOriginatorAE     = Tag(0x00001030)
	tagMoveOriginatorID     = Tag(0x00001031)

	dataSetAbsent  uint16 = 0x0101
	dataSetPresent uint16 = 0x0001
)

// Command is a DIMSE command set (PS3.7 9.3, E.1) with the fields of the
// C-ECHO, C-STORE, C-FIND, C-MOVE and C-GET messages.
type Command struct {
	Field                uint16
	MessageID            uint16 // requests
	RespondingTo         uint16 // responses
	AffectedSOPClass     string
	RequestedSOPClass    string
	AffectedSOPInstance  string
	Priority             uint16 // 0 medium
	HasData              bool
	Status               uint16 // responses
	ErrorComment         string
	MoveDestination      string
	MoveOriginatorAE     string
	MoveOriginatorID     uint16
	HasCounts            bool // sub-operation counts present (C-MOVE/C-GET RSP)
	Remaining, Completed uint16
	Failed, Warning      uint16
	// FailedSOPInstances is Failed SOP Instance UID List (0008,0058) when a
	// peer put it in the command set (Orthanc does in C-GET-RSP); the
	// standard carries it in the response identifier. Not encoded.
	FailedSOPInstances []string
}

// IsResponse reports whether the command field is a response.
func (c *Command) IsResponse() bool { return c.Field&0x8000 != 0 }

// Encode returns the command set in Implicit VR Little Endian with its group
// length, as PS3.7 6.3.1 requires.
func (c *Command) Encode() []byte {
	var es Elements
	str := func(t Tag, vr, s string) {
		if s != "" {
			es.SetString(t, vr, s)
		}
	}
	str(tagAffectedSOPClass, "UI", c.AffectedSOPClass)
	str(tagRequestedSOPClass, "UI", c.RequestedSOPClass)
	es.SetUint16(tagCommandField, c.Field)
	if c.IsResponse() {
		es.SetUint16(tagRespondingTo, c.RespondingTo)
		es.SetUint16(tagStatus, c.Status)
		str(tagErrorComment, "LO", c.ErrorComment)
	} else {
		es.SetUint16(tagMessageID, c.MessageID)
		switch c.Field {
		case CStoreRQ, CFindRQ, CMoveRQ, CGetRQ:
			es.SetUint16(tagPriority, c.Priority)
		}
	}
	str(tagMoveDestination, "AE", c.MoveDestination)
	if c.HasData {
		es.SetUint16(tagDataSetType, dataSetPresent)
	} else {
		es.SetUint16(tagDataSetType, dataSetAbsent)
	}
	str(tagAffectedSOPInstance, "UI", c.AffectedSOPInstance)
	if c.HasCounts {
		es.SetUint16(tagRemaining, c.Remaining)
		es.SetUint16(tagCompleted, c.Completed)
		es.SetUint16(tagFailed, c.Failed)
		es.SetUint16(tagWarning, c.Warning)
	}
	if c.MoveOriginatorAE != "" {
		str(tagMoveOriginatorAE, "AE", c.MoveOriginatorAE)
		es.SetUint16(tagMoveOriginatorID, c.MoveOriginatorID)
	}
	body := es.EncodeImplicit()
	b := make([]byte, 0, 12+len(body))
	b = append(b, 0, 0, 0, 0, 4, 0, 0, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

// TagFailedSOPInstanceUIDList is (0008,0058), the instances a C-MOVE or
// C-GET could not send (PS3.4 C.4.2.1.4, C.4.3.1.4).
const TagFailedSOPInstanceUIDList = Tag(0x00080058)

// SplitValues splits a multi-valued text value at its backslashes (PS3.5
// 6.4), trimming padding and dropping empty values.
func SplitValues(s string) []string {
	var out []string
	for _, v := range strings.Split(s, `\`) {
		if v = strings.Trim(v, "\x00 "); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// DecodeCommand parses a command set (Implicit VR Little Endian).
func DecodeCommand(b []byte) (*Command, error) {
	es, err := DecodeElements(b, false)
	if err != nil {
		return nil, fmt.Errorf("decode command set: %w", err)
	}
	// Elements outside group 0000 are not command elements; they are
	// ignored (PS3.7 6.3.1 leaves no room for them, but peers send them),
	// except the Failed SOP Instance UID List.
	failed := SplitValues(es.String(TagFailedSOPInstanceUIDList))
	field, ok := es.Uint16(tagCommandField)
	if !ok {
		return nil, fmt.Errorf("decode command set: %w: no Command Field", ErrMalformedData)
	}
	c := &Command{
		Field:               field,
		AffectedSOPClass:    es.String(tagAffectedSOPClass),
		RequestedSOPClass:   es.String(tagRequestedSOPClass),
		AffectedSOPInstance: es.String(tagAffectedSOPInstance),
		ErrorComment:        es.String(tagErrorComment),
		MoveDestination:     es.String(tagMoveDestination),
		MoveOriginatorAE:    es.String(tagMoveOriginatorAE),
		FailedSOPInstances:  failed,
	}
	c.MessageID, _ = es.Uint16(tagMessageID)
	c.RespondingTo, _ = es.Uint16(tagRespondingTo)
	c.Priority, _ = es.Uint16(tagPriority)
	c.Status, _ = es.Uint16(tagStatus)
	c.MoveOriginatorID, _ = es.Uint16(tagMoveOriginatorID)
	dst, ok := es.Uint16(tagDataSetType)
	if !ok {
		return nil, fmt.Errorf("decode command set: %w: no Command Data Set Type", ErrMalformedData)
	}
	c.HasData = dst != dataSetAbsent
	if v, ok := es.Uint16(tagRemaining); ok {
		c.HasCounts, c.Remaining = true, v
	}
	if v, ok := es.Uint16(tagCompleted); ok {
		c.HasCounts, c.Completed = true, v
	}
	if v, ok := es.Uint16(tagFailed); ok {
		c.HasCounts, c.Failed = true, v
	}
	if v, ok := es.Uint16(tagWarning); ok {
		c.HasCounts, c.Warning = true, v
	}
	return c, nil
}
