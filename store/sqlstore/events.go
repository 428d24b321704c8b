package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/masuk-id/masuk/store"
)

// AppendEvent implements [store.Events]. The database assigns the ID
// (bigserial on PostgreSQL, AUTOINCREMENT on SQLite); Details is stored as
// JSON, or NULL when empty.
func (s *Store) AppendEvent(ctx context.Context, e store.Event) (int64, error) {
	if err := store.CheckEvent(e); err != nil {
		return 0, err
	}
	id, err := s.appendEvent(ctx, s.db, e)
	if err != nil {
		return 0, s.fail(ctx, "AppendEvent", err)
	}
	return id, nil
}

// appendEvent inserts e, checked, with q and returns its ID.
func (s *Store) appendEvent(ctx context.Context, q querier, e store.Event) (int64, error) {
	var details any // NULL
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return 0, err
		}
		details = string(b)
	}
	var id int64
	err := q.QueryRowContext(ctx, s.q[qAppendEvent],
		e.Kind, e.Realm, e.AccountID, e.Username, s.timeArg(e.Time),
		e.ClientAddr, e.UserAgent, details).Scan(&id)
	return id, err
}

// ListEvents implements [store.Events].
func (s *Store) ListEvents(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	if q.Realm == "" {
		return nil, fmt.Errorf("sqlstore: event query without a realm: %w", store.ErrInvalid)
	}
	before := q.Before
	if before <= 0 {
		before = math.MaxInt64
	}
	var rows *sql.Rows
	var err error
	if q.AccountID == "" {
		rows, err = s.db.QueryContext(ctx, s.q[qListEvents], q.Realm, before, q.EffectiveLimit())
	} else {
		rows, err = s.db.QueryContext(ctx, s.q[qListAccountEvents], q.Realm, q.AccountID, before, q.EffectiveLimit())
	}
	if err != nil {
		return nil, s.fail(ctx, "ListEvents", err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, s.fail(ctx, "ListEvents", err)
	}
	return events, nil
}

// PruneEvents implements [store.Events] with one DELETE of at most limit
// rows, which the index on the events' time
// (0008_token_bindings_event_time) serves: a caller deletes a large
// backlog in batches, each a short transaction. PostgreSQL's sequence and
// SQLite's AUTOINCREMENT never give an ID again, even the newest one's.
func (s *Store) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit < 1 {
		return 0, store.ErrInvalid
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qPruneEvents], s.timeArg(before), limit))
	if err != nil {
		return 0, s.fail(ctx, "PruneEvents", err)
	}
	return int(n), nil
}

// PruneRealmEvents implements [store.Events] with one DELETE of at most
// limit of the realm's rows. The schema has no index on (realm,
// occurred_at), and adds none: measured on PostgreSQL with 860,000
// events in two realms, the planner took the time index even with that
// one present, its estimate of the realm's old rows far above the few
// there are after the first pruning. So a call reads the index entries
// of every realm's events before before (PostgreSQL, by the time index:
// those a longer retention keeps) or of the realm's events (SQLite, by
// the realm's index); 360,000 such entries took PostgreSQL a tenth of a
// second.
func (s *Store) PruneRealmEvents(ctx context.Context, realm string, before time.Time, limit int) (int, error) {
	if realm == "" || limit < 1 {
		return 0, store.ErrInvalid
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qPruneRealmEvents], realm, s.timeArg(before), limit))
	if err != nil {
		return 0, s.fail(ctx, "PruneRealmEvents", err)
	}
	return int(n), nil
}

func scanEvents(rows *sql.Rows) ([]store.Event, error) {
	defer rows.Close()
	var events []store.Event
	for rows.Next() {
		var e store.Event
		var details sql.NullString
		err := rows.Scan(&e.ID, &e.Kind, &e.Realm, &e.AccountID, &e.Username, utcTime{&e.Time},
			&e.ClientAddr, &e.UserAgent, &details)
		if err != nil {
			return nil, err
		}
		if details.Valid {
			if err := json.Unmarshal([]byte(details.String), &e.Details); err != nil {
				return nil, fmt.Errorf("details of event %d: %w", e.ID, err)
			}
		}
		events = append(events, e)
	}
	return events, rows.Err()
}
