package auth_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/auth/password/breach"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// errorPackages are the packages whose errors auth's methods can return,
// its own or wrapped: every exported error of theirs is in classified.
var errorPackages = map[string]string{
	"auth":        ".",
	"password":    "password",
	"breach":      "password/breach",
	"lockout":     "../lockout",
	"store":       "../store",
	"reset":       "../reset",
	"identifiers": "../identifiers",
	"secret":      "../secret",
	"totp":        "../totp",
	"notify":      "../notify",
}

// classification is what Classify must say of one exported error. user
// marks what a person can cause by what they type or how often they try:
// never a 5xx. The rest are the host's or a service's failures.
type classification struct {
	err  error
	code auth.Code
	user bool
}

// classified holds every exported error of errorPackages, by the name the
// source declares it under.
var classified = map[string]classification{
	// auth's sentinels.
	"auth.ErrInvalidCredentials":      {auth.ErrInvalidCredentials, auth.CodeInvalidCredentials, true},
	"auth.ErrWrongPassword":           {auth.ErrWrongPassword, auth.CodeWrongPassword, true},
	"auth.ErrPendingConfirmation":     {auth.ErrPendingConfirmation, auth.CodePendingConfirmation, true},
	"auth.ErrPendingApproval":         {auth.ErrPendingApproval, auth.CodePendingApproval, true},
	"auth.ErrAccountExists":           {auth.ErrAccountExists, auth.CodeAccountExists, true},
	"auth.ErrConcurrentChange":        {auth.ErrConcurrentChange, auth.CodeConcurrentChange, true},
	"auth.ErrConfig":                  {auth.ErrConfig, auth.CodeUnavailable, false},
	"auth.ErrCaptchaRequired":         {auth.ErrCaptchaRequired, auth.CodeCaptchaRequired, true},
	"auth.ErrCaptchaInvalid":          {auth.ErrCaptchaInvalid, auth.CodeCaptchaInvalid, true},
	"auth.ErrFactorsUnavailable":      {auth.ErrFactorsUnavailable, auth.CodeFactorsUnavailable, true},
	"auth.ErrTooManyFactors":          {auth.ErrTooManyFactors, auth.CodeTooManyFactors, true},
	"auth.ErrLastFactor":              {auth.ErrLastFactor, auth.CodeLastFactor, true},
	"auth.ErrPasskeyRefused":          {auth.ErrPasskeyRefused, auth.CodePasskeyRefused, true},
	"auth.ErrFederationRefused":       {auth.ErrFederationRefused, auth.CodeFederationRefused, true},
	"auth.ErrUnknownProvider":         {auth.ErrUnknownProvider, auth.CodeUnknownProvider, true},
	"auth.ErrNotLinked":               {auth.ErrNotLinked, auth.CodeNotLinked, true},
	"auth.ErrAlreadyLinked":           {auth.ErrAlreadyLinked, auth.CodeAlreadyLinked, true},
	"auth.ErrLastWayIn":               {auth.ErrLastWayIn, auth.CodeLastWayIn, true},
	"auth.ErrHasPassword":             {auth.ErrHasPassword, auth.CodeHasPassword, true},
	"auth.ErrPasskeysUnavailable":     {auth.ErrPasskeysUnavailable, auth.CodePasskeysUnavailable, true},
	"auth.ErrInvalidField":            {auth.ErrInvalidField, auth.CodeFieldInvalid, true},
	"auth.ErrInvalidUsername":         {auth.ErrInvalidUsername, auth.CodeUsernameInvalid, true},
	"auth.ErrInvalidEmail":            {auth.ErrInvalidEmail, auth.CodeEmailInvalid, true},
	"auth.ErrInvalidPhone":            {auth.ErrInvalidPhone, auth.CodePhoneInvalid, true},
	"auth.ErrIdentityCheckRequired":   {auth.ErrIdentityCheckRequired, auth.CodeIdentityCheckRequired, true},
	"auth.ErrReauthRequired":          {auth.ErrReauthRequired, auth.CodeReauthRequired, true},
	"auth.ErrSamePhone":               {auth.ErrSamePhone, auth.CodePhoneSame, true},
	"auth.ErrInvalidRealm":            {auth.ErrInvalidRealm, auth.CodeUnknownRealm, true},
	"auth.ErrOutOfScope":              {auth.ErrOutOfScope, auth.CodeOutOfScope, true},
	"auth.ErrSelfAction":              {auth.ErrSelfAction, auth.CodeSelfAction, true},
	"auth.ErrWrongState":              {auth.ErrWrongState, auth.CodeWrongState, true},
	"auth.ErrReasonRequired":          {auth.ErrReasonRequired, auth.CodeReasonRequired, true},
	"auth.ErrUnknownRealm":            {auth.ErrUnknownRealm, auth.CodeUnknownRealm, true},
	"auth.ErrEmailRequired":           {auth.ErrEmailRequired, auth.CodeEmailRequired, true},
	"auth.ErrInvalidToken":            {auth.ErrInvalidToken, auth.CodeInvalidToken, true},
	"auth.ErrNotConfigured":           {auth.ErrNotConfigured, auth.CodeNotConfigured, false},
	"auth.ErrSecondFactorRequired":    {auth.ErrSecondFactorRequired, auth.CodeSecondFactorRequired, true},
	"auth.ErrNoPendingLogin":          {auth.ErrNoPendingLogin, auth.CodeNoPendingLogin, true},
	"auth.ErrInvalidCode":             {auth.ErrInvalidCode, auth.CodeInvalidCode, true},
	"auth.ErrMethodUnavailable":       {auth.ErrMethodUnavailable, auth.CodeMethodUnavailable, true},
	"auth.ErrSecondFactorUnavailable": {auth.ErrSecondFactorUnavailable, auth.CodeNoUsableFactor, true},
	"auth.ErrEnrollmentRequired":      {auth.ErrEnrollmentRequired, auth.CodeEnrollmentRequired, true},
	"auth.ErrNoSession":               {auth.ErrNoSession, auth.CodeUnauthenticated, true},
	// auth's error types.
	"auth.MissingRoleError":     {&auth.MissingRoleError{Role: "Factors", Feature: "second factors", Interface: "store.Factors"}, auth.CodeUnavailable, false},
	"auth.FieldError":           {&auth.FieldError{Field: "profile.company", Max: 200}, auth.CodeFieldInvalid, true},
	"auth.CredentialsError":     {&auth.CredentialsError{Remaining: 2}, auth.CodeInvalidCredentials, true},
	"auth.UsernameError":        {&auth.UsernameError{Reason: auth.UsernameForbiddenRune, Pos: 3}, auth.CodeUsernameInvalid, true},
	"auth.SecondFactorRequired": {&auth.SecondFactorRequired{Methods: []auth.Method{auth.MethodTOTP}}, auth.CodeSecondFactorRequired, true},
	"auth.EnrollmentRequired":   {&auth.EnrollmentRequired{Methods: []auth.Method{auth.MethodTOTP}}, auth.CodeEnrollmentRequired, true},

	// password and its breach check.
	"password.ErrPolicy":            {password.ErrPolicy, auth.CodePolicy, true},
	"password.PolicyError":          {&password.PolicyError{Violations: []password.Violation{{Rule: password.RuleTooShort, Limit: 8}}}, auth.CodePolicy, true},
	"password.ErrTooLong":           {password.ErrTooLong, auth.CodePolicy, true},
	"password.ErrEmpty":             {password.ErrEmpty, auth.CodePolicy, true},
	"password.ErrMismatch":          {password.ErrMismatch, auth.CodeInvalidCredentials, true},
	"password.ErrBusy":              {password.ErrBusy, auth.CodeBusy, false},
	"password.ErrBreachUnavailable": {password.ErrBreachUnavailable, auth.CodeBreachCheckUnavailable, false},
	"password.ErrMalformed":         {password.ErrMalformed, auth.CodeUnavailable, false},
	"password.ErrConfig":            {password.ErrConfig, auth.CodeUnavailable, false},
	"breach.ErrMalformed":           {breach.ErrMalformed, auth.CodeUnavailable, false},
	"breach.ErrTooLarge":            {breach.ErrTooLarge, auth.CodeUnavailable, false},
	"breach.LookupError":            {&breach.LookupError{StatusCode: 500}, auth.CodeUnavailable, false},

	// lockout.
	"lockout.ErrLocked":      {lockout.ErrLocked, auth.CodeLocked, true},
	"lockout.LockedError":    {&lockout.LockedError{Until: time.Unix(1e9, 0)}, auth.CodeLocked, true},
	"lockout.ErrThrottled":   {lockout.ErrThrottled, auth.CodeThrottled, true},
	"lockout.ThrottledError": {&lockout.ThrottledError{RetryAt: time.Unix(1e9, 0)}, auth.CodeThrottled, true},
	"lockout.ErrConfig":      {lockout.ErrConfig, auth.CodeUnavailable, false},

	// store.
	"store.ErrNotFound":   {store.ErrNotFound, auth.CodeNotFound, true},
	"store.ErrConflict":   {store.ErrConflict, auth.CodeConcurrentChange, true},
	"store.ErrStale":      {store.ErrStale, auth.CodeConcurrentChange, true},
	"store.ErrInvalid":    {store.ErrInvalid, auth.CodeFieldInvalid, true},
	"store.ErrCapacity":   {store.ErrCapacity, auth.CodeThrottled, true},
	"store.ErrCooldown":   {store.ErrCooldown, auth.CodeCooldown, true},
	"store.CooldownError": {&store.CooldownError{Until: time.Unix(1e9, 0)}, auth.CodeCooldown, true},

	// reset, secret, totp.
	"reset.ErrInvalidToken":      {reset.ErrInvalidToken, auth.CodeInvalidToken, true},
	"secret.ErrInvalidCode":      {secret.ErrInvalidCode, auth.CodeInvalidCode, true},
	"secret.ErrWrongCode":        {secret.ErrWrongCode, auth.CodeInvalidCode, true},
	"secret.ErrWrongToken":       {secret.ErrWrongToken, auth.CodeInvalidToken, true},
	"totp.ErrInvalidCode":        {totp.ErrInvalidCode, auth.CodeInvalidCode, true},
	"totp.ErrWrongCode":          {totp.ErrWrongCode, auth.CodeInvalidCode, true},
	"totp.ErrInvalidLabel":       {totp.ErrInvalidLabel, auth.CodeFieldInvalid, true},
	"totp.ErrInvalidParams":      {totp.ErrInvalidParams, auth.CodeUnavailable, false},
	"totp.ErrInvalidSecret":      {totp.ErrInvalidSecret, auth.CodeUnavailable, false},
	"totp.ErrQRSize":             {totp.ErrQRSize, auth.CodeUnavailable, false},
	"totp.ErrInvalidKeyring":     {totp.ErrInvalidKeyring, auth.CodeUnavailable, false},
	"totp.ErrUnknownKey":         {totp.ErrUnknownKey, auth.CodeUnavailable, false},
	"totp.ErrInvalidSealed":      {totp.ErrInvalidSealed, auth.CodeUnavailable, false},
	"identifiers.Error":          {&identifiers.Error{Reason: identifiers.CheckDigit}, auth.CodeUsernameInvalid, true},
	"identifiers.ErrEmpty":       {identifiers.ErrEmpty, auth.CodeUsernameInvalid, true},
	"identifiers.ErrLength":      {identifiers.ErrLength, auth.CodeUsernameInvalid, true},
	"identifiers.ErrCharacter":   {identifiers.ErrCharacter, auth.CodeUsernameInvalid, true},
	"identifiers.ErrCheckDigit":  {identifiers.ErrCheckDigit, auth.CodeUsernameInvalid, true},
	"identifiers.ErrDate":        {identifiers.ErrDate, auth.CodeUsernameInvalid, true},
	"identifiers.ErrProvince":    {identifiers.ErrProvince, auth.CodeUsernameInvalid, true},
	"identifiers.ErrSex":         {identifiers.ErrSex, auth.CodeUsernameInvalid, true},
	"identifiers.ErrSerial":      {identifiers.ErrSerial, auth.CodeUsernameInvalid, true},
	"identifiers.ErrAppointment": {identifiers.ErrAppointment, auth.CodeUsernameInvalid, true},
	"identifiers.ErrUnknownKind": {identifiers.ErrUnknownKind, auth.CodeUsernameInvalid, true},
	"identifiers.ErrCountry":     {identifiers.ErrCountry, auth.CodeUsernameInvalid, true},
	"identifiers.ErrPrefix":      {identifiers.ErrPrefix, auth.CodeUsernameInvalid, true},
	"identifiers.ErrOperator":    {identifiers.ErrOperator, auth.CodeUsernameInvalid, true},

	// notify: a recipient refused is the person's; the rest are the
	// host's templates or its mail server.
	"notify.ErrInvalidRecipient":   {notify.ErrInvalidRecipient, auth.CodeFieldInvalid, true},
	"notify.ErrUnsupportedChannel": {notify.ErrUnsupportedChannel, auth.CodeUnavailable, false},
	"notify.ErrInvalidMessage":     {notify.ErrInvalidMessage, auth.CodeUnavailable, false},
	"notify.ErrUnknownPurpose":     {notify.ErrUnknownPurpose, auth.CodeUnavailable, false},
	"notify.ErrUnsupportedLocale":  {notify.ErrUnsupportedLocale, auth.CodeUnavailable, false},
	"notify.ErrMissingData":        {notify.ErrMissingData, auth.CodeUnavailable, false},
	"notify.ErrInvalidData":        {notify.ErrInvalidData, auth.CodeUnavailable, false},
	"notify.ErrConfig":             {notify.ErrConfig, auth.CodeUnavailable, false},
	"notify.DataError":             {&notify.DataError{Field: "Code", Err: notify.ErrMissingData}, auth.CodeUnavailable, false},
	"notify.SendError":             {&notify.SendError{Op: "rcpt", Code: 550, Err: errors.New("mailbox unavailable")}, auth.CodeUnavailable, false},
	"notify.GatewayError":          {&notify.GatewayError{Gateway: "sms gateway", Status: 502, Err: notify.ErrRejected}, auth.CodeUnavailable, false},
	"notify.ErrRejected":           {notify.ErrRejected, auth.CodeUnavailable, false},
}

