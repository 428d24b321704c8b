package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// The fault tests check that every method fails closed: when the database
// is closed, the context is done or the connection is lost, the method
// returns an *sqlstore.Error whose cause errors.Is can see, does not
// panic, and leaves the records as they were.

// method is one call of a store method on the fixture's account.
type method struct {
	name string
	call func(ctx context.Context, s *sqlstore.Store) error
}

// fixture is a store holding one account with its credential.
type fixture struct {
	s      *sqlstore.Store
	db     *sql.DB
	schema string
	a      store.Account
	c      store.Credential
}

func newFixture(t *testing.T, b backend) fixture {
	t.Helper()
	s, db, schema := b.newStore(t)
	a, c := newAccount("fixture")
	require.NoError(t, s.CreateAccount(t.Context(), a, &c))
	return fixture{s, db, schema, a, c}
}

// writes are the methods that change the fixture's account.
func (f fixture) writes() []method {
	next := store.Credential{AccountID: f.a.ID, Hash: "$argon2id$next", ChangedAt: t0.Add(time.Hour)}
	return []method{
		{"SetAccountState", func(ctx context.Context, s *sqlstore.Store) error {
			return s.SetAccountState(ctx, f.a.ID, store.StateActive, store.StateDisabled, t0.Add(time.Hour))
		}},
		// LinkIdentity is one statement outside a transaction: not the
		// last write, so that the server has its cancel request before
		// the test releases the lock it waits for (pgx returns at the
		// deadline and cancels on another connection).
		{"LinkIdentity", func(ctx context.Context, s *sqlstore.Store) error {
			return s.LinkIdentity(ctx, f.identity())
		}},
		{"SetCredential", func(ctx context.Context, s *sqlstore.Store) error {
			return s.SetCredential(ctx, next, "stamp-next")
		}},
		{"SwapCredential", func(ctx context.Context, s *sqlstore.Store) error {
			return s.SwapCredential(ctx, f.c.Hash, next, "stamp-next")
		}},
		{"CreateFactor", func(ctx context.Context, s *sqlstore.Store) error {
			return s.CreateFactor(ctx, newFactor(f.a.ID, 0))
		}},
		{"RememberDevice", func(ctx context.Context, s *sqlstore.Store) error {
			return s.RememberDevice(ctx, newDevice(f.a.ID, 0))
		}},
	}
}

