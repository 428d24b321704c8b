package review16_test

import (
	"context"
	"testing"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

// gatedFactors is the Factors role of a memstore whose reads and creations
// can be held at a gate, so that two requests race every time.
type gatedFactors struct {
	inner        store.Factors
	read, create *gate
}

func (g gatedFactors) ConfirmFactor(ctx context.Context, accountID, id string, step int64, at time.Time) error {
	return g.inner.ConfirmFactor(ctx, accountID, id, step, at)
}

func (g gatedFactors) AcceptStep(ctx context.Context, accountID, id string, step int64) error {
	return g.inner.AcceptStep(ctx, accountID, id, step)
}

func (g gatedFactors) ResealFactor(ctx context.Context, accountID, id string, old, secret []byte) error {
	return g.inner.ResealFactor(ctx, accountID, id, old, secret)
}

func (g gatedFactors) DeleteFactor(ctx context.Context, accountID, id string) error {
	return g.inner.DeleteFactor(ctx, accountID, id)
}

func (g gatedFactors) Factors(ctx context.Context, accountID string) ([]store.Factor, error) {
	fs, err := g.inner.Factors(ctx, accountID)
	g.read.Wait()
	return fs, err
}

func (g gatedFactors) CreateFactor(ctx context.Context, f store.Factor) error {
	g.create.Wait()
	return g.inner.CreateFactor(ctx, f)
}

func gatedKit(t *testing.T) (*authtest.Kit, gatedFactors) {
	mem := memstore.New()
	gf := gatedFactors{inner: mem, read: newGate(2), create: newGate(2)}
	return mandatory(t, auth.Config{Store: mem, Factors: gf}), gf
}
