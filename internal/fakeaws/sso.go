package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// SSO: IAM Identity Center's OIDC service (sso-oidc: RegisterClient,
// StartDeviceAuthorization, CreateToken) and its portal (sso:
// GetRoleCredentials), on the same server as STS and EKS, strict in the
// same way:
//
//   - CreateToken with the device code grant answers
//     AuthorizationPendingException until a test calls ApproveDevice with
//     the user code, SlowDownException when polled sooner than the interval
//     it gave, ExpiredTokenException once the device code's lifetime is
//     over; the refresh_token grant needs the client's secret and a refresh
//     token the server issued to that client (InvalidGrantException);
//     refresh tokens are issued only to clients registered with scopes
//     (sso:account:access), as IAM Identity Center does.
//   - GetRoleCredentials answers only for an access token the server
//     issued, until it expires (UnauthorizedException), for an account and
//     role name added with AddSSORole (ForbiddenException otherwise). It
//     issues a session of the role that STS then accepts (a role session,
//     so a hop signed by it is held to one hour).
//
// Calls counts them as "RegisterClient", "StartDeviceAuthorization",
// "CreateToken" (arn: the grant type, "device_code" or "refresh_token") and
// "GetRoleCredentials" (arn: the issued role ARN).

// SSOOptions sets what the sign-in service hands out.
type SSOOptions struct {
	// AccessTokenLifetime is how long issued access tokens live.
	// Default 8h.
	AccessTokenLifetime time.Duration
	// DeviceCodeLifetime is how long a device code waits for approval.
	// Default 10m.
	DeviceCodeLifetime time.Duration
	// Interval is the polling interval StartDeviceAuthorization gives, in
	// whole seconds on the wire. Default 1s.
	Interval time.Duration
	// NoRefreshTokens makes CreateToken issue no refresh token (as for a
	// client registered without scopes).
	NoRefreshTokens bool
}

type ssoState struct {
	mu       sync.Mutex
	opts     SSOOptions
	clients  map[string]ssoClient // client ID ->
	devices  map[string]*ssoDevice
	access   map[string]time.Time // access token -> expiry
	refresh  map[string]string    // refresh token -> client ID
	roles    map[[2]string]string // account, role name -> role ARN
	userName string
}

type ssoClient struct {
	secret  string
	expires time.Time
	scoped  bool // registered with scopes: its tokens come with refresh tokens
}

type ssoDevice struct {
	clientID, userCode string
	expires, lastPoll  time.Time
	approved, used     bool
}

// ssoUserName is the person the fake portal signs in.
const ssoUserName = "alice@example.com"

func newSSOState() *ssoState {
	return &ssoState{
		opts:    SSOOptions{AccessTokenLifetime: 8 * time.Hour, DeviceCodeLifetime: 10 * time.Minute, Interval: time.Second},
		clients: map[string]ssoClient{}, devices: map[string]*ssoDevice{},
		access: map[string]time.Time{}, refresh: map[string]string{}, roles: map[[2]string]string{},
		userName: ssoUserName,
	}
}

// SetSSO sets the sign-in service's options (zero fields keep their
// defaults).
func (s *Server) SetSSO(o SSOOptions) {
	st := s.sso
	st.mu.Lock()
	defer st.mu.Unlock()
	if o.AccessTokenLifetime > 0 {
		st.opts.AccessTokenLifetime = o.AccessTokenLifetime
	}
	if o.DeviceCodeLifetime > 0 {
		st.opts.DeviceCodeLifetime = o.DeviceCodeLifetime
	}
	if o.Interval > 0 {
		st.opts.Interval = o.Interval
	}
	st.opts.NoRefreshTokens = o.NoRefreshTokens
}

// AddSSORole makes a permission set's role available through the portal:
// GetRoleCredentials for account and roleName issues a session of
// arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ROLENAME_<id>,
// which it returns.
func (s *Server) AddSSORole(account, roleName string) string {
	arn := fmt.Sprintf("arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_%s_%s", account, roleName, strings.ToLower(randomID(16)))
	s.AddRole(arn, RoleOptions{})
	s.sso.mu.Lock()
	s.sso.roles[[2]string{account, roleName}] = arn
	s.sso.mu.Unlock()
	return arn
}

