//go:build !unix

package cache

import "io/fs"

// permsMatter: on Windows the user profile's ACLs guard the cache files;
// Unix permission bits mean nothing there.
const permsMatter = false

const oNoFollow = 0

func checkOwner(fs.FileInfo) error { return nil }

func syncDir(string) {}
