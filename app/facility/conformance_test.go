package facility_test

import (
	"testing"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
)

func TestConformanceBolt(t *testing.T) {
	facilitytest.Run(t, openBolt)
}

func TestConformancePostgreSQL(t *testing.T) {
	srv := sharedServer(t)
	facilitytest.Run(t, func(t *testing.T) facility.Backend {
		return newFacilityDB(t, srv).open(t)
	})
}
