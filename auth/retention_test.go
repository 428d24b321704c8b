package auth_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

const day = 24 * time.Hour

// eventAges are the ages, in days, of the events retention tests seed in
// each realm: on both sides of 30, 60, 400 (the default), 365 and 730 days,
// and at each.
var eventAges = []int{1, 29, 30, 31, 59, 60, 61, 364, 365, 366, 399, 400, 401, 729, 730, 731, 3000}

// seedAges appends an event to realm for each of eventAges before now.
func seedAges(t *testing.T, s store.Events, realm string, now time.Time) {
	t.Helper()
	for _, age := range eventAges {
		_, err := s.AppendEvent(t.Context(), store.Event{Kind: "login.succeeded", Realm: realm, Time: now.Add(-time.Duration(age) * day)})
		require.NoError(t, err)
	}
}

// agesLeft returns the ages, in days, of realm's events that seedAges
// left, youngest first.
func agesLeft(t *testing.T, s store.Events, realm string, now time.Time) []int {
	t.Helper()
	ages := []int{}
	q := store.EventQuery{Realm: realm, Limit: 1000}
	for {
		evs, err := s.ListEvents(t.Context(), q)
		require.NoError(t, err)
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if age := now.Sub(e.Time); age >= day && age%day == 0 {
				ages = append(ages, int(age/day))
			}
		}
		q.Before = evs[len(evs)-1].ID
	}
	slices.Sort(ages)
	return ages
}

// upTo returns the ages of eventAges no older than days: those a
// retention of days keeps, the one at its cutoff among them.
func upTo(days int) []int {
	var kept []int
	for _, a := range eventAges {
		if a <= days {
			kept = append(kept, a)
		}
	}
	return kept
}

// Each realm listed in Config.Realms is pruned by its own retention: a
// BPJS portal that keeps two years loses nothing to the partner portal's
// year or to the default; a realm with a negative retention, and a realm
// not listed, lose nothing at all.
func TestRealmEventRetention(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{
			"bpjs":  {Retention: auth.RetentionPolicy{EventsFor: 730 * day}},
			"mitra": {Retention: auth.RetentionPolicy{EventsFor: 365 * day}},
			"arsip": {Retention: auth.RetentionPolicy{EventsFor: -1}},
			"lpse":  {},
		}
	})
	realms := []string{"bpjs", "mitra", "arsip", "lpse", "lain"}
	for _, r := range realms {
		seedAges(t, f.store, r, t0)
	}
	n, err := f.auth.PruneEvents(t.Context())
	require.NoError(t, err)
	want := map[string][]int{
		"bpjs":  upTo(730),
		"mitra": upTo(365),
		"arsip": eventAges,
		"lpse":  upTo(400), // Config.EventRetention's default
		"lain":  eventAges, // not listed: another application's, perhaps
	}
	gone := 0
	for _, r := range realms {
		assert.Equal(t, want[r], agesLeft(t, f.store, r, t0), "events left in %s", r)
		gone += len(eventAges) - len(want[r])
	}
	assert.Equal(t, gone, n, "events PruneEvents counted")

	n, err = f.auth.PruneEvents(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n, "a second pruning at the same time")

	for name, keep := range map[string]time.Duration{"bpjs": 730 * day, "mitra": 365 * day, "arsip": -1, "lpse": auth.DefaultEventRetention} {
		r, err := f.auth.Realm(name)
		require.NoError(t, err)
		assert.Equal(t, keep, r.Retention.EventsFor, "Realm(%q).Retention.EventsFor, resolved", name)
	}
}

