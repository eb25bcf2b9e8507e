package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "world.json")
	if err := os.WriteFile(cfg, []byte(`{"roles":[{"arn":"arn:aws:iam::222222222222:role/x","externalId":"e1","maxSessionDuration":"12h"}],
		"clusters":[{"name":"prod","region":"eu-west-1","account":"222222222222"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(dir, "env")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-config", cfg, "-user", "333333333333:bob", "-env-file", envFile, "-json-file", filepath.Join(dir, "users.json")}, nil, &bytes.Buffer{})
	}()
	var env []byte
	for i := 0; i < 200; i++ {
		if b, err := os.ReadFile(envFile); err == nil {
			env = b
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(env)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		lines[k] = v
	}
	for _, k := range []string{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_EKS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if lines[k] == "" {
			t.Errorf("env file has no %s: %q", k, env)
		}
	}
	// An unsigned request reaches the fake and is refused as AWS would.
	resp, err := http.Get(lines["AWS_ENDPOINT_URL_STS"] + "/?Action=GetCallerIdentity&Version=2011-06-15")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned request: status %d, want 403", resp.StatusCode)
	}
	users, err := os.ReadFile(filepath.Join(dir, "users.json"))
	if err != nil || !strings.Contains(string(users), "user/bob") {
		t.Errorf("users.json = %q, %v; want bob's keys", users, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-user", "nocolon"},
		{"-cluster", "a:b"},
		{"-listen", "0.0.0.0:0"},
		{"-config", "/nonexistent.json"},
		{"extra"},
	} {
		if err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}
