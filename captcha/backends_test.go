package captcha_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/internal/fakerand"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

type challengeStore interface {
	store.Challenges
	store.Attempts
}

// TestServiceOnEveryBackend runs a login form's whole captcha flow (issue,
// serve media, refresh, verify once, expiry) on each backend masuk ships.
func TestServiceOnEveryBackend(t *testing.T) {
	sql := func(t *testing.T, d sqlstore.Dialect) challengeStore {
		var s *sqlstore.Store
		var err error
		if d == sqlstore.SQLite {
			s, err = sqlstore.New(testdb.SQLite(t), sqlstore.Config{Dialect: d})
		} else {
			db, schema := testdb.Postgres(t)
			s, err = sqlstore.New(db, sqlstore.Config{Dialect: d, Schema: schema})
		}
		require.NoError(t, err)
		require.NoError(t, s.Migrate(t.Context()))
		return s
	}
	for name, open := range map[string]func(t *testing.T) challengeStore{
		"memstore": func(*testing.T) challengeStore { return memstore.New() },
		"SQLite":   func(t *testing.T) challengeStore { return sql(t, sqlstore.SQLite) },
		"Postgres": func(t *testing.T) challengeStore { return sql(t, sqlstore.Postgres) },
		"Redis": func(t *testing.T) challengeStore {
			client, prefix := testdb.Redis(t)
			s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
			require.NoError(t, err)
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			gen, err := captcha.NewGenerator(captcha.Config{Rand: fakerand.Repeat(3)})
			require.NoError(t, err)
			now := time.Now().UTC().Truncate(time.Second)
			svc, err := captcha.NewService(captcha.ServiceConfig{Store: st, Generator: gen, TTL: time.Minute, Now: func() time.Time { return now }})
			require.NoError(t, err)
			ctx := context.Background()

			first, err := svc.Issue(ctx, "form", "203.0.113.7")
			require.NoError(t, err)
			img, err := svc.Image(ctx, first.ID)
			require.NoError(t, err)
			require.Equal(t, "\x89PNG", string(img[:4]))
			wav, err := svc.Audio(ctx, first.ID, "id")
			require.NoError(t, err)
			require.Equal(t, "RIFF", string(wav[:4]))

			second, err := svc.Refresh(ctx, first.ID, "form", "203.0.113.7")
			require.NoError(t, err)
			require.ErrorIs(t, svc.Verify(ctx, first.ID, "form", answer), captcha.ErrWrong, "refreshed away")
			require.NoError(t, svc.Verify(ctx, second.ID, "form", answer))
			require.ErrorIs(t, svc.Verify(ctx, second.ID, "form", answer), captcha.ErrWrong, "used once")

			third, err := svc.Issue(ctx, "form", "203.0.113.7")
			require.NoError(t, err)
			now = now.Add(time.Minute)
			require.ErrorIs(t, svc.Verify(ctx, third.ID, "form", answer), captcha.ErrWrong, "expired")
		})
	}
}
