package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masuk-id/masuk/store"
)

// EventSink receives every event as it is recorded, for a SIEM or a log
// pipeline, beside the activity log the store keeps. masuk hands events
// over from a goroutine of its own, in the order they were recorded, so a
// sink may block (a slow network) without slowing a login: the events
// that find masuk's buffer full are dropped and counted
// (BackgroundStats.EventsDropped), never waited for. An error a sink
// returns is logged, and the next event is delivered all the same.
type EventSink interface {
	Event(ctx context.Context, e store.Event) error
}

// DefaultEventBuffer is how many recorded events wait for a slow sink
// when Config.EventBuffer is zero.
const DefaultEventBuffer = 4096

// sink delivers recorded events to Config.EventSink through a bounded
// buffer.
type sink struct {
	to    EventSink
	queue chan store.Event
	// pending counts the events queued and not yet delivered; idle is
	// broadcast when it reaches zero. Not a WaitGroup: events are queued
	// while Close waits, which a WaitGroup does not allow.
	mu      sync.Mutex
	pending int
	idle    *sync.Cond
	dropped atomic.Int64
}

func (s *sink) init(to EventSink, size int, log func(error)) error {
	if to == nil {
		return nil
	}
	switch {
	case size == 0:
		size = DefaultEventBuffer
	case size < 0 || size > 1<<20:
		return fmt.Errorf("%w: Config.EventBuffer must be 0 to %d", ErrConfig, 1<<20)
	}
	s.to, s.queue = to, make(chan store.Event, size)
	s.idle = sync.NewCond(&s.mu)
	go func() {
		for e := range s.queue {
			ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
			if err := s.deliver(ctx, e); err != nil {
				log(err)
			}
			cancel()
			s.done()
		}
	}()
	return nil
}

// deliver hands one event to the sink, recovering its panic: a bug in a
// host's sink must not take the process down.
func (s *sink) deliver(ctx context.Context, e store.Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("auth: the event sink panicked: %v", v)
		}
	}()
	return s.to.Event(ctx, e)
}

// send queues e for the sink without waiting: a full buffer drops it.
func (s *sink) send(e store.Event) {
	if s.to == nil {
		return
	}
	s.mu.Lock()
	s.pending++
	s.mu.Unlock()
	select {
	case s.queue <- e:
	default:
		s.done()
		s.dropped.Add(1)
	}
}

// done counts one queued event as delivered, or dropped.
func (s *sink) done() {
	s.mu.Lock()
	if s.pending--; s.pending == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// wait blocks until no queued event waits for the sink.
func (s *sink) wait() {
	if s.to == nil {
		return
	}
	s.mu.Lock()
	for s.pending > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// JSONLines returns an EventSink that writes each event to w as one line
// of JSON (the format SIEMs and log shippers read): its id, time (RFC 3339
// with nanoseconds, UTC), kind, realm, account_id, username, client_addr,
// user_agent and details. Writes are serialised; wrap a file or a network
// connection in a bufio.Writer if it is slow, and flush it at exit.
func JSONLines(w io.Writer) EventSink { return &jsonLines{w: w} }

type jsonLines struct {
	mu sync.Mutex
	w  io.Writer
}

// jsonEvent is an event's line.
type jsonEvent struct {
	ID         int64             `json:"id,omitempty"`
	Time       time.Time         `json:"time"`
	Kind       string            `json:"kind"`
	Realm      string            `json:"realm"`
	AccountID  string            `json:"account_id,omitempty"`
	Username   string            `json:"username,omitempty"`
	ClientAddr string            `json:"client_addr,omitempty"`
	UserAgent  string            `json:"user_agent,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
}

func (j *jsonLines) Event(_ context.Context, e store.Event) error {
	line, err := json.Marshal(jsonEvent{
		ID: e.ID, Time: e.Time.UTC(), Kind: e.Kind, Realm: e.Realm, AccountID: e.AccountID, Username: e.Username,
		ClientAddr: e.ClientAddr, UserAgent: e.UserAgent, Details: e.Details,
	})
	if err != nil {
		return fmt.Errorf("auth: event %d as JSON: %w", e.ID, err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.w.Write(line); err != nil {
		return fmt.Errorf("auth: writing event %d: %w", e.ID, err)
	}
	return nil
}
