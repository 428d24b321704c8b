package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/masuk-id/masuk/store"
)

var _ store.Erasure = (*Store)(nil)

// EraseAccount implements [store.Erasure] in one transaction: one DELETE
// of the account's row, whose foreign keys' ON DELETE CASCADE take its
// credential, factors, recovery codes, devices, passkeys and federated
// identities with it, the
// DELETEs of its tokens and sessions, one DELETE or UPDATE of its events,
// and the INSERT of e. Of concurrent erasures of one account, the second
// DELETE waits for the first's row and then finds none: ErrNotFound.
func (s *Store) EraseAccount(ctx context.Context, id string, mode store.EventErasure, e store.Event) (int64, error) {
	if err := store.CheckErasure(mode, e); err != nil {
		return 0, err
	}
	if !s.text(id) {
		return 0, store.ErrNotFound // never stored
	}
	var eventID int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var realm string
		err := tx.QueryRowContext(ctx, s.q[qEraseAccount], id).Scan(&realm)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q[qVoidTokens], id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q[qDeleteAccountSessions], id); err != nil {
			return err
		}
		if mode == store.EventsDelete {
			_, err = tx.ExecContext(ctx, s.q[qDeleteAccountEvents], realm, id)
		} else {
			_, err = tx.ExecContext(ctx, s.q[qPseudonymiseEvents], realm, id, store.Pseudonym(id))
		}
		if err != nil {
			return err
		}
		eventID, err = s.appendEvent(ctx, tx, e)
		return err
	})
	if err != nil {
		return 0, s.fail(ctx, "EraseAccount", err)
	}
	return eventID, nil
}
