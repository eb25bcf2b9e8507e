package fakeaws

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	stsVersion   = "2011-06-15"
)

var (
	sessionNameRE    = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	sourceIdentityRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDRE     = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	serialNumberRE   = regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)
	tokenCodeRE      = regexp.MustCompile(`^\d{6}$`)
)

func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request, body []byte, reqID string) {
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	fail := func(e *apiError) { writeSTSError(w, e, reqID, wantJSON) }

	params, perr := stsParams(r, body)
	if perr != nil {
		fail(perr)
		return
	}
	caller, _, aerr := s.authenticate(r, body, "sts")
	if aerr != nil {
		fail(aerr)
		return
	}
	action := params.Get("Action")
	if params.Get("Version") != stsVersion {
		fail(&apiError{Status: 400, Code: "InvalidAction", Message: fmt.Sprintf("Could not find operation %s for version %s", action, params.Get("Version"))})
		return
	}
	switch action {
	case "GetCallerIdentity":
		if inj, ok := s.record(action, caller.principal); ok {
			fail(injectedError(inj))
			return
		}
		s.getCallerIdentity(w, caller, reqID, wantJSON)
	case "AssumeRole":
		if inj, ok := s.record(action, params.Get("RoleArn")); ok {
			fail(injectedError(inj))
			return
		}
		out, err := s.assumeRole(caller, params)
		if err != nil {
			fail(err)
			return
		}
		out.XMLNS = stsNamespace
		out.ResponseMetadata.RequestID = reqID
		writeXML(w, out)
	default:
		fail(&apiError{Status: 400, Code: "InvalidAction", Message: fmt.Sprintf("Could not find operation %s for version %s", action, stsVersion)})
	}
}

// stsParams collects the Query protocol parameters: the form body of a POST
// and the query string (less the SigV4 X-Amz-* parameters).
func stsParams(r *http.Request, body []byte) (url.Values, *apiError) {
	params := url.Values{}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &apiError{Status: 400, Code: "MalformedQueryString", Message: "the query string is malformed"}
	}
	for k, vs := range q {
		if !strings.HasPrefix(k, "X-Amz-") {
			params[k] = vs
		}
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, &apiError{Status: 400, Code: "InvalidParameterValue", Message: "the request body must be application/x-www-form-urlencoded"}
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &apiError{Status: 400, Code: "MalformedQueryString", Message: "the request body is malformed"}
		}
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	default:
		return nil, &apiError{Status: 405, Code: "InvalidAction", Message: "method " + r.Method + " is not supported"}
	}
	return params, nil
}

func injectedError(inj injected) *apiError {
	msg := "injected failure"
	switch inj.code {
	case "Throttling", "ThrottlingException":
		msg = "Rate exceeded"
	case "InternalFailure", "ServerException", "InternalError":
		msg = "An internal error has occurred"
	}
	return &apiError{Status: inj.status, Code: inj.code, Message: msg}
}

type gciResult struct {
	Arn     string `xml:"Arn" json:"Arn"`
	UserID  string `xml:"UserId" json:"UserId"`
	Account string `xml:"Account" json:"Account"`
}

type responseMetadata struct {
	RequestID string `xml:"RequestId" json:"RequestId"`
}

type gciResponse struct {
	XMLName          xml.Name         `xml:"GetCallerIdentityResponse"`
	XMLNS            string           `xml:"xmlns,attr"`
	Result           gciResult        `xml:"GetCallerIdentityResult"`
	ResponseMetadata responseMetadata `xml:"ResponseMetadata"`
}

