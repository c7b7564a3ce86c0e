package dimse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"discdesk/viewer/dcm"
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
// length, as PS3.7 6.3.1 requires, the elements in ascending tag order
// (PS3.5 7.1), written with viewer/dcm's AppendElement into one buffer.
func (c *Command) Encode() []byte {
	b := make([]byte, 12, 12+160+len(c.AffectedSOPClass)+len(c.RequestedSOPClass)+len(c.AffectedSOPInstance)+
		len(c.ErrorComment)+len(c.MoveDestination)+len(c.MoveOriginatorAE))
	str := func(t Tag, vr dcm.VR, s string) {
		if s != "" {
			b = dcm.AppendElement(b, implicitLE, t, vr, []byte(s))
		}
	}
	us := func(t Tag, v uint16) {
		b = dcm.AppendElement(b, implicitLE, t, "US", []byte{byte(v), byte(v >> 8)})
	}
	str(tagAffectedSOPClass, "UI", c.AffectedSOPClass)
	str(tagRequestedSOPClass, "UI", c.RequestedSOPClass)
	us(tagCommandField, c.Field)
	if c.IsResponse() {
		us(tagRespondingTo, c.RespondingTo)
	} else {
		us(tagMessageID, c.MessageID)
	}
	str(tagMoveDestination, "AE", c.MoveDestination)
	if !c.IsResponse() {
		switch c.Field {
		case CStoreRQ, CFindRQ, CMoveRQ, CGetRQ:
			us(tagPriority, c.Priority)
		}
	}
	if c.HasData {
		us(tagDataSetType, dataSetPresent)
	} else {
		us(tagDataSetType, dataSetAbsent)
	}
	if c.IsResponse() {
		us(tagStatus, c.Status)
		str(tagErrorComment, "LO", c.ErrorComment)
	}
	str(tagAffectedSOPInstance, "UI", c.AffectedSOPInstance)
	if c.HasCounts {
		us(tagRemaining, c.Remaining)
		us(tagCompleted, c.Completed)
		us(tagFailed, c.Failed)
		us(tagWarning, c.Warning)
	}
	if c.MoveOriginatorAE != "" {
		str(tagMoveOriginatorAE, "AE", c.MoveOriginatorAE)
		us(tagMoveOriginatorID, c.MoveOriginatorID)
	}
	// (0000,0000) Command Group Length, UL: the bytes after it, written
	// into the 12 bytes kept for it.
	var gl [4]byte
	binary.LittleEndian.PutUint32(gl[:], uint32(len(b)-12))
	dcm.AppendElement(b[:0], implicitLE, tagGroupLength, "UL", gl[:])
	return b
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

// DecodeCommand parses a command set (Implicit VR Little Endian, PS3.7
// 6.3.1) with viewer/dcm's Scanner, straight into the Command: nothing is
// allocated per element beyond the strings it keeps.
func DecodeCommand(b []byte) (*Command, error) {
	c := &Command{}
	var hasField, hasType bool
	var last Tag
	s := dcm.NewScanner(b, implicitLE)
	for s.Next() {
		e := s.Element()
		if e.Tag < last {
			return nil, fmt.Errorf("decode command set: %w: at byte %d: tag %v follows %v: elements out of order (PS3.5 7.1)", ErrMalformedData, e.Offset, e.Tag, last)
		}
		last = e.Tag
		str := func() string { return string(bytes.TrimRight(e.Value, "\x00 ")) }
		u16, isU16 := uint16(0), len(e.Value) >= 2
		if isU16 {
			u16 = binary.LittleEndian.Uint16(e.Value)
		}
		// Elements outside group 0000 are not command elements; they are
		// ignored (PS3.7 6.3.1 leaves no room for them, but peers send
		// them), except the Failed SOP Instance UID List.
		switch e.Tag {
		case tagAffectedSOPClass:
			c.AffectedSOPClass = str()
		case tagRequestedSOPClass:
			c.RequestedSOPClass = str()
		case tagAffectedSOPInstance:
			c.AffectedSOPInstance = str()
		case tagErrorComment:
			c.ErrorComment = str()
		case tagMoveDestination:
			c.MoveDestination = str()
		case tagMoveOriginatorAE:
			c.MoveOriginatorAE = str()
		case TagFailedSOPInstanceUIDList:
			c.FailedSOPInstances = SplitValues(string(e.Value))
		}
		if !isU16 {
			continue
		}
		switch e.Tag {
		case tagCommandField:
			c.Field, hasField = u16, true
		case tagMessageID:
			c.MessageID = u16
		case tagRespondingTo:
			c.RespondingTo = u16
		case tagPriority:
			c.Priority = u16
		case tagStatus:
			c.Status = u16
		case tagMoveOriginatorID:
			c.MoveOriginatorID = u16
		case tagDataSetType:
			c.HasData, hasType = u16 != dataSetAbsent, true
		case tagRemaining:
			c.HasCounts, c.Remaining = true, u16
		case tagCompleted:
			c.HasCounts, c.Completed = true, u16
		case tagFailed:
			c.HasCounts, c.Failed = true, u16
		case tagWarning:
			c.HasCounts, c.Warning = true, u16
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("decode command set: %w: %w", ErrMalformedData, err)
	}
	if !hasField {
		return nil, fmt.Errorf("decode command set: %w: no Command Field", ErrMalformedData)
	}
	if !hasType {
		return nil, fmt.Errorf("decode command set: %w: no Command Data Set Type", ErrMalformedData)
	}
	return c, nil
}