// methods is every method of the store, each called so that it would
// succeed on a working database.
func (f fixture) methods() []method {
	other, otherCred := newAccount("other")
	return append(f.writes(),
		method{"CreateAccount", func(ctx context.Context, s *sqlstore.Store) error {
			return s.CreateAccount(ctx, other, &otherCred)
		}},
		method{"AccountByID", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.AccountByID(ctx, f.a.ID)
			return err
		}},
		method{"AccountByUsername", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.AccountByUsername(ctx, f.a.Realm, f.a.Username)
			return err
		}},
		method{"AccountByEmail", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.AccountByEmail(ctx, f.a.Realm, f.a.Email)
			return err
		}},
		method{"CredentialByAccount", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.CredentialByAccount(ctx, f.a.ID)
			return err
		}},
		method{"AppendEvent", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.AppendEvent(ctx, store.Event{Kind: "login.failed", Realm: f.a.Realm, AccountID: f.a.ID, Time: t0})
			return err
		}},
		method{"ListEvents", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.ListEvents(ctx, store.EventQuery{Realm: f.a.Realm})
			return err
		}},
		method{"TakeAttempt", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.TakeAttempt(ctx, t0, f.attemptKeys())
			return err
		}},
		method{"FailAttempt", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.FailAttempt(ctx, t0, f.attemptKeys())
			return err
		}},
		method{"ReleaseAttempts", func(ctx context.Context, s *sqlstore.Store) error {
			return s.ReleaseAttempts(ctx, t0, f.attemptKeys())
		}},
		method{"ClearAttempts", func(ctx context.Context, s *sqlstore.Store) error {
			return s.ClearAttempts(ctx, []string{f.attemptKeys()[0].Key})
		}},
		method{"Unlock", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Unlock(ctx, f.attemptKeys()[0].Key)
			return err
		}},
		method{"Counter", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Counter(ctx, t0, f.attemptKeys()[0])
			return err
		}},
		method{"PruneAttempts", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.PruneAttempts(ctx, t0)
			return err
		}},
		method{"CreateChallenge", func(ctx context.Context, s *sqlstore.Store) error {
			return s.CreateChallenge(ctx, newChallenge(time.Minute))
		}},
		method{"Challenge", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Challenge(ctx, "ch-0123456789abcdef", t0)
			return err
		}},
		method{"TakeChallenge", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.TakeChallenge(ctx, "ch-0123456789abcdef", t0)
			return err
		}},
		method{"PruneChallenges", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.PruneChallenges(ctx, t0)
			return err
		}},
		method{"Factors", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Factors(ctx, f.a.ID)
			return err
		}},
		method{"ConfirmFactor", func(ctx context.Context, s *sqlstore.Store) error {
			return s.ConfirmFactor(ctx, f.a.ID, "factor-0123456789abcdef", 1, t0)
		}},
		method{"AcceptStep", func(ctx context.Context, s *sqlstore.Store) error {
			return s.AcceptStep(ctx, f.a.ID, "factor-0123456789abcdef", 1)
		}},
		method{"ResealFactor", func(ctx context.Context, s *sqlstore.Store) error {
			return s.ResealFactor(ctx, f.a.ID, "factor-0123456789abcdef", []byte("old"), []byte("new"))
		}},
		method{"DeleteFactor", func(ctx context.Context, s *sqlstore.Store) error {
			return s.DeleteFactor(ctx, f.a.ID, "factor-0123456789abcdef")
		}},
		method{"SetRecoveryCodes", func(ctx context.Context, s *sqlstore.Store) error {
			return s.SetRecoveryCodes(ctx, f.a.ID, [][]byte{[]byte(randomHex(16))}, t0)
		}},
		method{"UseRecoveryCode", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.UseRecoveryCode(ctx, f.a.ID, []byte(randomHex(16)))
			return err
		}},
		method{"RecoveryCodes", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.RecoveryCodes(ctx, f.a.ID)
			return err
		}},
		method{"Device", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Device(ctx, "device-0123456789abcdef", t0)
			return err
		}},
		method{"Devices", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Devices(ctx, f.a.ID, t0)
			return err
		}},
		method{"ForgetDevice", func(ctx context.Context, s *sqlstore.Store) error {
			return s.ForgetDevice(ctx, f.a.ID, "device-0123456789abcdef")
		}},
		method{"ForgetDevices", func(ctx context.Context, s *sqlstore.Store) error {
			return s.ForgetDevices(ctx, f.a.ID)
		}},
		method{"CreatePasskey", func(ctx context.Context, s *sqlstore.Store) error {
			return s.CreatePasskey(ctx, store.Passkey{ID: []byte("passkey-0123456789"), AccountID: f.a.ID, PublicKey: []byte{1}, CreatedAt: t0})
		}},
		method{"Passkeys", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Passkeys(ctx, f.a.ID)
			return err
		}},
		method{"Passkey", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Passkey(ctx, []byte("passkey-0123456789"))
			return err
		}},
		method{"UsePasskey", func(ctx context.Context, s *sqlstore.Store) error {
			return s.UsePasskey(ctx, store.PasskeyUse{AccountID: f.a.ID, ID: []byte("passkey-0123456789"), From: 0, To: 1, At: t0})
		}},
		method{"RenamePasskey", func(ctx context.Context, s *sqlstore.Store) error {
			return s.RenamePasskey(ctx, f.a.ID, []byte("passkey-0123456789"), "kunci")
		}},
		method{"DeletePasskey", func(ctx context.Context, s *sqlstore.Store) error {
			return s.DeletePasskey(ctx, f.a.ID, []byte("passkey-0123456789"))
		}},
		method{"FederatedIdentity", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.FederatedIdentity(ctx, f.a.Realm, f.identity().Issuer, f.identity().Subject)
			return err
		}},
		method{"FederatedIdentities", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.FederatedIdentities(ctx, f.a.ID)
			return err
		}},
		method{"UseFederatedIdentity", func(ctx context.Context, s *sqlstore.Store) error {
			return s.UseFederatedIdentity(ctx, f.a.Realm, f.identity().Issuer, f.identity().Subject, t0)
		}},
		method{"UnlinkIdentity", func(ctx context.Context, s *sqlstore.Store) error {
			return s.UnlinkIdentity(ctx, f.a.ID, f.identity().Issuer, f.identity().Subject, false)
		}},
		method{"UnlinkIdentity", func(ctx context.Context, s *sqlstore.Store) error {
			return s.UnlinkIdentity(ctx, f.a.ID, f.identity().Issuer, f.identity().Subject, true)
		}},
		method{"PruneDevices", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.PruneDevices(ctx, t0)
			return err
		}},
		method{"IssueToken", func(ctx context.Context, s *sqlstore.Store) error {
			return s.IssueToken(ctx, newToken(f.a.ID), time.Minute)
		}},
		method{"AttemptToken", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.AttemptToken(ctx, store.TokenKey{AccountID: f.a.ID, Purpose: "reset"}, t0)
			return err
		}},
		method{"ConsumeToken", func(ctx context.Context, s *sqlstore.Store) error {
			return s.ConsumeToken(ctx, "token-0123456789abcdef", []byte(randomHex(16)))
		}},
		method{"VoidTokens", func(ctx context.Context, s *sqlstore.Store) error {
			return s.VoidTokens(ctx, f.a.ID, "reset", "activate")
		}},
		method{"PruneTokens", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.PruneTokens(ctx, t0)
			return err
		}},
		method{"CreateSession", func(ctx context.Context, s *sqlstore.Store) error {
			return s.CreateSession(ctx, newSession(f.a, 0))
		}},
		method{"Session", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Session(ctx, "session-0123456789abcdef", t0)
			return err
		}},
		method{"TouchSession", func(ctx context.Context, s *sqlstore.Store) error {
			return s.TouchSession(ctx, "session-0123456789abcdef", t0, t0.Add(time.Hour))
		}},
		method{"Sessions", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.Sessions(ctx, f.a.ID, t0)
			return err
		}},
		method{"DeleteSession", func(ctx context.Context, s *sqlstore.Store) error {
			return s.DeleteSession(ctx, f.a.ID, "session-0123456789abcdef")
		}},
		method{"DeleteSessions", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.DeleteSessions(ctx, f.a.ID, "")
			return err
		}},
		method{"PruneSessions", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.PruneSessions(ctx, t0)
			return err
		}},
		method{"ListAccounts", func(ctx context.Context, s *sqlstore.Store) error {
			_, err := s.ListAccounts(ctx, store.AccountQuery{Realm: f.a.Realm, State: store.StateActive, Search: "fix", After: "a"})
			return err
		}},
		method{"Check", func(ctx context.Context, s *sqlstore.Store) error { return s.Check(ctx) }},
		method{"Migrate", func(ctx context.Context, s *sqlstore.Store) error { return s.Migrate(ctx) }},
	)
}