// ApproveDevice approves the pending device authorization with userCode,
// as the person would in the browser. It reports whether there was one.
func (s *Server) ApproveDevice(userCode string) bool {
	st := s.sso
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, d := range st.devices {
		if d.userCode == userCode && !d.used && s.now().Before(d.expires) {
			d.approved = true
			return true
		}
	}
	return false
}

// ExpireSSOAccessTokens makes every access token issued so far expired, as
// if their lifetime had passed; refresh tokens stay valid.
func (s *Server) ExpireSSOAccessTokens() {
	st := s.sso
	st.mu.Lock()
	defer st.mu.Unlock()
	for t := range st.access {
		st.access[t] = time.Time{}
	}
}

// isSSORequest reports whether r is for sso-oidc or the sso portal.
func isSSORequest(r *http.Request) bool {
	switch r.URL.Path {
	case "/client/register", "/device_authorization", "/token", "/federation/credentials":
		return true
	}
	return false
}

func (s *Server) serveSSO(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.URL.Path == "/federation/credentials" {
		s.getRoleCredentials(w, r)
		return
	}
	if r.Method != http.MethodPost {
		writeOIDCError(w, 400, "InvalidRequestException", "invalid_request", "POST only")
		return
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		writeOIDCError(w, 400, "InvalidRequestException", "invalid_request", "the body is not JSON")
		return
	}
	str := func(k string) string { v, _ := in[k].(string); return v }
	switch r.URL.Path {
	case "/client/register":
		scopes, _ := in["scopes"].([]any)
		s.registerClient(w, str("clientName"), str("clientType"), len(scopes) > 0)
	case "/device_authorization":
		s.startDeviceAuthorization(w, str("clientId"), str("clientSecret"), str("startUrl"))
	case "/token":
		s.createToken(w, str("clientId"), str("clientSecret"), str("grantType"), str("deviceCode"), str("refreshToken"))
	}
}

func (s *Server) registerClient(w http.ResponseWriter, name, typ string, scoped bool) {
	if inj, ok := s.record("RegisterClient"); ok {
		writeOIDCError(w, inj.status, inj.code, "", "injected failure")
		return
	}
	if name == "" || typ != "public" {
		writeOIDCError(w, 400, "InvalidClientMetadataException", "invalid_client_metadata", "clientName is required and clientType must be public")
		return
	}
	id, secret := randomID(22), randomToken(600)
	now := s.now().UTC()
	expires := now.Add(90 * 24 * time.Hour).Truncate(time.Second)
	st := s.sso
	st.mu.Lock()
	st.clients[id] = ssoClient{secret: secret, expires: expires, scoped: scoped}
	st.mu.Unlock()
	writeJSON(w, map[string]any{"clientId": id, "clientSecret": secret, "clientIdIssuedAt": now.Unix(), "clientSecretExpiresAt": expires.Unix()})
}

// client checks a client ID and secret; it returns an error body or "".
func (st *ssoState) client(id, secret string, now time.Time) string {
	c, ok := st.clients[id]
	if !ok || !constantTimeEqual(c.secret, secret) || !now.Before(c.expires) {
		return "invalid_client"
	}
	return ""
}

func (s *Server) startDeviceAuthorization(w http.ResponseWriter, clientID, secret, startURL string) {
	if inj, ok := s.record("StartDeviceAuthorization"); ok {
		writeOIDCError(w, inj.status, inj.code, "", "injected failure")
		return
	}
	now := s.now()
	st := s.sso
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.client(clientID, secret, now) != "" {
		writeOIDCError(w, 401, "InvalidClientException", "invalid_client", "Invalid client provided")
		return
	}
	if !strings.HasPrefix(startURL, "https://") {
		writeOIDCError(w, 400, "InvalidRequestException", "invalid_request", "startUrl must be an https URL")
		return
	}
	code := randomToken(80)
	user := randomID(4) + "-" + randomID(4)
	st.devices[code] = &ssoDevice{clientID: clientID, userCode: user, expires: now.Add(st.opts.DeviceCodeLifetime)}
	interval := int(st.opts.Interval / time.Second)
	if interval < 1 {
		interval = 1
	}
	verify := "https://device.sso.fake.example/"
	writeJSON(w, map[string]any{
		"deviceCode": code, "userCode": user, "verificationUri": verify,
		"verificationUriComplete": verify + "?user_code=" + user,
		"expiresIn":               int(st.opts.DeviceCodeLifetime / time.Second), "interval": interval,
	})
}

