// Package cache keeps kubectl-eksxa's tokens and STS sessions between
// kubectl calls.
//
// A Store holds opaque string values under a key, in the OS keyring
// (KeyringStore, through github.com/zalando/go-keyring), in private files
// (FileStore) or nowhere (NewNoneStore). Select maps the --cache mode to a
// Store. Key derives a key from the non-secret settings that select an entry,
// Lock serializes processes that would fill the same entry, and Index records
// non-secret metadata so that status and logout can enumerate what the
// keyring itself cannot list.
//
// Everything here is defensive about its input: a corrupt, unreadable,
// foreign or over-permissive entry is a miss (an error that wraps
// ErrNotFound), never a panic, and no error ever contains a cached value.
// The package is on kubectl's hot path, so it imports nothing heavy and
// reads neither flags, environment nor the clock by itself.
package cache
