package auth

import (
	"context"
	"sync"
)

// maxBackground bounds the work running after its request returned; beyond
// it, work runs before the request returns, which slows the flood that
// caused it and nothing else.
const maxBackground = 64

// background runs the work of a request whose answer must not depend on
// it: a reset request or a registration answers the same, in the same
// time, whether or not the account exists, so the lookup and the message
// happen after the answer. Close waits for it.
type background struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

func (b *background) init() { b.sem = make(chan struct{}, maxBackground) }

// run runs f with a context that keeps ctx's values but not its
// cancellation (the request ends first).
func (b *background) run(ctx context.Context, f func(ctx context.Context)) {
	ctx = context.WithoutCancel(ctx)
	select {
	case b.sem <- struct{}{}:
		b.wg.Go(func() {
			defer func() { <-b.sem }()
			f(ctx)
		})
	default:
		f(ctx)
	}
}

// Close waits for the messages that requests left to send in the
// background (reset links, activation codes, notices to the owners of
// addresses registered twice). Call it before the program exits, and in
// tests before reading an outbox. The Authenticator stays usable.
func (a *Authenticator) Close() error {
	a.bg.wg.Wait()
	return nil
}