// A realm that leaves Retention.EventsFor zero takes Config.Realm's, and
// Config.EventRetention when that is zero too; a realm's own overrides
// both, a negative one included.
func TestRealmEventRetentionDefaults(t *testing.T) {
	for _, c := range []struct {
		name             string
		config, realm    time.Duration
		eventRetention   time.Duration
		realmsNil        bool
		kept, keptInLain []int
	}{
		{name: "Config.Realm's", config: 60 * day, eventRetention: 400 * day, kept: upTo(60), keptInLain: eventAges},
		{name: "Config.EventRetention", eventRetention: 31 * day, kept: upTo(31), keptInLain: eventAges},
		{name: "the realm's own over both", config: 60 * day, realm: 365 * day, eventRetention: 31 * day, kept: upTo(365), keptInLain: eventAges},
		{name: "a negative Config.Realm's", config: -1, eventRetention: 31 * day, kept: eventAges, keptInLain: eventAges},
		{name: "a negative Config.EventRetention", eventRetention: -1, kept: eventAges, keptInLain: eventAges},
		{name: "a realm's own over a negative Config.EventRetention", realm: 60 * day, eventRetention: -1, kept: upTo(60), keptInLain: eventAges},
		// With Config.Realms nil, every realm is Config.Realm, and the
		// whole log is pruned by its retention.
		{name: "Config.Realm's, Realms nil", config: 60 * day, eventRetention: 400 * day, realmsNil: true, kept: upTo(60), keptInLain: upTo(60)},
		{name: "Config.EventRetention, Realms nil", eventRetention: 31 * day, realmsNil: true, kept: upTo(31), keptInLain: upTo(31)},
		{name: "a negative Config.Realm's, Realms nil", config: -1, eventRetention: 31 * day, realmsNil: true, kept: eventAges, keptInLain: eventAges},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, func(cfg *auth.Config) {
				cfg.EventRetention = c.eventRetention
				cfg.Realm.Retention.EventsFor = c.config
				if !c.realmsNil {
					cfg.Realms = map[string]auth.Realm{"lpse": {Retention: auth.RetentionPolicy{EventsFor: c.realm}}}
				}
			})
			seedAges(t, f.store, "lpse", t0)
			seedAges(t, f.store, "lain", t0)
			_, err := f.auth.PruneEvents(t.Context())
			require.NoError(t, err)
			assert.Equal(t, c.kept, agesLeft(t, f.store, "lpse", t0), "events left in the realm")
			assert.Equal(t, c.keptInLain, agesLeft(t, f.store, "lain", t0), "events left in a realm Config.Realms does not list")
		})
	}
}

// New refuses a realm's retention below 30 days, as it does
// Config.EventRetention's, and names where it is.
func TestRealmEventRetentionRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*auth.Config)
		where  string
	}{
		{"a realm's", func(c *auth.Config) {
			c.Realms = map[string]auth.Realm{"mitra": {Retention: auth.RetentionPolicy{EventsFor: 29 * day}}}
		}, `Config.Realms["mitra"]`},
		{"Config.Realm's", func(c *auth.Config) { c.Realm.Retention.EventsFor = time.Hour }, "Config.Realm"},
		{"Config.Realm's, with Realms", func(c *auth.Config) {
			c.Realm.Retention.EventsFor = time.Nanosecond
			c.Realms = map[string]auth.Realm{"mitra": {Retention: auth.RetentionPolicy{EventsFor: 365 * day}}}
		}, "Config.Realm"},
		{"Config.EventRetention, under realms of their own", func(c *auth.Config) {
			c.EventRetention = 29 * day
			c.Realms = map[string]auth.Realm{"mitra": {Retention: auth.RetentionPolicy{EventsFor: 365 * day}}}
		}, "Config.EventRetention"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, cfg := fixtureConfig([]func(*auth.Config){c.mutate})
			_, err := auth.New(cfg)
			require.ErrorIs(t, err, auth.ErrConfig)
			assert.Contains(t, err.Error(), c.where)
			assert.Contains(t, err.Error(), "30 days")
		})
	}
	for _, keep := range []time.Duration{30 * day, -1, -time.Hour} {
		_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
			c.Realms = map[string]auth.Realm{"mitra": {Retention: auth.RetentionPolicy{EventsFor: keep}}}
		}})
		_, err := auth.New(cfg)
		require.NoError(t, err, "a retention of %v", keep)
	}
}

