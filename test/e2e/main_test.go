package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// binary is the kubectl-eksxa built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "eksxa-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "kubectl-eksxa")
	// Built in the root module, with its go.mod, so the binary under test
	// is the one users get, not one linked against this module's versions.
	// Built as releases are (make dist: CGO off, trimmed, stripped), so the
	// binary under test is the one users install, and dist's cross-builds
	// reuse these compiled packages.
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=v0.0.0-e2e", "-o", binary, "./cmd/kubectl-eksxa")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Dir = filepath.Join("..", "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building kubectl-eksxa:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// runPlugin runs the binary as kubectl would: a clean environment with
// only what env says (plus PATH), stdin from stdin.
func runPlugin(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runCommand(t, "", env, stdin, binary, args...)
}

// runCommand runs name in dir ("" for this one) with exactly env (plus
// PATH) and stdin, and fails the test only when it could not be started.
func runCommand(t *testing.T, dir string, env map[string]string, stdin, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %v: %v", name, args, err)
	}
	return r
}

// awsEnv is an isolated AWS environment: a private HOME, no instance
// metadata, and the given base keys.
func awsEnv(t *testing.T, accessKeyID, secret string) map[string]string {
	home := t.TempDir()
	return map[string]string{
		"HOME":                      home,
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID":         accessKeyID,
		"AWS_SECRET_ACCESS_KEY":     secret,
		"EKSXA_CACHE_DIR":           filepath.Join(home, "cache"),
	}
}

// hole is a listener that swallows connections.
type hole struct {
	net.Listener
	accepted atomic.Int64
}

// blackHole listens on address and accepts connections that it holds open
// and never reads or answers: a hung server.
func blackHole(t *testing.T, network, address string) *hole {
	t.Helper()
	l, err := net.Listen(network, address)
	if err != nil {
		t.Fatal(err)
	}
	h := &hole{Listener: l}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			h.accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return h
}

// must fails the test at once when a setup step fails.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