// declaredErrors lists the exported errors declared in the Go files of
// dir: variables named Err..., and types with an Error method.
func declaredErrors(t *testing.T, pkg, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					for _, n := range spec.(*ast.ValueSpec).Names {
						if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
							seen[pkg+"."+n.Name] = true
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || d.Name.Name != "Error" {
					continue
				}
				typ := d.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if id, ok := typ.(*ast.Ident); ok && id.IsExported() {
					seen[pkg+"."+id.Name] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TestClassifyKnowsEveryError: every exported error of auth and of the
// packages whose errors it passes on has its classification in the table
// below, so a new error cannot ship as an anonymous 503.
func TestClassifyKnowsEveryError(t *testing.T) {
	found := 0
	for pkg, dir := range errorPackages {
		if dir == "" {
			continue
		}
		for _, name := range declaredErrors(t, pkg, dir) {
			found++
			assert.Contains(t, classified, name, "add %s to classified, and to Classify if a person can cause it", name)
		}
	}
	assert.Greater(t, found, 80, "the scan finds the packages' errors")
}

// TestClassifyTable: each error, bare and wrapped, gets its code; nothing
// a person can cause is a 5xx, and each such outcome says something of
// its own in both languages; the host's failures are 5xx and tell the
// person nothing of the cause.
func TestClassifyTable(t *testing.T) {
	for name, c := range classified {
		t.Run(name, func(t *testing.T) {
			for _, err := range []error{c.err, fmt.Errorf("auth: doing it: %w", c.err)} {
				o := auth.Classify(err)
				assert.Equal(t, c.code, o.Code)
				id, en := o.Message("id"), o.Message("en")
				assert.NotEmpty(t, id)
				assert.NotEmpty(t, en)
				assert.NotEqual(t, id, en, "the message is translated")
				assert.Equal(t, en, o.Message("en-US"))
				assert.Equal(t, id, o.Message(""))
				assert.NotContains(t, en, err.Error(), "the message never repeats the error's text")
				assert.ErrorIs(t, o.Unwrap(), c.err, "the outcome unwraps to the error")
				if c.user {
					assert.GreaterOrEqual(t, o.Status, 400)
					assert.Less(t, o.Status, 500, "a person can cause %s: never a 5xx", name)
					assert.NotEqual(t, auth.CodeUnavailable, o.Code)
				} else {
					assert.GreaterOrEqual(t, o.Status, 500)
				}
			}
		})
	}
}

// TestClassifyDetails: the typed errors carry what a page needs: until
// when, whether only an operator helps, which field, which rules.
func TestClassifyDetails(t *testing.T) {
	until := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

	o := auth.Classify(fmt.Errorf("x: %w", &lockout.LockedError{Until: until}))
	assert.Equal(t, until, o.RetryAt)
	assert.False(t, o.Permanent)
	assert.Equal(t, http.StatusTooManyRequests, o.Status)

	o = auth.Classify(&lockout.LockedError{Permanent: true})
	assert.True(t, o.Permanent)
	assert.True(t, o.RetryAt.IsZero())
	assert.Contains(t, o.Message("en"), "helpdesk")

	o = auth.Classify(&lockout.ThrottledError{RetryAt: until})
	assert.Equal(t, until, o.RetryAt)
	o = auth.Classify(&store.CooldownError{Until: until})
	assert.Equal(t, until, o.RetryAt)

	o = auth.Classify(&auth.FieldError{Field: "profile.company", Max: 200})
	assert.Equal(t, []string{"profile.company"}, o.Fields)

	pe := &password.PolicyError{Violations: []password.Violation{{Rule: password.RuleTooShort, Limit: 8}, {Rule: password.RuleCommon}}}
	o = auth.Classify(pe)
	assert.Equal(t, []string{"password"}, o.Fields)
	for _, v := range pe.Violations {
		assert.Contains(t, o.Message("en"), v.Message("en"), "every rule broken is named")
		assert.Contains(t, o.Message("id"), v.Message("id"))
	}

	o = auth.Classify(&identifiers.Error{Kind: identifiers.NIP, Reason: identifiers.CheckDigit})
	assert.Equal(t, (&identifiers.Error{Kind: identifiers.NIP, Reason: identifiers.CheckDigit}).Message("en"), o.Message("en"))

	assert.Equal(t, auth.Outcome{}, auth.Classify(nil))
	unknown := auth.Classify(errors.New("pq: connection refused to 10.0.0.7"))
	assert.Equal(t, auth.CodeUnavailable, unknown.Code)
	assert.Equal(t, http.StatusServiceUnavailable, unknown.Status)
	assert.NotContains(t, unknown.Message("en"), "10.0.0.7")
	assert.Equal(t, http.StatusInternalServerError, auth.Classify(&auth.MissingRoleError{Role: "Tokens"}).Status)
}

// TestClassifyCaptchaRejections: a captcha checker's rejection, met by a
// host that checks a captcha itself, is a wrong answer, not an outage.
func TestClassifyCaptchaRejections(t *testing.T) {
	for _, err := range []error{captcha.ErrWrong, captcha.ErrHostedRejected} {
		o := auth.Classify(fmt.Errorf("checking: %w", err))
		assert.Equal(t, auth.CodeCaptchaInvalid, o.Code, err)
		assert.Equal(t, []string{"captcha"}, o.Fields)
	}
	assert.Equal(t, auth.CodeUnavailable, auth.Classify(captcha.ErrHostedUnavailable).Code)
}
