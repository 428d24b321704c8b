package memstore_test

import (
	"testing"

	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) any { return memstore.New() })
}
