package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/eksxa/kubectl-eksxa/pkg/sso"
)

// ssoClientName is how the registered client is named in IAM Identity
// Center.
const ssoClientName = "kubectl-eksxa"

// ensureSSO makes the IAM Identity Center sign-in of profile (an SSO
// profile: sso_session, or sso_start_url) usable before the SDK's own SSO
// provider reads it from the shared cache: a cached token as is, else
// refreshed silently, else, when the call is interactive, a new sign-in
// (device authorization: URL and code on stderr, a browser opened).
// Otherwise it fails at once, naming `kubectl eksxa login`.
func (rv resolver) ensureSSO(ctx context.Context, cfg aws.Config, profile string) error {
	files := rv.sharedFiles()
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = files.ConfigFiles, files.CredentialsFiles
	})
	if err != nil {
		return fmt.Errorf("profile %q: %w", profile, err)
	}
	sess := sso.Session{StartURL: sc.SSOStartURL, Region: sc.SSORegion}
	if sc.SSOSession != nil {
		sess = sso.Session{Name: sc.SSOSession.Name, StartURL: sc.SSOSession.SSOStartURL, Region: sc.SSOSession.SSORegion, Scopes: sso.DefaultScopes}
	}
	if sess.StartURL == "" || sess.Region == "" {
		return nil // the SDK says what is missing
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
	home := homeDir(rv.env)
	if home == "" {
		return errors.New("no HOME: cannot find the IAM Identity Center sign-in cache (~/.aws/sso/cache)")
	}
	_, _, err = si.Ensure(ctx, filepath.Join(home, ".aws", "sso", "cache"), sess, rv.interactive)
	if errors.Is(err, sso.ErrSignInRequired) {
		return fmt.Errorf("profile %q: %w; run `kubectl eksxa login` with the same flags to sign in (or `aws sso login --profile %s`)", profile, err, profile)
	}
	if err != nil {
		return fmt.Errorf("profile %q: %w", profile, err)
	}
	return nil
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
		cmd := exec.Command(name, append(args, url)...)
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() { _ = cmd.Wait() }()
		return nil
	}
}
