package lockout

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
)

// TestRuleDefaults: each zero field of a rule takes its counter's
// default; Pair's, which is off, take the Account counter's.
func TestRuleDefaults(t *testing.T) {
	const lease = 7 * time.Second
	const day = 24 * time.Hour
	account := func(mutate func(*store.Limit)) store.Limit {
		l := store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: day, Forget: day, Lease: lease}
		if mutate != nil {
			mutate(&l)
		}
		return l
	}
	address := store.Limit{Threshold: 50, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: time.Hour, Forget: day, Lease: lease}
	cases := []struct {
		name string
		rule Rule
		def  Rule
		want store.Limit // zero: off
	}{
		{"zero account rule", Rule{}, defaultAccount, account(nil)},
		{"zero address rule", Rule{}, defaultAddress, address},
		{"zero pair rule is off", Rule{}, Rule{}, store.Limit{}},
		{"off", Rule{Off: true, Threshold: 3}, defaultAccount, store.Limit{}},
		{"threshold only", Rule{Threshold: 3}, defaultAccount, account(func(l *store.Limit) { l.Threshold = 3 })},
		{"threshold only, address", Rule{Threshold: 20}, defaultAddress, func() store.Limit { l := address; l.Threshold = 20; return l }()},
		{"threshold only, pair", Rule{Threshold: 3}, Rule{}, account(func(l *store.Limit) { l.Threshold = 3 })},
		{"window only, pair", Rule{Window: time.Hour}, Rule{}, account(func(l *store.Limit) { l.Window = time.Hour })},
		{"window only", Rule{Window: 2 * day}, defaultAccount, account(func(l *store.Limit) { l.Window, l.Forget = 2*day, 2*day })},
		{"lock set: no growth unless MaxLock", Rule{Threshold: 3, Lock: time.Hour}, defaultAccount,
			account(func(l *store.Limit) { l.Threshold, l.LockBase, l.LockMax = 3, time.Hour, time.Hour })},
		{"lock set above the default maximum", Rule{Lock: 2 * time.Hour}, defaultAddress,
			func() store.Limit { l := address; l.LockBase, l.LockMax = 2*time.Hour, 2*time.Hour; return l }()},
		{"max lock only", Rule{MaxLock: 2 * day}, defaultAccount, account(func(l *store.Limit) { l.LockMax, l.Forget = 2*day, 2*day })},
		{"permanent after only", Rule{PermanentAfter: 2}, defaultAccount, account(func(l *store.Limit) { l.PermanentAfter = 2 })},
		{"every field", Rule{Threshold: 10, Window: time.Hour, Lock: time.Minute, MaxLock: time.Hour, PermanentAfter: 3}, defaultAccount,
			store.Limit{Threshold: 10, Window: time.Hour, LockBase: time.Minute, LockMax: time.Hour, PermanentAfter: 3, Forget: day, Lease: lease}},
	}
	for _, c := range cases {
		l, on, err := c.rule.limit(c.def, "Rule", lease)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want != store.Limit{}, on, c.name)
		if on {
			assert.Equal(t, c.want, l, c.name)
			assert.True(t, l.Valid(), c.name)
		}
	}

	for name, r := range map[string]Rule{
		"negative threshold":   {Threshold: -1},
		"threshold 101":        {Threshold: 101},
		"negative window":      {Window: -time.Minute},
		"negative lock":        {Lock: -time.Minute},
		"max below lock":       {Lock: time.Hour, MaxLock: time.Minute},
		"max below default":    {MaxLock: time.Minute},
		"negative permanent":   {PermanentAfter: -1},
		"pair, threshold 1000": {Threshold: 1000},
	} {
		_, _, err := r.limit(defaultAccount, "Rule", lease)
		assert.ErrorIs(t, err, ErrConfig, name)
	}
}