// The pruning in the background, every 1,024 events, applies each realm's
// retention too.
func TestRealmEventRetentionInBackground(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{
			"bpjs":  {Retention: auth.RetentionPolicy{EventsFor: 730 * day}},
			"mitra": {Retention: auth.RetentionPolicy{EventsFor: 365 * day}},
			"arsip": {Retention: auth.RetentionPolicy{EventsFor: -1}},
		}
	})
	f.register(t, "mitra", "budi")
	for _, r := range []string{"bpjs", "mitra", "arsip", "lain"} {
		seedAges(t, f.store, r, t0)
	}
	for range 1024 {
		_, err := f.login(t, "mitra", "budi", goodPassword)
		require.NoError(t, err)
	}
	require.NoError(t, f.auth.Close()) // waits for the pruning
	assert.Equal(t, upTo(730), agesLeft(t, f.store, "bpjs", t0), "events left in bpjs")
	assert.Equal(t, upTo(365), agesLeft(t, f.store, "mitra", t0), "events left in mitra")
	assert.Equal(t, eventAges, agesLeft(t, f.store, "arsip", t0), "events left in arsip, never pruned")
	assert.Equal(t, eventAges, agesLeft(t, f.store, "lain", t0), "events left in a realm not listed")
}

// Only realms with a negative retention: nothing is pruned, in the
// background or by hand, and the store is not asked to.
func TestRealmEventRetentionNever(t *testing.T) {
	s := &pruneCounter{Store: memstore.New()}
	f := newFixture(t, func(c *auth.Config) {
		c.Store = s
		c.EventRetention = 31 * day
		c.Realms = map[string]auth.Realm{"arsip": {Retention: auth.RetentionPolicy{EventsFor: -1}}}
	})
	seedAges(t, s, "arsip", t0)
	n, err := f.auth.PruneEvents(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Zero(t, s.calls, "store prunings")
	assert.Equal(t, eventAges, agesLeft(t, s, "arsip", t0))
}

// A realm whose pruning fails does not keep the others from theirs; the
// error names it.
func TestRealmEventRetentionFailure(t *testing.T) {
	s := &pruneCounter{Store: memstore.New(), failIn: "bpjs"}
	f := newFixture(t, func(c *auth.Config) {
		c.Store = s
		c.Realms = map[string]auth.Realm{
			"bpjs":  {Retention: auth.RetentionPolicy{EventsFor: 730 * day}},
			"mitra": {Retention: auth.RetentionPolicy{EventsFor: 365 * day}},
		}
	})
	seedAges(t, s, "bpjs", t0)
	seedAges(t, s, "mitra", t0)
	n, err := f.auth.PruneEvents(t.Context())
	require.ErrorIs(t, err, errPruneFailed)
	assert.Contains(t, err.Error(), `"bpjs"`)
	assert.Equal(t, len(eventAges)-len(upTo(365)), n, "events pruned in mitra")
	assert.Equal(t, upTo(365), agesLeft(t, s, "mitra", t0))
	assert.Equal(t, eventAges, agesLeft(t, s, "bpjs", t0))
}

var errPruneFailed = errors.New("test: pruning failed")

// pruneCounter counts the store's prunings and fails those of one realm.
type pruneCounter struct {
	*memstore.Store
	failIn string
	calls  int
}

func (s *pruneCounter) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	s.calls++
	return s.Store.PruneEvents(ctx, before, limit)
}

func (s *pruneCounter) PruneRealmEvents(ctx context.Context, realm string, before time.Time, limit int) (int, error) {
	s.calls++
	if realm == s.failIn {
		return 0, errPruneFailed
	}
	return s.Store.PruneRealmEvents(ctx, realm, before, limit)
}
