package fakeaws

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
)

func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// TestSSOThroughTheSDK drives the fake IAM Identity Center with the real
// sso-oidc and sso clients: the device flow's refusals, then the portal.
func TestSSOThroughTheSDK(t *testing.T) {
	clk := newClock()
	s := newServer(t, Options{Now: clk.Now})
	s.SetSSO(SSOOptions{Interval: 5 * time.Second})
	roleARN := s.AddSSORole(acctA, "Admin")
	cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Retryer: noBackoff}
	oidc, portal := ssooidc.NewFromConfig(cfg), sso.NewFromConfig(cfg)
	ctx := context.Background()

	if _, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("x"), ClientType: aws.String("confidential")}); code(err) != "InvalidClientMetadataException" {
		t.Errorf("confidential client: %v", err)
	}
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("kubectl-eksxa"), ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: aws.String("wrong"), StartUrl: aws.String("https://x.awsapps.com/start")}); code(err) != "InvalidClientException" {
		t.Errorf("wrong client secret: %v", err)
	}
	auth, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("https://x.awsapps.com/start")})
	if err != nil || auth.Interval != 5 || auth.ExpiresIn != 600 {
		t.Fatalf("device authorization: %+v %v", auth, err)
	}
	poll := func() (*ssooidc.CreateTokenOutput, error) {
		return oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode})
	}
	if _, err := poll(); code(err) != "AuthorizationPendingException" {
		t.Errorf("first poll: %v", err)
	}
	if _, err := poll(); code(err) != "SlowDownException" {
		t.Errorf("poll without waiting the interval: %v", err)
	}
	clk.Add(5 * time.Second)
	if !s.ApproveDevice(aws.ToString(auth.UserCode)) {
		t.Fatal("approve")
	}
	tok, err := poll()
	if err != nil || tok.RefreshToken == nil || tok.ExpiresIn != 8*3600 {
		t.Fatalf("approved poll: %v", err)
	}
	if _, err := poll(); code(err) != "InvalidGrantException" {
		t.Errorf("a used device code: %v", err)
	}
	if got := s.Calls("CreateToken", "device_code"); got != 4 {
		t.Errorf("CreateToken device_code calls %d, want 4", got)
	}

	// The portal: only for a live access token, only for an assigned role.
	get := func(token, role string) (*sso.GetRoleCredentialsOutput, error) {
		return portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String(token), AccountId: aws.String(acctA), RoleName: aws.String(role)})
	}
	if _, err := get("forged", "Admin"); code(err) != "UnauthorizedException" {
		t.Errorf("forged token: %v", err)
	}
	if _, err := get(aws.ToString(tok.AccessToken), "Other"); code(err) != "ForbiddenException" {
		t.Errorf("unassigned role: %v", err)
	}
	out, err := get(aws.ToString(tok.AccessToken), "Admin")
	if err != nil || out.RoleCredentials == nil || aws.ToString(out.RoleCredentials.SessionToken) == "" {
		t.Fatalf("GetRoleCredentials: %v", err)
	}
	if left := time.UnixMilli(out.RoleCredentials.Expiration).Sub(clk.Now()); left < 59*time.Minute || left > time.Hour {
		t.Errorf("role credentials live %v", left)
	}
	// Counted per role, refused calls included (as for STS): the forged one and this one.
	if got := s.Calls("GetRoleCredentials", roleARN); got != 2 {
		t.Errorf("GetRoleCredentials for the role: %d, want 2", got)
	}

	// Expired access tokens are refused; the refresh token (once) renews.
	s.ExpireSSOAccessTokens()
	if _, err := get(aws.ToString(tok.AccessToken), "Admin"); code(err) != "UnauthorizedException" {
		t.Errorf("expired token: %v", err)
	}
	refresh := func() (*ssooidc.CreateTokenOutput, error) {
		return oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken})
	}
	nt, err := refresh()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := get(aws.ToString(nt.AccessToken), "Admin"); err != nil {
		t.Errorf("refreshed token: %v", err)
	}
	if _, err := refresh(); code(err) != "InvalidGrantException" {
		t.Errorf("a refresh token used twice: %v", err)
	}

	// A device code nobody approves expires.
	auth2, _ := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("https://x.awsapps.com/start")})
	clk.Add(11 * time.Minute)
	_, err = oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth2.DeviceCode})
	if code(err) != "ExpiredTokenException" {
		t.Errorf("expired device code: %v", err)
	}
}