// identity is a link of the fixture's account to an INApas identity.
func (f fixture) identity() store.FederatedIdentity {
	return store.FederatedIdentity{Realm: f.a.Realm, Issuer: "https://sso.inapas.go.id", Subject: "sub-0123456789", AccountID: f.a.ID, CreatedAt: t0}
}

// attemptKeys are the fixture account's attempt counter and its client
// address's.
func (f fixture) attemptKeys() []store.AttemptKey {
	l := store.Limit{Threshold: 3, Window: time.Minute, LockBase: time.Minute, LockMax: time.Hour, Forget: time.Hour}
	return []store.AttemptKey{{Key: "pw|a|" + f.a.Realm + "|" + f.a.Username, Limit: l}, {Key: "pw|ip|192.0.2.1", Limit: l}}
}

// requireFailedClosed checks that err is an *sqlstore.Error of method m
// whose cause is cause.
func requireFailedClosed(t *testing.T, m method, err, cause error) {
	t.Helper()
	var e *sqlstore.Error
	require.ErrorAs(t, err, &e, m.name)
	assert.Equal(t, m.name, e.Op)
	assert.True(t, strings.HasPrefix(err.Error(), "sqlstore: "+m.name+": "), "message %q", err)
	if cause != nil {
		require.ErrorIs(t, err, cause, m.name)
	}
}

// requireUnchanged checks that the fixture's records are as they were
// created and that nothing else was written to its realm.
func (f fixture) requireUnchanged(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	a, err := f.s.AccountByID(ctx, f.a.ID)
	require.NoError(t, err)
	require.Equal(t, f.a, a, "account")
	c, err := f.s.CredentialByAccount(ctx, f.a.ID)
	require.NoError(t, err)
	require.Equal(t, f.c, c, "credential")
	events, err := f.s.ListEvents(ctx, store.EventQuery{Realm: f.a.Realm})
	require.NoError(t, err)
	require.Empty(t, events, "events")
	for _, k := range f.attemptKeys() {
		c, err := f.s.Counter(ctx, t0, k)
		require.NoError(t, err)
		require.Equal(t, store.Counter{Key: k.Key}, c, "attempt counter")
	}
	require.Empty(t, column[string](t, f.db, "SELECT id FROM "+table(f.schema, "challenges")), "challenges")
	for _, name := range []string{"factors", "recovery_sets", "recovery_codes", "devices", "passkeys", "federated_identities", "tokens", "sessions"} {
		require.Empty(t, column[string](t, f.db, "SELECT account_id FROM "+table(f.schema, name)), name)
	}
}

