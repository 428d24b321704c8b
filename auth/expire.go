package auth

import (
	"context"
	"errors"

	"github.com/masuk-id/masuk/store"
)

// freeUnconfirmed deletes the accounts that hold the username or email of
// a registration (or of an account a provider's claim makes, see
// createFederated) and have waited for their email confirmation longer than
// Registration.UnconfirmedFor, and reports whether it deleted any: the
// registration may then take their place. The store deletes each only if
// it is still unconfirmed and that old, so a confirmation that lands
// meanwhile wins.
func (a *Authenticator) freeUnconfirmed(ctx context.Context, realm *realmConfig, r Registration, username, email string) bool {
	cutoff := a.now().UTC().Add(-realm.Registration.UnconfirmedFor)
	freed := false
	for i, find := range []func() (store.Account, error){
		func() (store.Account, error) { return a.store.AccountByUsername(ctx, r.Realm, username) },
		func() (store.Account, error) { return a.store.AccountByEmail(ctx, r.Realm, email) },
	} {
		if (i == 0 && username == "") || (i == 1 && email == "") {
			// No name to free (an account a provider makes by a
			// username claim has no address): an empty key must not
			// find some other account.
			continue
		}
		holder, err := find()
		if err != nil || !a.expired(holder) {
			continue
		}
		err = a.store.DeleteAccount(ctx, holder.ID, store.StatePendingConfirmation, cutoff)
		switch {
		case err == nil:
			freed = true
			// The store deleted what it keeps of the account; tokens kept
			// elsewhere (a Redis) go too. An unconfirmed account has no
			// session.
			if a.tokens != nil {
				if err := a.tokens.VoidTokens(ctx, holder.ID); err != nil {
					a.log.ErrorContext(ctx, "masuk: voiding an expired registration's tokens", "account", holder.ID, "error", err)
				}
			}
			ev := a.event(EventExpired, holder.Realm, r.Request)
			ev.AccountID, ev.Username = holder.ID, holder.Username
			a.record(ctx, ev)
		case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
		default:
			a.log.ErrorContext(ctx, "masuk: deleting an expired registration", "account", holder.ID, "error", err)
		}
	}
	return freed
}
