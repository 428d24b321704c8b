package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// EventErasure is what an erasure does with the erased account's events.
// Its zero value is not valid: an erasure says which it does.
type EventErasure uint8

// The ways of erasing an account's events.
const (
	// EventsPseudonymise keeps the account's events for the audit, with
	// AccountID replaced by [Pseudonym] of it and Username, ClientAddr,
	// UserAgent and Details cleared: what happened and when stays, who it
	// was does not.
	EventsPseudonymise EventErasure = iota + 1
	// EventsDelete deletes the account's events.
	EventsDelete
)

// Valid reports whether m is one of the defined ways.
func (m EventErasure) Valid() bool { return m == EventsPseudonymise || m == EventsDelete }

// Pseudonym returns what an erased account's ID becomes in the events an
// erasure keeps: "erased:" and the first 16 hex digits of the SHA-256 of
// the ID. It is the same for every event of one account, so that an
// auditor can still count them, and it does not name the account.
func Pseudonym(accountID string) string {
	sum := sha256.Sum256([]byte(accountID))
	return "erased:" + hex.EncodeToString(sum[:8])
}

// Erasure erases accounts for good, as a data-subject's right to erasure
// (Indonesia's UU 27/2022, the GDPR) requires. It is optional: a store
// that keeps the accounts and the log implements it where it can do it in
// one atomic step.
type Erasure interface {
	// EraseAccount deletes the account, whatever its state, together with
	// its credential and every record the store keeps keyed to it (its
	// factors, recovery codes, remembered devices, passkeys and federated
	// identities, and its tokens and sessions when the store keeps those
	// too), erases its
	// events as mode says, and appends e, the record of the erasure
	// itself, in one atomic step, and returns the ID e was given. The
	// account's username and email are then free for CreateAccount. e is
	// stored as AppendEvent would store it; a caller names the account in
	// it by [Pseudonym], never by its ID or username, and says in its
	// Details who erased it. Events of the account appended concurrently
	// are erased too or appended after. Otherwise it writes nothing and
	// returns ErrNotFound when there is no such account (of concurrent
	// erasures of one account, exactly one succeeds) and ErrInvalid when
	// mode is not valid or e is not an event AppendEvent may store.
	EraseAccount(ctx context.Context, id string, mode EventErasure, e Event) (int64, error)
}

// CheckErasure returns ErrInvalid, wrapped with the reason, when mode or e
// is not what EraseAccount may take, for implementations.
func CheckErasure(mode EventErasure, e Event) error {
	if !mode.Valid() {
		return invalid("event erasure mode is not valid")
	}
	return CheckEvent(e)
}
