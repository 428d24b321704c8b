package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func deviceClauses() []clause {
	return []clause{
		{"RememberAndRead", testDeviceRoundTrip},
		{"ExpiryAtRead", testDeviceExpiry},
		{"ListNewestFirstLiveOnly", testDevicesList},
		{"Forget", testForgetDevice},
		{"ForgetAll", testForgetDevices},
		{"DuplicateSelector", testDeviceDuplicate},
		{"UnknownAccount", testDeviceUnknownAccount},
		{"Invalid", testDeviceInvalid},
		{"AtBounds", testDeviceBounds},
		{"Capacity", testDeviceCapacity},
		{"ReturnedCopies", testDeviceCopies},
		{"CanceledContext", testDevicesCanceled},
	}
}

type accountsAndDevices interface {
	store.Accounts
	store.Devices
}

const deviceTTL = 30 * 24 * time.Hour

func device(accountID string) store.Device {
	return store.Device{
		Selector:  newID("device-"),
		AccountID: accountID,
		Hash:      hashes(1, 32)[0],
		Stamp:     newID("stamp-"),
		Label:     "Firefox 140 on Windows 11",
		CreatedAt: at,
		ExpiresAt: at.Add(deviceTTL),
	}
}

func normDevice(d store.Device) store.Device {
	d.CreatedAt, d.ExpiresAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC()
	return d
}

func remember(t *testing.T, s store.Devices, ds ...store.Device) {
	t.Helper()
	for _, d := range ds {
		noErr(t, s.RememberDevice(ctx(t), d), "RememberDevice "+d.Selector)
	}
}

func devicesOf(t *testing.T, s store.Devices, accountID string, at time.Time) []store.Device {
	t.Helper()
	ds, err := s.Devices(ctx(t), accountID, at)
	noErr(t, err, "Devices")
	return ds
}

func selectors(ds []store.Device) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Selector
	}
	return out
}

func testDeviceRoundTrip(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	id := newAccount(t, s)
	d := device(id)
	d.CreatedAt, d.ExpiresAt = d.CreatedAt.In(wib), d.ExpiresAt.In(wib)
	remember(t, s, d)
	got, err := s.Device(ctx(t), d.Selector, at.Add(time.Hour))
	noErr(t, err, "Device")
	equal(t, got, normDevice(d), "Device")
	if got.CreatedAt.Location() != time.UTC || got.ExpiresAt.Location() != time.UTC {
		t.Fatalf("device times %v, %v are not in UTC", got.CreatedAt, got.ExpiresAt)
	}
	equal(t, devicesOf(t, s, id, at.Add(time.Hour)), []store.Device{normDevice(d)}, "Devices")
	_, err = s.Device(ctx(t), newID("device-"), at)
	isErr(t, err, store.ErrNotFound, "Device(unknown)")
	equal(t, len(devicesOf(t, s, newAccount(t, s), at)), 0, "devices of an account without any")
}

// testDeviceExpiry: as for challenges, a device is live strictly before
// ExpiresAt, by the caller's clock, with no sweeper involved.
func testDeviceExpiry(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	id := newAccount(t, s)
	d := device(id)
	remember(t, s, d)
	_, err := s.Device(ctx(t), d.Selector, d.ExpiresAt.Add(-time.Microsecond))
	noErr(t, err, "Device just before expiry")
	equal(t, len(devicesOf(t, s, id, d.ExpiresAt.Add(-time.Microsecond))), 1, "Devices just before expiry")
	_, err = s.Device(ctx(t), d.Selector, d.ExpiresAt)
	isErr(t, err, store.ErrNotFound, "Device at expiry")
	equal(t, len(devicesOf(t, s, id, d.ExpiresAt)), 0, "Devices at expiry")
	_, err = s.Device(ctx(t), d.Selector, d.ExpiresAt.Add(time.Hour))
	isErr(t, err, store.ErrNotFound, "Device after expiry")
}

