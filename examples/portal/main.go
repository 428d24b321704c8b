// Command portal is a complete, bilingual login portal built on masuk: the
// project's main example, meant to be read, run and copied from.
//
//	cd examples && go run ./portal    # from the repository's root
//
// It serves http://localhost:8080 with two portals whose accounts are
// separate realms:
//
//   - /lpse/...: an e-procurement (LPSE) portal for companies, whose
//     usernames are NPWPs. Registration sends an activation link, and an
//     operator approves the company before it may log in; a forgotten
//     password is reset by a link; five failures lock for 30 minutes; a
//     device may be remembered for 30 days.
//   - /sapk/...: a civil-servant (MySAPK-like) portal, whose usernames are
//     NIPs. Registration and forgotten passwords use codes sent by email,
//     passwords need a capital letter and a digit, five failures lock for
//     15 minutes, and a device is remembered for 7 days only.
//
// Each is a realm of masuk with its own settings (auth.Realm, see
// portalRealms in app.go): its name, links and helpdesk in the emails it
// sends ("Portal Masuk LPSE", /lpse/atur-sandi), its password policy,
// lockout, registration, activation, reset and second step. What a realm
// leaves zero comes from the defaults every realm shares (realmDefaults).
// Operators are a third realm, whose sessions end after 15 idle minutes
// and whose devices are never remembered.
//
// Both portals show: login with a captcha (image and audio, Indonesian and
// English) after 3 failures and a lock with the time left after 5;
// two-step login by authenticator app (enrolled by QR code), emailed code
// or recovery code, with "remember this device"; password change; the
// active sessions with revoke and "log out everywhere"; the activity
// history; and, for the seeded operator (/operator/masuk, its password is
// printed once at the first start), the accounts by state with approve,
// reject, unlock, forced reset, disable and enable, each recorded with the
// operator and a reason (through masuk's Operator service, which keeps
// operators to the portals' realms). Every page is in Indonesian, or in
// English after the switch at the top, and works without JavaScript, but
// for passkeys, which need the browser's WebAuthn (static/passkey.js).
//
// # Passkeys
//
// Every realm has passkeys as a second factor (added on the security
// page, or at the setup a login requires; renamed and removed there; an
// operator may remove one, with a reason), and SAPK, BPN and BPJS offer
// "log in with a passkey" with no username or password. A passkey is
// bound to the domain of -base-url, by default http://localhost:8080:
// open the portal by that address to use them. With a base URL on an IP
// address (-addr 127.0.0.1:8080), passkeys are off (the log says so), as
// none can be bound to one. The realms share the domain: a browser offers each realm's login
// every passkey it holds for it, and masuk takes only the realm's own.
//
// # Defaults that run anywhere
//
// Accounts, sessions and everything else live in the SQLite file
// masuk-portal.db in the working folder (migrated at start). Email is not
// sent: it is kept in memory and listed at /dev/outbox, so that activation
// links and codes can be followed without a mail server; that page exists
// only while -base-url is http on localhost (any other -base-url requires
// -smtp), and answers only a browser on this machine that names the
// portal localhost, 127.0.0.1 or [::1]. Without -base-url, links are built
// from -addr (-addr 127.0.0.1:9090 gives http://127.0.0.1:9090, -addr
// :9090 http://localhost:9090); an -addr that listens beyond this machine,
// such as 0.0.0.0:8080, needs -base-url. The key that seals authenticator
// secrets is generated at the first start and kept in
// masuk-portal.db.totp-key beside the database.
//
// # Production settings
//
//	-addr 0.0.0.0:8080                 where to listen
//	-base-url https://portal.example.go.id
//	                                   the address people use; links in emails are
//	                                   built from it, never from the Host header
//	                                   (required with an -addr beyond this machine)
//	-postgres / MASUK_POSTGRES         a PostgreSQL DSN instead of SQLite, e.g.
//	                                   postgres://masuk:pw@db.internal/portal
//	-redis / MASUK_REDIS               a Redis address or URL (redis://...) for the
//	                                   lockout counters, captcha challenges, tokens
//	                                   and sessions, shared by every instance
//	-trusted-proxy 10.0.0.0/8          the reverse proxies whose X-Forwarded-For
//	                                   names the client (lockout counts per address)
//	-smtp host:port                    send email through this server (StartTLS;
//	                                   -smtp-tls implicit for port 465) with
//	                                   MASUK_SMTP_USER, MASUK_SMTP_PASSWORD and
//	                                   -smtp-from / MASUK_SMTP_FROM
//	MASUK_KEYRING_KEY                  64 hex digits (32 bytes) that seal the
//	                                   authenticator secrets; keep it in a secret store
//	-breach-api https://api.pwnedpasswords.com
//	                                   refuse new passwords found in data breaches, asking
//	                                   this range API (only 5 hex digits of a SHA-1 leave)
//	-breach-dir /var/lib/pwnedpasswords
//	                                   or a downloaded copy: 00000.txt to FFFFF.txt
//	-breach-fail-closed                while the lookup fails, accept no new password
//	                                   (default: the local rules alone, and a warning logged);
//	                                   the first start then needs an answer too, for the
//	                                   seeded operator's password
//	-metrics-addr localhost:9464       masuk's metrics for Prometheus at /metrics on a
//	                                   listener of its own, never the portal's: logins by
//	                                   realm and outcome, locks, captchas, messages, resets,
//	                                   session loads, hash times and waits, the Go runtime;
//	                                   an address beyond this machine needs
//	                                   MASUK_METRICS_TOKEN (32+ characters), which the
//	                                   scraper sends as "Authorization: Bearer ..."
//	-operator-passkeys                 operators complete their login with a passkey and
//	                                   nothing else (no code, no recovery code, which a
//	                                   phishing page can ask for too); each sets one up at
//	                                   the next login, and should add a second: no operator
//	                                   can remove another's, so one who loses every passkey
//	                                   needs the database. Default: a second factor of their
//	                                   choice, if any
//
// # Masuk dengan INApas
//
//	-inapas-issuer https://...         INApas's issuer (or $MASUK_INAPAS_ISSUER): SAPK,
//	                                   BPJS and BPN offer "Masuk dengan INApas"; register
//	                                   <base-url>/<realm>/inapas/kembali as their
//	                                   redirect URIs, <base-url>/<realm>/masuk?ok=loggedout
//	                                   as the post-logout ones
//	-inapas-client-id ID               the portal's client at INApas ($MASUK_INAPAS_CLIENT_ID)
//	-inapas-key inapas.pem             the client's EC key (private_key_jwt), whose public
//	-inapas-key-id 2026-1              half <base-url>/.well-known/jwks.json serves under
//	                                   this id; or MASUK_INAPAS_SECRET for client_secret_basic
//	-inapas-accept-mfa mfa             INApas's "amr" values that stand in for a realm's
//	                                   second factor (default none)
//
// SAPK and BPJS find accounts by INApas's "nip" and "kpj" claims (which
// INApas's claim list, confirmed at onboarding, must hold) and make them
// for people who have none; BPN links INApas to a signed-in account only.
// See federation.go.
//
// The session cookie is Secure with the __Host- prefix unless -base-url is
// plain http on localhost (see newApp).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/masuk-id/masuk/auth/password/breach"
)

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2) // the flag set has said why
	}
	cfg.Out = os.Stdout
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(cfg); err != nil {
		cfg.Logger.Error("portal: stopped", "error", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line and the environment.
func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", "localhost:8080", "address to listen on")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "the portal's public URL, from which links in emails are built (default http on -addr, when that is this machine only)")
	fs.StringVar(&cfg.SQLite, "db", "masuk-portal.db", "SQLite database file (when -postgres is not set)")
	fs.StringVar(&cfg.Postgres, "postgres", os.Getenv("MASUK_POSTGRES"), "PostgreSQL DSN (default $MASUK_POSTGRES)")
	fs.StringVar(&cfg.Redis, "redis", os.Getenv("MASUK_REDIS"), "Redis address or URL for counters, captchas, tokens and sessions (default $MASUK_REDIS)")
	fs.StringVar(&cfg.SMTP.Addr, "smtp", "", "SMTP server host:port; empty keeps email in the development outbox")
	fs.StringVar(&cfg.SMTP.From, "smtp-from", envOr("MASUK_SMTP_FROM", "Portal Masuk <noreply@localhost>"), "sender address (default $MASUK_SMTP_FROM)")
	fs.StringVar(&cfg.SMTPTLS, "smtp-tls", "starttls", "starttls, implicit, or none (loopback relay only)")
	fs.StringVar(&cfg.SMSGateway, "sms-gateway", os.Getenv("MASUK_SMS_GATEWAY"), "URL of an HTTP SMS gateway taking JSON {\"to\", \"message\"} with the bearer token $MASUK_SMS_TOKEN (default $MASUK_SMS_GATEWAY; empty: SMS stay in the development outbox)")
	fs.StringVar(&cfg.BreachAPI, "breach-api", "", "refuse new passwords found by this Pwned Passwords range API, e.g. "+breach.DefaultBaseURL+" (default: no lookup)")
	fs.StringVar(&cfg.BreachDir, "breach-dir", "", "refuse new passwords found in this directory of downloaded range files (00000.txt to FFFFF.txt)")
	fs.IntVar(&cfg.PasswordMinLength, "password-min-length", 0, "the fewest characters of a new password in every realm (default 8; at least 8)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this address, apart from the portal: this machine only (e.g. localhost:9464) unless $MASUK_METRICS_TOKEN is set, which scrapers send as a bearer token (default: no metrics)")
	fs.BoolVar(&cfg.OperatorPasskeys, "operator-passkeys", false, "operators complete their login with a passkey, and with nothing else (needs a -base-url whose host is a domain)")
	fs.BoolVar(&cfg.BreachFailClosed, "breach-fail-closed", false, "while the breached-password lookup fails, refuse to set any password (default: let passwords through on the local rules, and log)")
	fs.StringVar(&cfg.INApasIssuer, "inapas-issuer", os.Getenv("MASUK_INAPAS_ISSUER"), "INApas's issuer URL: SAPK, BPJS and BPN log in through INApas (default $MASUK_INAPAS_ISSUER; empty: off)")
	fs.StringVar(&cfg.INApasClientID, "inapas-client-id", os.Getenv("MASUK_INAPAS_CLIENT_ID"), "the portal's client ID at INApas (default $MASUK_INAPAS_CLIENT_ID)")
	fs.StringVar(&cfg.INApasKeyFile, "inapas-key", "", "PEM file of the EC private key the portal authenticates to INApas with (private_key_jwt); or $MASUK_INAPAS_SECRET for client_secret_basic")
	fs.StringVar(&cfg.INApasKeyID, "inapas-key-id", "", "the key's id (kid) in the portal's /.well-known/jwks.json")
	fs.Func("inapas-accept-mfa", "comma-separated `amr` values of INApas's ID token that stand in for a realm's own second factor (default: none, the realm asks for its own)", func(v string) error {
		for m := range strings.SplitSeq(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				cfg.INApasAcceptMFA = append(cfg.INApasAcceptMFA, m)
			}
		}
		return nil
	})
	fs.Func("trusted-proxy", "comma-separated `networks` of the reverse proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8", func(v string) error {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				return err
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, pfx)
		}
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.SMTP.Username = os.Getenv("MASUK_SMTP_USER")
	cfg.SMTP.Password = os.Getenv("MASUK_SMTP_PASSWORD")
	cfg.SMSToken = os.Getenv("MASUK_SMS_TOKEN")
	cfg.KeyringHex = os.Getenv("MASUK_KEYRING_KEY")
	cfg.MetricsToken = os.Getenv("MASUK_METRICS_TOKEN")
	cfg.INApasSecret = os.Getenv("MASUK_INAPAS_SECRET")
	return cfg, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// run serves the portal until SIGINT or SIGTERM, then lets requests in
// flight finish, waits for the emails masuk sends in the background, and
// closes the stores.
func run(cfg config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, h, err := newApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	servers := []*http.Server{srv}
	if a.metrics != nil {
		servers = append(servers, &http.Server{
			Addr:              cfg.MetricsAddr,
			Handler:           a.metrics,
			ReadHeaderTimeout: 5 * time.Second,
			WriteTimeout:      30 * time.Second,
			MaxHeaderBytes:    8 << 10,
			ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		})
		cfg.Logger.Info("portal: metrics", "addr", cfg.MetricsAddr, "path", "/metrics")
	}
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.ListenAndServe() }()
	}
	cfg.Logger.Info("portal: listening", "addr", cfg.Addr, "base_url", a.base.String())
	var stopped error
	select {
	case stopped = <-errc:
	case <-ctx.Done():
	}
	cfg.Logger.Info("portal: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	return stopped
}