func (s *Server) createToken(w http.ResponseWriter, clientID, secret, grant, deviceCode, refreshToken string) {
	kind := strings.TrimPrefix(grant, "urn:ietf:params:oauth:grant-type:")
	if inj, ok := s.record("CreateToken", kind); ok {
		writeOIDCError(w, inj.status, inj.code, "", "injected failure")
		return
	}
	now := s.now()
	st := s.sso
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.client(clientID, secret, now) != "" {
		writeOIDCError(w, 401, "InvalidClientException", "invalid_client", "Invalid client provided")
		return
	}
	switch grant {
	case "urn:ietf:params:oauth:grant-type:device_code":
		d, ok := st.devices[deviceCode]
		switch {
		case !ok || d.clientID != clientID || d.used:
			writeOIDCError(w, 400, "InvalidGrantException", "invalid_grant", "Invalid grant provided")
			return
		case !now.Before(d.expires):
			writeOIDCError(w, 400, "ExpiredTokenException", "expired_token", "Device code has expired")
			return
		}
		// A poll sooner than the interval (less a little for scheduling)
		// is told to slow down, as RFC 8628 section 3.5 says.
		early := !d.lastPoll.IsZero() && now.Sub(d.lastPoll) < st.opts.Interval-st.opts.Interval/4
		d.lastPoll = now
		if early {
			writeOIDCError(w, 400, "SlowDownException", "slow_down", "Client is polling too quickly")
			return
		}
		if !d.approved {
			writeOIDCError(w, 400, "AuthorizationPendingException", "authorization_pending", "Authorization is still pending")
			return
		}
		d.used = true
	case "refresh_token":
		if owner, ok := st.refresh[refreshToken]; !ok || owner != clientID {
			writeOIDCError(w, 400, "InvalidGrantException", "invalid_grant", "Invalid grant provided")
			return
		}
		delete(st.refresh, refreshToken) // refresh tokens rotate
	default:
		writeOIDCError(w, 400, "UnsupportedGrantTypeException", "unsupported_grant_type", "Unsupported grant type")
		return
	}
	access := "aoa" + randomToken(400)
	st.access[access] = now.Add(st.opts.AccessTokenLifetime)
	out := map[string]any{"accessToken": access, "tokenType": "Bearer", "expiresIn": int(st.opts.AccessTokenLifetime / time.Second)}
	if !st.opts.NoRefreshTokens && st.clients[clientID].scoped {
		rt := "aor" + randomToken(400)
		st.refresh[rt] = clientID
		out["refreshToken"] = rt
	}
	writeJSON(w, out)
}

func (s *Server) getRoleCredentials(w http.ResponseWriter, r *http.Request) {
	account, roleName := r.URL.Query().Get("account_id"), r.URL.Query().Get("role_name")
	st := s.sso
	st.mu.Lock()
	arn := st.roles[[2]string{account, roleName}]
	exp, ok := st.access[r.Header.Get("X-Amz-Sso_bearer_token")]
	st.mu.Unlock()
	if inj, injected := s.record("GetRoleCredentials", arn); injected {
		writeEKSError(w, &apiError{Status: inj.status, Code: inj.code, Message: "injected failure"})
		return
	}
	now := s.now()
	switch {
	case r.Method != http.MethodGet:
		writeEKSError(w, &apiError{Status: 400, Code: "InvalidRequestException", Message: "GET only"})
	case !ok || !now.Before(exp):
		writeEKSError(w, &apiError{Status: 401, Code: "UnauthorizedException", Message: "Session token not found or invalid"})
	case arn == "":
		writeEKSError(w, &apiError{Status: 403, Code: "ForbiddenException", Message: "No access"})
	default:
		p, _ := parseRoleARN(arn)
		s.mu.Lock()
		ro := *s.roles[arn]
		s.mu.Unlock()
		ro.partition, ro.account, ro.path, ro.name = p.partition, p.account, p.path, p.name
		akid, id := s.issue(&ro, st.userName, "", time.Hour)
		writeJSON(w, map[string]any{"roleCredentials": map[string]any{
			"accessKeyId": akid, "secretAccessKey": id.secret, "sessionToken": id.token,
			"expiration": id.expires.UnixMilli(),
		}})
	}
}

// writeOIDCError writes an sso-oidc error: the exception name in
// X-Amzn-ErrorType (which the SDKs read) and the OAuth error in the body.
func writeOIDCError(w http.ResponseWriter, status int, code, oauth, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": oauth, "error_description": desc})
}
