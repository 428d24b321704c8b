package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// loginLimit and addressLimit are the limits of a login's counters under
// lockout's default policy.
var (
	loginLimit   = store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 24 * time.Hour, Lease: 10 * time.Second}
	addressLimit = store.Limit{Threshold: 50, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: time.Hour, Forget: 24 * time.Hour, Lease: 10 * time.Second}
)

// TestSQLiteConcurrentLogins is issue 15, item 3: 1,000 logins at once on
// a SQLite file opened as the portal opens it (sql.Open with SQLiteDSN,
// the pool sized as the package doc recommends) each do what a login does
// to the store, reads and
// writes, and not one gets an error: the store takes its writes one at a
// time itself instead of leaving them to race for SQLite's lock and time
// out. The busy timeout is cut from SQLiteDSN's 5 seconds to 10
// milliseconds, which makes writers that race for the lock fail at once
// (before the store serialized its writes, hundreds of the 1,000 did)
// and shows that none of them waits on SQLite's lock at all.
func TestSQLiteConcurrentLogins(t *testing.T) {
	dsn := sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "portal.db"))
	require.Contains(t, dsn, "busy_timeout(5000)")
	db, err := sql.Open("sqlite", strings.Replace(dsn, "busy_timeout(5000)", "busy_timeout(10)", 1))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	// A pool sized as the package recommends (a few times GOMAXPROCS; 4
	// here, whatever the machine). An unbounded pool under this flood
	// opens hundreds of connections, whose reads can wait on SQLite's
	// few WAL read marks longer than this test's 10 ms busy timeout
	// allows (never the 5 seconds of SQLiteDSN's): a wait for readers, not
	// the writers' race this test is about.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))

	const users, logins = 25, 1000
	accounts := make([]store.Account, users)
	for i := range accounts {
		a, cred := newAccount(fmt.Sprintf("user%02d", i))
		a.Realm = "lpse"
		a.Email = ""
		require.NoError(t, s.CreateAccount(t.Context(), a, &cred))
		accounts[i] = a
	}

	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
		counts = map[string]int{}
	)
	start := make(chan struct{})
	for i := range logins {
		wg.Go(func() {
			<-start
			outcome, err := login(t.Context(), s, accounts[i%users], fmt.Sprintf("198.51.100.%d", i%200), i%3 == 0, t0.Add(time.Duration(i)*time.Millisecond))
			mu.Lock()
			defer mu.Unlock()
			counts[outcome]++
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	close(start)
	wg.Wait()
	t.Logf("outcomes: %v", counts)
	if len(errs) > 0 {
		t.Fatalf("%d of %d logins failed; the first: %v", len(errs), logins, errs[0])
	}
}

// login does to s what a login does: read the account and its
// credential, charge the attempt, record it, and settle it.
func login(ctx context.Context, s *sqlstore.Store, a store.Account, addr string, right bool, at time.Time) (string, error) {
	if _, err := s.AccountByUsername(ctx, a.Realm, a.Username); err != nil {
		return "error", err
	}
	keys := []store.AttemptKey{
		{Key: "pw|a|" + a.Realm + "|" + a.Username, Limit: loginLimit},
		{Key: "pw|ip|" + a.Realm + "|" + addr, Limit: addressLimit},
	}
	tk, err := s.TakeAttempt(ctx, at, keys)
	if err != nil {
		return "error", err
	}
	ev := store.Event{Kind: "login.failed", Realm: a.Realm, AccountID: a.ID, Username: a.Username, Time: at, ClientAddr: addr}
	if !tk.Allowed {
		_, err := s.AppendEvent(ctx, ev)
		return "refused", err
	}
	if _, err := s.CredentialByAccount(ctx, a.ID); err != nil {
		return "error", err
	}
	if right {
		ev.Kind = "login.succeeded"
		if err := s.ClearAttempts(ctx, []string{keys[0].Key}); err != nil {
			return "error", err
		}
		if err := s.ReleaseAttempts(ctx, at, keys[1:]); err != nil {
			return "error", err
		}
		_, err := s.AppendEvent(ctx, ev)
		return "succeeded", err
	}
	if _, err := s.FailAttempt(ctx, at, keys); err != nil {
		return "error", err
	}
	_, err = s.AppendEvent(ctx, ev)
	return "failed", err
}