func (s *Server) getCallerIdentity(w http.ResponseWriter, caller *identity, reqID string, wantJSON bool) {
	res := gciResult{Arn: caller.arn, UserID: caller.userID, Account: caller.account}
	if wantJSON {
		var out struct {
			GetCallerIdentityResponse struct {
				GetCallerIdentityResult gciResult
				ResponseMetadata        responseMetadata
			}
		}
		out.GetCallerIdentityResponse.GetCallerIdentityResult = res
		out.GetCallerIdentityResponse.ResponseMetadata.RequestID = reqID
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
		return
	}
	writeXML(w, gciResponse{XMLNS: stsNamespace, Result: res, ResponseMetadata: responseMetadata{RequestID: reqID}})
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	XMLNS   string   `xml:"xmlns,attr"`
	Result  struct {
		Credentials struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
			SessionToken    string `xml:"SessionToken"`
			Expiration      string `xml:"Expiration"`
		} `xml:"Credentials"`
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		SourceIdentity string `xml:"SourceIdentity,omitempty"`
	} `xml:"AssumeRoleResult"`
	ResponseMetadata responseMetadata `xml:"ResponseMetadata"`
}

func validationError(format string, a ...any) *apiError {
	return &apiError{Status: 400, Code: "ValidationError", Message: fmt.Sprintf(format, a...)}
}

