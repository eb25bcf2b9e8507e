//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package cache

import (
	dbus "github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// Secret Service names (freedesktop.org Secret Service API).
const (
	ssName            = "org.freedesktop.secrets"
	ssPath            = "/org/freedesktop/secrets"
	ssSearchItems     = "org.freedesktop.Secret.Service.SearchItems"
	ssSessionClose    = "org.freedesktop.Secret.Session.Close"
	ssAttrUsername    = "username"
	ssAttrService     = "service"
	quickGetAvailable = true
)

// quickGet reads the item go-keyring stores under (service, user) in three
// D-Bus calls on the session bus: Service.SearchItems, OpenSession and
// GetSecret, where go-keyring's Get makes seven (the login collection's
// properties, Unlock, Collection.SearchItems, OpenSession, Unlock of the
// item, GetSecret, Close). It uses go-keyring's own secret_service package
// and the same item attributes, so it reads exactly what keyring.Set wrote.
//
// It only serves a hit on an unlocked item: ok is false for anything else
// (no such item, a locked one, any error), and the caller then asks
// go-keyring, which unlocks, prompts and reports errors as it always has.
// A miss is the cold path, where a few more round trips do not matter.
func quickGet(service, user string) (value string, ok bool) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return "", false
	}
	var unlocked, locked []dbus.ObjectPath
	attrs := map[string]string{ssAttrUsername: user, ssAttrService: service}
	if err := svc.Object(ssName, ssPath).Call(ssSearchItems, 0, attrs).Store(&unlocked, &locked); err != nil || len(unlocked) == 0 {
		return "", false
	}
	session, err := svc.OpenSession()
	if err != nil {
		return "", false
	}
	// The daemon drops a session when its client disconnects; closing it
	// here as well, without waiting for the reply, keeps a long-lived
	// process from piling them up, at no cost to this call.
	defer session.Go(ssSessionClose, dbus.FlagNoReplyExpected, nil)
	secret, err := svc.GetSecret(unlocked[0], session.Path())
	if err != nil {
		return "", false
	}
	return string(secret.Value), true
}