func TestClosedDatabase(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b)
			require.NoError(t, f.db.Close())
			for _, m := range f.methods() {
				requireFailedClosed(t, m, m.call(t.Context(), f.s), sqlstore.ErrClosed)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			for _, m := range f.methods() {
				requireFailedClosed(t, m, m.call(ctx, f.s), context.Canceled)
			}
			f.requireUnchanged(t)
		})
	}
}

// lockAccount holds, on another connection, a lock that blocks every
// write to the fixture's account until release is called or the test
// ends: on SQLite the database's write lock, on PostgreSQL the account
// row's.
func lockAccount(t *testing.T, b backend, f fixture) (release func()) {
	t.Helper()
	ctx := context.WithoutCancel(t.Context())
	var unlock func() error
	if b.dialect == sqlstore.SQLite {
		conn, err := f.db.Conn(ctx)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		require.NoError(t, err)
		unlock = func() error {
			_, err := conn.ExecContext(ctx, "ROLLBACK")
			return errors.Join(err, conn.Close())
		}
	} else {
		tx, err := f.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, "SELECT 1 FROM "+table(f.schema, "accounts")+" WHERE id = $1 FOR UPDATE", f.a.ID)
		require.NoError(t, err)
		unlock = tx.Rollback
	}
	release = sync.OnceFunc(func() { assert.NoError(t, unlock(), "release the lock") })
	t.Cleanup(release)
	return release
}

// TestDeadlineWhileLocked runs each write while another connection holds
// the lock it needs, until its deadline passes. SetCredential and
// SwapCredential on PostgreSQL have by then written the credential in
// their transaction and wait to write the stamp: the rollback must undo
// the credential too. SQLite does not end its wait for the write lock when
// the context is done, only when the busy timeout runs out, so there the
// test shortens it.
func TestDeadlineWhileLocked(t *testing.T) {
	shortBusy := sqliteBackend
	shortBusy.open = func(t testing.TB) (*sql.DB, string) {
		dsn := sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "masuk.db"))
		short := strings.Replace(dsn, "busy_timeout(5000)", "busy_timeout(300)", 1)
		require.NotEqual(t, dsn, short)
		return testdb.OpenSQLite(t, short), ""
	}
	for _, b := range []backend{shortBusy, postgresBackend} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b)
			release := lockAccount(t, b, f)
			for _, m := range f.writes() {
				ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
				err := m.call(ctx, f.s)
				cancel()
				requireFailedClosed(t, m, err, context.DeadlineExceeded)
			}
			release()
			f.requireUnchanged(t)
		})
	}
}

// TestCreateAccountRollsBack makes the credential's insert fail after the
// account's has succeeded, by dropping the credentials table: the
// account must not be left behind.
func TestCreateAccountRollsBack(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			_, err := db.ExecContext(t.Context(), "DROP TABLE "+table(schema, "credentials"))
			require.NoError(t, err)
			a, c := newAccount("rollback")
			err = s.CreateAccount(t.Context(), a, &c)
			requireFailedClosed(t, method{name: "CreateAccount"}, err, nil)
			_, err = s.AccountByID(t.Context(), a.ID)
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = s.AccountByUsername(t.Context(), a.Realm, a.Username)
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
}

// TestLostConnection terminates, on the server, the connection of a
// SetCredential that waits for a row lock after writing the credential:
// the call fails with the server's error and writes nothing, and the pool
// replaces the connection for the next call.
func TestLostConnection(t *testing.T) {
	b := postgresBackend
	f := newFixture(t, b)
	release := lockAccount(t, b, f)
	done := make(chan error, 1)
	go func() {
		done <- f.s.SetCredential(t.Context(), store.Credential{AccountID: f.a.ID, Hash: "$argon2id$lost", ChangedAt: t0}, "stamp-lost")
	}()
	var pid int
	require.Eventually(t, func() bool {
		err := f.db.QueryRowContext(t.Context(), `SELECT pid FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`,
			f.schema+`".`+sqlstore.DefaultTablePrefix+"accounts SET security_stamp").Scan(&pid)
		return err == nil
	}, 5*time.Second, 10*time.Millisecond, "SetCredential never waited for the lock")
	_, err := f.db.ExecContext(t.Context(), `SELECT pg_terminate_backend($1)`, pid)
	require.NoError(t, err)
	err = <-done
	t.Logf("SetCredential on a terminated connection: %v", err)
	requireFailedClosed(t, method{name: "SetCredential"}, err, nil)
	var state interface{ SQLState() string }
	require.ErrorAs(t, err, &state)
	assert.Equal(t, "57P01", state.SQLState(), "admin_shutdown")
	release()
	f.requireUnchanged(t)
}
