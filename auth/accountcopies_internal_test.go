package auth

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// writeLog records, in order, the copies' protocol steps and the writes
// that the copying wrappers pass on.
type writeLog struct{ steps []string }

// recordedCopies is a store.AccountCopies that records Begin and End.
type recordedCopies struct {
	store.AccountCopies
	log *writeLog
}

func (c recordedCopies) BeginAccountWrite(_ context.Context, id string) error {
	c.log.steps = append(c.log.steps, "begin "+id)
	return nil
}

func (c recordedCopies) EndAccountWrite(_ context.Context, id string) error {
	c.log.steps = append(c.log.steps, "end "+id)
	return nil
}

// recordedWrites is an account store that records its writes.
type recordedWrites struct {
	store.Accounts
	store.Credentials
	log *writeLog
}

func (r recordedWrites) add(s string) { r.log.steps = append(r.log.steps, s) }

func (r recordedWrites) CreateAccount(context.Context, store.Account, *store.Credential) error {
	r.add("create")
	return nil
}

func (r recordedWrites) SetAccountState(context.Context, string, store.AccountState, store.AccountState, time.Time) error {
	r.add("state")
	return nil
}

func (r recordedWrites) SetEmail(context.Context, string, string, string, time.Time) error {
	r.add("email")
	return nil
}

func (r recordedWrites) SetPhone(context.Context, string, string, string, time.Time) error {
	r.add("phone")
	return nil
}

func (r recordedWrites) DeleteAccount(context.Context, string, store.AccountState, time.Time) error {
	r.add("delete")
	return store.ErrStale
}

func (r recordedWrites) SetCredential(context.Context, store.Credential, string) error {
	r.add("set credential")
	return nil
}

func (r recordedWrites) SwapCredential(_ context.Context, _ string, _ store.Credential, stamp string) error {
	r.add("swap credential " + stamp)
	return nil
}

func (r recordedWrites) AddCredential(_ context.Context, _ store.Credential, stamp string) error {
	r.add("add credential " + stamp)
	return nil
}

func (r recordedWrites) EraseAccount(context.Context, string, store.EventErasure, store.Event) (int64, error) {
	r.add("erase")
	return 7, nil
}

// Each write of an account that a copy holds (its state, email, phone,
// stamp, its deletion and erasure) runs between BeginAccountWrite and
// EndAccountWrite, End even when the write failed; the creation of an
// account, and an upgrade of its hash that keeps its stamp, do not.
func TestCopyingWrappersFollowTheProtocol(t *testing.T) {
	log := new(writeLog)
	inner := recordedWrites{log: log}
	rs := roles{accounts: inner, credentials: inner, erasure: inner, copies: recordedCopies{log: log}}.copying(slog.New(slog.DiscardHandler))
	ctx, cred := t.Context(), store.Credential{AccountID: "a1", Hash: "$h"}
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		call func() error
		want []string
	}{
		{func() error { return rs.accounts.CreateAccount(ctx, store.Account{ID: "a1"}, nil) }, []string{"create"}},
		{func() error {
			return rs.accounts.SetAccountState(ctx, "a1", store.StateActive, store.StateDisabled, at)
		}, []string{"begin a1", "state", "end a1"}},
		{func() error { return rs.accounts.SetEmail(ctx, "a1", "", "x@example.id", at) }, []string{"begin a1", "email", "end a1"}},
		{func() error { return rs.accounts.SetPhone(ctx, "a1", "", "+628123", at) }, []string{"begin a1", "phone", "end a1"}},
		{func() error { return rs.accounts.DeleteAccount(ctx, "a1", store.StatePendingConfirmation, at) }, []string{"begin a1", "delete", "end a1"}},
		{func() error { return rs.credentials.SetCredential(ctx, cred, "s2") }, []string{"begin a1", "set credential", "end a1"}},
		{func() error { return rs.credentials.SwapCredential(ctx, "$old", cred, "s3") }, []string{"begin a1", "swap credential s3", "end a1"}},
		{func() error { return rs.credentials.SwapCredential(ctx, "$old", cred, "") }, []string{"swap credential "}},
		{func() error { return rs.credentials.AddCredential(ctx, cred, "s4") }, []string{"begin a1", "add credential s4", "end a1"}},
		{func() error { return rs.credentials.AddCredential(ctx, cred, "") }, []string{"add credential "}},
		{func() error {
			id, err := rs.erasure.EraseAccount(ctx, "a1", store.EventsDelete, store.Event{})
			if id != 7 {
				t.Errorf("EraseAccount's id through the wrapper: %d", id)
			}
			return err
		}, []string{"begin a1", "erase", "end a1"}},
	} {
		log.steps = nil
		_ = tc.call()
		if !slices.Equal(log.steps, tc.want) {
			t.Errorf("steps %q, want %q", log.steps, tc.want)
		}
	}
}