func constraintError(value, field, constraint string) *apiError {
	return validationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func (s *Server) assumeRole(caller *identity, p url.Values) (*assumeRoleResponse, *apiError) {
	roleArn, sessionName := p.Get("RoleArn"), p.Get("RoleSessionName")
	if roleArn == "" {
		return nil, validationError("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	if sessionName == "" {
		return nil, validationError("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	}
	if !sessionNameRE.MatchString(sessionName) {
		return nil, constraintError(sessionName, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]* and have length between 2 and 64`)
	}
	if len(roleArn) < 20 || len(roleArn) > 2048 {
		return nil, constraintError(roleArn, "roleArn", "Member must have length between 20 and 2048")
	}
	duration := time.Hour
	if ds := p.Get("DurationSeconds"); ds != "" {
		n, err := strconv.Atoi(ds)
		if err != nil {
			return nil, constraintError(ds, "durationSeconds", "Member must be an integer")
		}
		if n < 900 {
			return nil, constraintError(ds, "durationSeconds", "Member must have value greater than or equal to 900")
		}
		if n > 43200 {
			return nil, constraintError(ds, "durationSeconds", "Member must have value less than or equal to 43200")
		}
		duration = time.Duration(n) * time.Second
	}
	externalID, serial, code, srcID := p.Get("ExternalId"), p.Get("SerialNumber"), p.Get("TokenCode"), p.Get("SourceIdentity")
	if externalID != "" && (len(externalID) < 2 || len(externalID) > 1224 || !externalIDRE.MatchString(externalID)) {
		return nil, constraintError(externalID, "externalId", `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
	}
	if serial != "" && !serialNumberRE.MatchString(serial) {
		return nil, constraintError(serial, "serialNumber", `Member must satisfy regular expression pattern: [\w+=/:,.@-]*`)
	}
	if code != "" && !tokenCodeRE.MatchString(code) {
		return nil, constraintError(code, "tokenCode", `Member must satisfy regular expression pattern: [\d]*`)
	}
	if srcID != "" && (!sourceIdentityRE.MatchString(srcID) || strings.HasPrefix(strings.ToLower(srcID), "aws:")) {
		return nil, constraintError(srcID, "sourceIdentity", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if caller.roleSession && duration > time.Hour {
		return nil, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	denied := &apiError{Status: 403, Code: "AccessDenied", Message: fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.arn, roleArn)}
	s.mu.Lock()
	rl, ok := s.roles[roleArn]
	var ro role
	if ok {
		ro = *rl
	}
	s.mu.Unlock()
	if !ok || ro.account == "" || ro.opts.Deny || !trusts(ro.opts.Trusted, caller) {
		return nil, denied
	}
	if duration > ro.opts.MaxSessionDuration {
		return nil, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if ro.opts.ExternalID != "" && externalID != ro.opts.ExternalID {
		return nil, denied
	}
	if ro.opts.MFASerial != "" {
		if serial != ro.opts.MFASerial || code == "" {
			return nil, denied
		}
		if code != ro.opts.MFACode {
			return nil, &apiError{Status: 403, Code: "AccessDenied", Message: "MultiFactorAuthentication failed with invalid MFA one time pass code. "}
		}
	}
	if caller.sourceIdentity != "" {
		if srcID != "" && srcID != caller.sourceIdentity {
			return nil, denied
		}
		srcID = caller.sourceIdentity
	}

	lifetime := duration
	if ro.opts.MaxIssuedDuration > 0 && ro.opts.MaxIssuedDuration < lifetime {
		lifetime = ro.opts.MaxIssuedDuration
	}
	akid, id := s.issue(&ro, sessionName, srcID, lifetime)
	expires := id.expires
	out := &assumeRoleResponse{}
	c := &out.Result.Credentials
	c.AccessKeyID, c.SecretAccessKey, c.SessionToken = akid, id.secret, id.token
	c.Expiration = expires.Format(time.RFC3339)
	out.Result.AssumedRoleUser.Arn = id.arn
	out.Result.AssumedRoleUser.AssumedRoleID = id.userID
	out.Result.SourceIdentity = srcID
	return out, nil
}

// issue creates and registers a role session.
func (s *Server) issue(ro *role, sessionName, sourceIdentity string, lifetime time.Duration) (string, *identity) {
	akid := "ASIA" + randomID(16)
	id := &identity{
		secret:         randomSecret(),
		token:          randomToken(s.tokenSize),
		expires:        s.now().UTC().Add(lifetime).Truncate(time.Second),
		account:        ro.account,
		partition:      ro.partition,
		arn:            fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", ro.partition, ro.account, ro.name, sessionName),
		userID:         ro.id + ":" + sessionName,
		principal:      ro.arn,
		roleSession:    true,
		sourceIdentity: sourceIdentity,
	}
	s.mu.Lock()
	s.keys[akid] = id
	s.mu.Unlock()
	return akid, id
}

// AddSession issues role-session credentials for roleARN directly, as if
// AssumeRole had succeeded, without an HTTP call and without counting one:
// for tests that need temporary credentials of a chosen lifetime. The role
// is added (with default options) when unknown. It reports false when
// roleARN is not a role ARN.
func (s *Server) AddSession(roleARN, sessionName string, lifetime time.Duration) (Credentials, bool) {
	p, ok := parseRoleARN(roleARN)
	if !ok {
		return Credentials{}, false
	}
	s.mu.Lock()
	ro, known := s.roles[roleARN]
	if !known {
		ro = &role{arn: roleARN, id: "AROA" + randomID(17), opts: RoleOptions{MaxSessionDuration: time.Hour},
			partition: p.partition, account: p.account, path: p.path, name: p.name}
		s.roles[roleARN] = ro
	}
	r := *ro
	s.mu.Unlock()
	akid, id := s.issue(&r, sessionName, "", lifetime)
	return Credentials{AccessKeyID: akid, SecretAccessKey: id.secret, SessionToken: id.token, Expires: id.expires, ARN: id.arn}, true
}

// trusts reports whether a role's trust list admits caller.
func trusts(trusted []string, caller *identity) bool {
	if len(trusted) == 0 {
		return true
	}
	for _, t := range trusted {
		if t == caller.principal || t == caller.arn || t == "arn:"+caller.partition+":iam::"+caller.account+":root" {
			return true
		}
	}
	return false
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_ = xml.NewEncoder(w).Encode(v)
}

type stsErrorBody struct {
	Type    string `xml:"Type" json:"Type"`
	Code    string `xml:"Code" json:"Code"`
	Message string `xml:"Message" json:"Message"`
}

func writeSTSError(w http.ResponseWriter, e *apiError, reqID string, wantJSON bool) {
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	body := stsErrorBody{Type: typ, Code: e.Code, Message: e.Message}
	if wantJSON {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(struct {
			Error     stsErrorBody
			RequestID string `json:"RequestId"`
		}{body, reqID})
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name     `xml:"ErrorResponse"`
		XMLNS     string       `xml:"xmlns,attr"`
		Error     stsErrorBody `xml:"Error"`
		RequestID string       `xml:"RequestId"`
	}{XMLNS: stsNamespace, Error: body, RequestID: reqID})
}
