package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Copies of accounts in sessions: when the session store is apart from
// the account store and keeps copies (store.AccountCopies: redisstore
// beside accounts in SQL), a load reads the session and its account's
// copy in one read of the session store, and only a session without a
// current copy reads the account from its store, and keeps it.
//
// Every account write of the Authenticator goes through the copying
// wrappers below, which follow the copies' protocol: BeginAccountWrite
// before the write (a write that cannot begin is not made: fail closed),
// EndAccountWrite after it, whatever its outcome. The wrappers embed
// nothing, so that a write added to a role does not compile until it is
// wrapped here. CreateAccount is not wrapped: a load finds no account
// before it exists, and keeps no copy of none.

// endWriteTimeout bounds EndAccountWrite, which runs even when the
// write's context ended: until it runs, the account's sessions read the
// account from its store (for at most the store's bound on a write).
const endWriteTimeout = 5 * time.Second

// copyProtocol is the write side of the copies' protocol.
type copyProtocol struct {
	c   store.AccountCopies
	log *slog.Logger
}

// write runs f, a write of the account, inside BeginAccountWrite and
// EndAccountWrite.
func (p copyProtocol) write(ctx context.Context, accountID string, f func() error) error {
	if err := p.c.BeginAccountWrite(ctx, accountID); err != nil {
		return fmt.Errorf("dropping the account's copies in its sessions: %w", err)
	}
	err := f()
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endWriteTimeout)
	defer cancel()
	if e := p.c.EndAccountWrite(ectx, accountID); e != nil {
		p.log.WarnContext(ctx, "masuk: ending an account write in the session store failed: the account's sessions read it from the account store until the store's bound on a write",
			"account", accountID, "error", e)
	}
	return err
}

// copying returns rs with its account writes wrapped in the copies'
// protocol, when it has copies.
func (rs roles) copying(log *slog.Logger) roles {
	if rs.copies == nil {
		return rs
	}
	p := copyProtocol{rs.copies, log}
	w := rs
	w.accounts = copyingAccounts{rs.accounts, p}
	w.credentials = copyingCredentials{rs.credentials, p}
	if rs.erasure != nil {
		w.erasure = copyingErasure{rs.erasure, p}
	}
	return w
}

// copyingAccounts is a store.Accounts whose writes follow the protocol.
type copyingAccounts struct {
	s store.Accounts
	p copyProtocol
}

func (w copyingAccounts) CreateAccount(ctx context.Context, a store.Account, cred *store.Credential) error {
	return w.s.CreateAccount(ctx, a, cred)
}

func (w copyingAccounts) AccountByID(ctx context.Context, id string) (store.Account, error) {
	return w.s.AccountByID(ctx, id)
}

func (w copyingAccounts) AccountByUsername(ctx context.Context, realm, username string) (store.Account, error) {
	return w.s.AccountByUsername(ctx, realm, username)
}

func (w copyingAccounts) AccountByEmail(ctx context.Context, realm, email string) (store.Account, error) {
	return w.s.AccountByEmail(ctx, realm, email)
}

func (w copyingAccounts) SetAccountState(ctx context.Context, id string, from, to store.AccountState, at time.Time) error {
	return w.p.write(ctx, id, func() error { return w.s.SetAccountState(ctx, id, from, to, at) })
}

func (w copyingAccounts) SetEmail(ctx context.Context, id, from, to string, at time.Time) error {
	return w.p.write(ctx, id, func() error { return w.s.SetEmail(ctx, id, from, to, at) })
}

func (w copyingAccounts) SetPhone(ctx context.Context, id, from, to string, at time.Time) error {
	return w.p.write(ctx, id, func() error { return w.s.SetPhone(ctx, id, from, to, at) })
}

func (w copyingAccounts) DeleteAccount(ctx context.Context, id string, state store.AccountState, updatedBefore time.Time) error {
	return w.p.write(ctx, id, func() error { return w.s.DeleteAccount(ctx, id, state, updatedBefore) })
}

// copyingCredentials is a store.Credentials whose writes of a security
// stamp follow the protocol (a copy holds the stamp, not the hash).
type copyingCredentials struct {
	s store.Credentials
	p copyProtocol
}

func (w copyingCredentials) CredentialByAccount(ctx context.Context, accountID string) (store.Credential, error) {
	return w.s.CredentialByAccount(ctx, accountID)
}

func (w copyingCredentials) SetCredential(ctx context.Context, c store.Credential, stamp string) error {
	return w.p.write(ctx, c.AccountID, func() error { return w.s.SetCredential(ctx, c, stamp) })
}

func (w copyingCredentials) SwapCredential(ctx context.Context, oldHash string, c store.Credential, stamp string) error {
	if stamp == "" {
		return w.s.SwapCredential(ctx, oldHash, c, stamp)
	}
	return w.p.write(ctx, c.AccountID, func() error { return w.s.SwapCredential(ctx, oldHash, c, stamp) })
}

func (w copyingCredentials) AddCredential(ctx context.Context, c store.Credential, stamp string) error {
	if stamp == "" {
		return w.s.AddCredential(ctx, c, stamp)
	}
	return w.p.write(ctx, c.AccountID, func() error { return w.s.AddCredential(ctx, c, stamp) })
}

// copyingErasure is a store.Erasure whose erasures follow the protocol.
type copyingErasure struct {
	s store.Erasure
	p copyProtocol
}

func (w copyingErasure) EraseAccount(ctx context.Context, id string, events store.EventErasure, e store.Event) (v int64, err error) {
	err = w.p.write(ctx, id, func() error {
		v, err = w.s.EraseAccount(ctx, id, events, e)
		return err
	})
	return v, err
}

// keptCopy reads the account of session s, which held no current copy,
// and keeps it as the session's copy: the generation is read before the
// account, so that a write that begins after it moves it on and the copy
// is not kept. A failure to keep it costs the next load a read, no more.
func (a *Authenticator) keptCopy(ctx context.Context, c store.AccountCopies, s store.Session, now time.Time) (store.Account, error) {
	gen, gerr := c.CopyGeneration(ctx, s.AccountID)
	acct, err := a.store.AccountByID(ctx, s.AccountID)
	if err = sessionErr(err); err != nil {
		return store.Account{}, err
	}
	if gerr == nil {
		_, gerr = c.KeepCopy(ctx, s.Selector, acct, gen, now)
	}
	if gerr != nil {
		a.log.WarnContext(ctx, "masuk: keeping a copy of a session's account failed; the next load reads it again", "account", s.AccountID, "error", gerr)
	}
	return acct, nil
}
