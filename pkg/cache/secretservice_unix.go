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

// Secret Service names for listing and deleting items.
const (
	ssItemAttributes = "org.freedesktop.Secret.Item.Attributes"
	sweepSupported   = true
)

// ssSearch returns every item, in any collection, unlocked or locked,
// whose service attribute is service: go-keyring writes that attribute on
// every item (and username, the key).
func ssSearch(svc *ss.SecretService, service string) ([]dbus.ObjectPath, error) {
	var unlocked, locked []dbus.ObjectPath
	attrs := map[string]string{ssAttrService: service}
	if err := svc.Object(ssName, ssPath).Call(ssSearchItems, 0, attrs).Store(&unlocked, &locked); err != nil {
		return nil, err
	}
	return append(unlocked, locked...), nil
}

// keyringUsers lists the username attribute of every item under service.
func keyringUsers(service string) ([]string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, err
	}
	items, err := ssSearch(svc, service)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, item := range items {
		v, err := svc.Object(ssName, item).GetProperty(ssItemAttributes)
		if err != nil {
			return nil, err
		}
		if attrs, ok := v.Value().(map[string]string); ok && attrs[ssAttrService] == service {
			users = append(users, attrs[ssAttrUsername])
		}
	}
	return users, nil
}

// keyringDeleteAll deletes every item under service, found by attribute
// (so items no index lists go too), and returns how many. Locked items
// are unlocked first, as go-keyring does, which may prompt.
func keyringDeleteAll(service string) (int, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return 0, err
	}
	if err := svc.Unlock(svc.GetLoginCollection().Path()); err != nil {
		return 0, err
	}
	items, err := ssSearch(svc, service)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, item := range items {
		if err := svc.Delete(item); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