func testDevicesList(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	old := device(a)
	mid := device(a)
	mid.CreatedAt = at.Add(time.Hour)
	mid.ExpiresAt = at.Add(2 * time.Hour) // the newest to be made, the first to expire
	last := device(a)
	last.CreatedAt = at.Add(90 * time.Minute)
	last.ExpiresAt = at.Add(deviceTTL)
	other := device(b)
	other.CreatedAt = at.Add(time.Minute)
	remember(t, s, mid, old, last, other)
	equal(t, devicesOf(t, s, a, at.Add(100*time.Minute)), []store.Device{normDevice(last), normDevice(mid), normDevice(old)}, "Devices, newest first")
	equal(t, selectors(devicesOf(t, s, a, at.Add(2*time.Hour))), []string{last.Selector, old.Selector}, "Devices once one expired")
	equal(t, selectors(devicesOf(t, s, b, at.Add(2*time.Hour))), []string{other.Selector}, "Devices of the other account")
}

func testForgetDevice(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	d, e := device(a), device(a)
	e.CreatedAt = at.Add(time.Second)
	remember(t, s, d, e)
	isErr(t, s.ForgetDevice(ctx(t), b, d.Selector), store.ErrNotFound, "ForgetDevice through another account")
	_, err := s.Device(ctx(t), d.Selector, at)
	noErr(t, err, "Device after another account tried to forget it")
	noErr(t, s.ForgetDevice(ctx(t), a, d.Selector), "ForgetDevice")
	_, err = s.Device(ctx(t), d.Selector, at)
	isErr(t, err, store.ErrNotFound, "Device after ForgetDevice")
	equal(t, selectors(devicesOf(t, s, a, at.Add(time.Second))), []string{e.Selector}, "Devices after ForgetDevice")
	isErr(t, s.ForgetDevice(ctx(t), a, d.Selector), store.ErrNotFound, "ForgetDevice again")
	isErr(t, s.ForgetDevice(ctx(t), a, newID("device-")), store.ErrNotFound, "ForgetDevice(unknown)")
}

func testForgetDevices(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	ds := []store.Device{device(a), device(a), device(a)}
	other := device(b)
	remember(t, s, append(ds, other)...)
	noErr(t, s.ForgetDevices(ctx(t), a), "ForgetDevices")
	equal(t, len(devicesOf(t, s, a, at)), 0, "Devices after ForgetDevices")
	for _, d := range ds {
		_, err := s.Device(ctx(t), d.Selector, at)
		isErr(t, err, store.ErrNotFound, "Device after ForgetDevices")
	}
	_, err := s.Device(ctx(t), other.Selector, at)
	noErr(t, err, "another account's device after ForgetDevices")
	noErr(t, s.ForgetDevices(ctx(t), a), "ForgetDevices with nothing to forget")
}

func testDeviceDuplicate(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	d := device(a)
	remember(t, s, d)
	e := device(a)
	e.Selector = d.Selector
	isErr(t, s.RememberDevice(ctx(t), e), store.ErrConflict, "same selector, same account")
	e.AccountID = b
	isErr(t, s.RememberDevice(ctx(t), e), store.ErrConflict, "same selector, another account")
	got, err := s.Device(ctx(t), d.Selector, at)
	noErr(t, err, "Device")
	equal(t, got, normDevice(d), "the first device survives")
	equal(t, len(devicesOf(t, s, b, at)), 0, "devices of the other account")
}

func testDeviceUnknownAccount(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	d := device(newID("acc-"))
	isErr(t, s.RememberDevice(ctx(t), d), store.ErrNotFound, "RememberDevice(unknown account)")
	_, err := s.Device(ctx(t), d.Selector, at)
	isErr(t, err, store.ErrNotFound, "Device of the refused device")
}

func testDeviceInvalid(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	id := newAccount(t, s)
	for name, mutate := range map[string]func(*store.Device){
		"short selector": func(d *store.Device) { d.Selector = strings.Repeat("s", 15) },
		"long selector":  func(d *store.Device) { d.Selector = newID("") + strings.Repeat("s", 113) },
		"no account":     func(d *store.Device) { d.AccountID = "" },
		"short hash":     func(d *store.Device) { d.Hash = d.Hash[:15] },
		"long hash":      func(d *store.Device) { d.Hash = make([]byte, 65) },
		"no hash":        func(d *store.Device) { d.Hash = nil },
		"no stamp":       func(d *store.Device) { d.Stamp = "" },
		"long label":     func(d *store.Device) { d.Label = strings.Repeat("l", store.MaxFactorLabel+1) },
		"no creation":    func(d *store.Device) { d.CreatedAt = time.Time{} },
		"no expiry":      func(d *store.Device) { d.ExpiresAt = time.Time{} },
		"expired":        func(d *store.Device) { d.ExpiresAt = d.CreatedAt },
		"expires before": func(d *store.Device) { d.ExpiresAt = d.CreatedAt.Add(-time.Hour) },
	} {
		d := device(id)
		mutate(&d)
		isErr(t, s.RememberDevice(ctx(t), d), store.ErrInvalid, name)
		if _, err := s.Device(ctx(t), d.Selector, at); err == nil {
			t.Fatalf("%s: the refused device was written", name)
		}
	}
	equal(t, len(devicesOf(t, s, id, at)), 0, "devices after invalid remembers")
}

