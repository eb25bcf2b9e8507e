// Command fakeaws serves internal/fakeaws (a strict fake of AWS STS and EKS)
// on a loopback port until it is sent SIGTERM or SIGINT, for the benchmarks
// and the offline demo. It is not shipped.
//
//	go run ./hack/fakeaws [-listen 127.0.0.1:0] [-config world.json]
//	    [-user ACCT:NAME]... [-role ARN]... [-cluster NAME:REGION:ACCT]...
//	    [-env-file PATH] [-json-file PATH]
//
// Users, roles and clusters come from -config (a JSON document, see config)
// and from the flags, which add to it. With neither, one user
// 111111111111:alice is made. The server prints, once it listens, env lines
// for the first user:
//
//	AWS_ENDPOINT_URL_STS=http://127.0.0.1:PORT
//	AWS_ENDPOINT_URL_EKS=http://127.0.0.1:PORT
//	AWS_ACCESS_KEY_ID=AKIA...
//	AWS_SECRET_ACCESS_KEY=...
//
// on stdout, or into -env-file (written atomically, so a script may wait for
// the file to appear and then source it). -json-file gets every user's keys:
// {"url": ..., "users": [{"account", "name", "arn", "accessKeyId",
// "secretAccessKey"}]}. The keys are those of a fake: they open nothing
// real.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// config is the -config document.
type config struct {
	Users []userSpec `json:"users"`
	Roles []struct {
		ARN        string `json:"arn"`
		ExternalID string `json:"externalId,omitempty"`
		MFASerial  string `json:"mfaSerial,omitempty"`
		MFACode    string `json:"mfaCode,omitempty"`
		Deny       bool   `json:"deny,omitempty"`
		// MaxSessionDuration and MaxIssuedDuration are Go durations ("12h").
		MaxSessionDuration string   `json:"maxSessionDuration,omitempty"`
		MaxIssuedDuration  string   `json:"maxIssuedDuration,omitempty"`
		Trusted            []string `json:"trusted,omitempty"`
	} `json:"roles"`
	Clusters []struct {
		Name     string `json:"name"`
		Region   string `json:"region"`
		Account  string `json:"account"`
		Endpoint string `json:"endpoint,omitempty"`
		// CAFile is a PEM file, relative to the config file.
		CAFile        string                `json:"caFile,omitempty"`
		AuthMode      string                `json:"authMode,omitempty"`
		AccessEntries []fakeaws.AccessEntry `json:"accessEntries,omitempty"`
	} `json:"clusters"`
}

type userSpec struct {
	Account string `json:"account"`
	Name    string `json:"name"`
}

type userOut struct {
	Account         string `json:"account"`
	Name            string `json:"name"`
	ARN             string `json:"arn"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "fakeaws: %v\n", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakeaws", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		listen   = fs.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
		cfgPath  = fs.String("config", "", "JSON file of users, roles and clusters")
		envFile  = fs.String("env-file", "", "write the env lines here instead of stdout")
		jsonFile = fs.String("json-file", "", "write every user's keys here as JSON")
		users    listFlag
		roles    listFlag
		clusters listFlag
	)
	fs.Var(&users, "user", "an IAM user ACCOUNT:NAME (repeatable); the first one's keys are printed")
	fs.Var(&roles, "role", "a role ARN that trusts everyone (repeatable)")
	fs.Var(&clusters, "cluster", "an EKS cluster NAME:REGION:ACCOUNT (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	var cfg config
	if *cfgPath != "" {
		b, err := os.ReadFile(*cfgPath)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return fmt.Errorf("%s: %w", *cfgPath, err)
		}
	}
	for _, u := range users {
		acct, name, ok := strings.Cut(u, ":")
		if !ok || acct == "" || name == "" {
			return fmt.Errorf("-user %q: want ACCOUNT:NAME", u)
		}
		cfg.Users = append(cfg.Users, userSpec{acct, name})
	}
	if len(cfg.Users) == 0 {
		cfg.Users = append(cfg.Users, userSpec{"111111111111", "alice"})
	}

	fake := fakeaws.NewUnstarted(fakeaws.Options{})
	var out []userOut
	for _, u := range cfg.Users {
		c := fake.AddUser(u.Account, u.Name)
		out = append(out, userOut{u.Account, u.Name, c.ARN, c.AccessKeyID, c.SecretAccessKey})
	}
	for _, r := range cfg.Roles {
		o := fakeaws.RoleOptions{ExternalID: r.ExternalID, MFASerial: r.MFASerial, MFACode: r.MFACode, Deny: r.Deny, Trusted: r.Trusted}
		var err error
		if o.MaxSessionDuration, err = optDuration(r.MaxSessionDuration); err != nil {
			return fmt.Errorf("role %s: maxSessionDuration: %w", r.ARN, err)
		}
		if o.MaxIssuedDuration, err = optDuration(r.MaxIssuedDuration); err != nil {
			return fmt.Errorf("role %s: maxIssuedDuration: %w", r.ARN, err)
		}
		fake.AddRole(r.ARN, o)
	}
	for _, arn := range roles {
		fake.AddRole(arn, fakeaws.RoleOptions{})
	}
	for _, c := range cfg.Clusters {
		fc := fakeaws.Cluster{Name: c.Name, Region: c.Region, Account: c.Account, Endpoint: c.Endpoint, AuthMode: c.AuthMode, AccessEntries: c.AccessEntries}
		if c.CAFile != "" {
			p := c.CAFile
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(*cfgPath), p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("cluster %s: %w", c.Name, err)
			}
			fc.CAData = b
		}
		fake.AddCluster(fc)
	}
	for _, c := range clusters {
		parts := strings.Split(c, ":")
		if len(parts) != 3 || parts[0] == "" {
			return fmt.Errorf("-cluster %q: want NAME:REGION:ACCOUNT", c)
		}
		fake.AddCluster(fakeaws.Cluster{Name: parts[0], Region: parts[1], Account: parts[2], Endpoint: "https://" + parts[0] + ".eks.invalid"})
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		_ = ln.Close()
		return fmt.Errorf("-listen %s: not a loopback address", *listen)
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	env := fmt.Sprintf("AWS_ENDPOINT_URL_STS=%s\nAWS_ENDPOINT_URL_EKS=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n",
		url, url, out[0].AccessKeyID, out[0].SecretAccessKey)
	if *jsonFile != "" {
		b, _ := json.MarshalIndent(struct {
			URL   string    `json:"url"`
			Users []userOut `json:"users"`
		}{url, out}, "", "  ")
		if err := writeAtomic(*jsonFile, append(b, '\n')); err != nil {
			_ = srv.Close()
			return err
		}
	}
	if *envFile != "" {
		err = writeAtomic(*envFile, []byte(env))
	} else {
		_, err = io.WriteString(stdout, env)
	}
	if err != nil {
		_ = srv.Close()
		return err
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func optDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// writeAtomic writes b to path (0600) through a temporary file and a
// rename, so a reader never sees half of it.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakeaws-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
