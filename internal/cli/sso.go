package cli

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/sso"
)

// ssoClientName is how the registered client is named in IAM Identity
// Center.
const ssoClientName = "kubectl-eksxa"

// signedInSSO wraps prov, the SDK's IAM Identity Center provider for
// base (an SSO profile: sso_session, or sso_start_url), so that the sign-in
// it reads from the shared cache is usable first: a cached token as is,
// else refreshed silently, else, when the call is interactive, a new
// sign-in (device authorization: URL and code on stderr, a browser
// opened). Otherwise it fails at once with sso.ErrSignInRequired, which
// errBaseCredentials turns into the `kubectl eksxa login` hint.
func (rv resolver) signedInSSO(cfg aws.Config, base chain.Base, prov aws.CredentialsProvider) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		if err := rv.ensureSSO(ctx, cfg, base); err != nil {
			return aws.Credentials{}, err
		}
		return prov.Retrieve(ctx)
	})
}

// ssoSession is base's IAM Identity Center session, read as ssoProvider
// reads it; ok is false when a setting it needs is missing (the SDK's
// provider then says which).
func ssoSession(base chain.Base) (s sso.Session, ok bool) {
	if base.Root == nil {
		return sso.Session{}, false
	}
	s = sso.Session{StartURL: base.Root.Get("sso_start_url"), Region: base.Root.Get("sso_region")}
	if base.SSOSession != nil {
		s = sso.Session{
			Name:     base.SSOSession.Name,
			StartURL: base.SSOSession.Get("sso_start_url"),
			Region:   base.SSOSession.Get("sso_region"),
			Scopes:   sso.DefaultScopes,
		}
		if v := base.SSOSession.Get("sso_registration_scopes"); v != "" {
			s.Scopes = nil
			for _, sc := range strings.Split(v, ",") {
				if sc = strings.TrimSpace(sc); sc != "" {
					s.Scopes = append(s.Scopes, sc)
				}
			}
		}
	}
	return s, s.StartURL != "" && s.Region != ""
}

// ensureSSO makes base's sign-in usable (see signedInSSO).
func (rv resolver) ensureSSO(ctx context.Context, cfg aws.Config, base chain.Base) error {
	sess, ok := ssoSession(base)
	if !ok {
		return nil
	}
	home := homeDir(rv.env)
	if home == "" {
		return errNoHome("the IAM Identity Center sign-in cache (~/.aws/sso/cache)", "run from a login shell")
	}
	oc := cfg.Copy()
	oc.Region = sess.Region
	si := &sso.SignIn{
		OIDC:       ssooidc.NewFromConfig(oc),
		Now:        rv.env.Now,
		Sleep:      sleepCtx,
		Out:        rv.env.Stderr,
		ClientName: ssoClientName,
		Log:        rv.log,
	}
	if !rv.noBrowser {
		si.Open = browserOpener(rv.env)
	}
	_, _, err := si.Ensure(ctx, filepath.Join(home, ".aws", "sso", "cache"), sess, rv.interactive)
	return err
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// browserOpener returns how to open a URL in the person's browser: the
// BROWSER command when set (as xdg-utils and Python's webbrowser honour
// it), else the platform's opener; nil on a Linux or BSD machine with no
// display (an SSH session), where only the printed URL helps.
func browserOpener(env Env) func(string) error {
	var name string
	var args []string
	switch {
	case env.Getenv("BROWSER") != "":
		name = env.Getenv("BROWSER")
	case runtime.GOOS == "darwin":
		name = "open"
	case runtime.GOOS == "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		if env.Getenv("DISPLAY") == "" && env.Getenv("WAYLAND_DISPLAY") == "" {
			return nil
		}
		name = "xdg-open"
	}
	return func(url string) error {
		cmd := exec.Command(name, append(args, url)...) //nolint:gosec,noctx // G204: the platform's URL opener, the URL one argument, no shell; no context: the browser outlives the command
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() { _ = cmd.Wait() }()
		return nil
	}
}
