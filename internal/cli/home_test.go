package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
)

// TestNoHomeNeverRelative: with HOME unset (cron, systemd, `env -i`) the
// home comes from the account database, as botocore's expanduser takes
// it; with none there either, nothing is looked for under the working
// directory and the error says what to set.
func TestNoHomeNeverRelative(t *testing.T) {
	isolateAWS(t)
	vars := map[string]string{}
	env := Env{Getenv: func(k string) string { return vars[k] }, Now: time.Now}

	dbHome := t.TempDir()
	old := lookupHome
	t.Cleanup(func() { lookupHome = old })
	lookupHome = func() string { return dbHome }

	for _, h := range []string{"", "relative/home", "."} {
		vars["HOME"] = h
		if got := homeDir(env); got != dbHome {
			t.Errorf("HOME=%q: home %q, want the account database's %q", h, got, dbHome)
		}
	}
	files := resolver{env: env}.sharedFiles()
	if want := filepath.Join(dbHome, ".aws", "config"); len(files.ConfigFiles) != 1 || files.ConfigFiles[0] != want {
		t.Errorf("config files %q, want [%s]", files.ConfigFiles, want)
	}

	lookupHome = func() string { return "" }
	vars["HOME"] = ""
	files = resolver{env: env}.sharedFiles()
	for _, p := range append(files.ConfigFiles, files.CredentialsFiles...) {
		t.Errorf("no home: file %q looked for", p)
	}
	if d, err := cacheDirFor(env); err == nil || !strings.Contains(err.Error(), "EKSXA_CACHE_DIR") {
		t.Errorf("no home: cache dir %q, err %v; want an error naming EKSXA_CACHE_DIR", d, err)
	}
	_, err := resolver{env: env}.Resolve(context.Background(), broker.Request{Cluster: "prod", Profile: "dev"})
	if err == nil || !strings.Contains(err.Error(), `profile "dev": no home directory`) || !strings.Contains(err.Error(), "AWS_CONFIG_FILE") {
		t.Errorf("no home, --profile dev: err %v; want it to say there is no home and what to set", err)
	}
	if got := expandHome(env, "~/x"); got != "~/x" {
		t.Errorf("expandHome(~/x) with no home = %q", got)
	}
	// A named file still works without a home.
	cfg := filepath.Join(t.TempDir(), "config")
	writeFileT(t, cfg, "[profile dev]\nregion = eu-west-1\n")
	vars["AWS_CONFIG_FILE"] = cfg
	files = resolver{env: env}.sharedFiles()
	if len(files.ConfigFiles) != 1 || files.ConfigFiles[0] != cfg || len(files.CredentialsFiles) != 0 {
		t.Errorf("AWS_CONFIG_FILE without a home: %+v", files)
	}
}