// testDeviceBounds: the bounds of CheckDevice are inclusive.
func testDeviceBounds(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	id := newAccount(t, s)
	d := device(id)
	d.Selector = newID("")
	d.Hash = hashes(1, 16)[0]
	d.Label = strings.Repeat("l", store.MaxFactorLabel)
	e := device(id)
	e.Selector = newID("") + strings.Repeat("s", 112)
	e.Hash = hashes(1, 64)[0]
	e.Label = ""
	e.CreatedAt = at.Add(-time.Second)
	remember(t, s, d, e)
	equal(t, devicesOf(t, s, id, at), []store.Device{normDevice(d), normDevice(e)}, "Devices")
}

// testDeviceCapacity: remembering one device more than
// MaxDevicesPerAccount forgets the one that expires first (not the oldest),
// judging which are live at the new device's CreatedAt.
func testDeviceCapacity(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	const n, first = store.MaxDevicesPerAccount, 13
	ds := make([]store.Device, n)
	for i := range ds {
		ds[i] = device(a)
		ds[i].CreatedAt = at.Add(time.Duration(i) * time.Minute)
		// ds[first] expires first, though it is neither the oldest nor
		// the newest.
		ds[i].ExpiresAt = at.Add(deviceTTL + time.Duration((i+n-first)%n)*time.Hour)
	}
	remember(t, s, ds...)
	remember(t, s, device(b))
	extra := device(a)
	extra.CreatedAt = at.Add(time.Hour)
	extra.ExpiresAt = at.Add(deviceTTL + 100*time.Hour)
	remember(t, s, extra)

	readAt := at.Add(time.Hour)
	_, err := s.Device(ctx(t), ds[first].Selector, readAt)
	isErr(t, err, store.ErrNotFound, "the device that expires first")
	want := []string{extra.Selector}
	for i := n - 1; i >= 0; i-- {
		if i != first {
			want = append(want, ds[i].Selector)
		}
	}
	equal(t, selectors(devicesOf(t, s, a, readAt)), want, "Devices after one more was remembered")
	equal(t, len(devicesOf(t, s, b, readAt)), 1, "devices of another account")
}

func testDeviceCopies(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	d := device(newAccount(t, s))
	hash := slices.Clone(d.Hash)
	remember(t, s, d)
	d.Hash[0] ^= 0xff // the caller's slice is the caller's
	got, err := s.Device(ctx(t), d.Selector, at)
	noErr(t, err, "Device")
	equal(t, got.Hash, hash, "hash after the caller changed its slice")
	got.Hash[0] ^= 0xff
	again, err := s.Device(ctx(t), d.Selector, at)
	noErr(t, err, "Device")
	equal(t, again.Hash, hash, "hash after the caller changed a returned slice")
}

func testDevicesCanceled(t *testing.T, open Opener) {
	s := as[accountsAndDevices](t, open)
	id := newAccount(t, s)
	d := device(id)
	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.RememberDevice(c, d); err == nil {
		t.Fatal("RememberDevice with a canceled context succeeded")
	}
	_, err := s.Device(ctx(t), d.Selector, at)
	isErr(t, err, store.ErrNotFound, "device remembered under a canceled context")
	remember(t, s, d)
	if _, err := s.Device(c, d.Selector, at); err == nil {
		t.Fatal("Device with a canceled context succeeded")
	}
	if err := s.ForgetDevices(c, id); err == nil {
		t.Fatal("ForgetDevices with a canceled context succeeded")
	}
	_, err = s.Device(ctx(t), d.Selector, at)
	noErr(t, err, "device after ForgetDevices under a canceled context")
}
