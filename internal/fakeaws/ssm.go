package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SetSSMParameter publishes a parameter (such as AWS's public
// /aws/service/eks/optimized-ami/... ones) in region; every authenticated
// caller may read it with GetParameter unless DenySSM says otherwise.
func (s *Server) SetSSMParameter(region, name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssmParams == nil {
		s.ssmParams = map[string]string{}
	}
	s.ssmParams[region+"\x00"+name] = value
}

// DenySSM makes every later SSM call by principalARN (a user ARN, a role
// ARN for all its sessions, or one session's assumed-role ARN) fail with
// AccessDeniedException.
func (s *Server) DenySSM(principalARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eksDenials[callKey{"ssm:*", principalARN}] = true
}

// isSSM reports whether r is an SSM (awsJson1.1) request.
func isSSM(r *http.Request) bool {
	return r.URL.Path == "/" && strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
}

// serveSSM answers SSM's JSON protocol: POST / with X-Amz-Target
// AmazonSSM.ACTION. Only GetParameter is served.
func (s *Server) serveSSM(w http.ResponseWriter, r *http.Request, body []byte) {
	caller, sr, aerr := s.authenticate(r, body, "ssm")
	if aerr != nil {
		writeSSMError(w, eksAuthError(aerr))
		return
	}
	action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	if r.Method != http.MethodPost || action != "GetParameter" {
		writeSSMError(w, &apiError{Status: 400, Code: "UnknownOperationException", Message: action + " is not an operation of this fake"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeSSMError(w, &apiError{Status: 400, Code: "SerializationException", Message: "unexpected content type " + ct})
		return
	}
	if inj, ok := s.record(action, caller.principal); ok {
		writeSSMError(w, injectedError(inj))
		return
	}
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		writeSSMError(w, &apiError{Status: 400, Code: "ValidationException", Message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"})
		return
	}
	s.mu.Lock()
	denied := s.eksDenials[callKey{"ssm:*", caller.principal}] || s.eksDenials[callKey{"ssm:*", caller.arn}]
	value, ok := s.ssmParams[sr.Region+"\x00"+in.Name]
	s.mu.Unlock()
	arn := fmt.Sprintf("arn:%s:ssm:%s::parameter%s", caller.partition, sr.Region, in.Name)
	if denied {
		writeSSMError(w, &apiError{Status: 400, Code: "AccessDeniedException", Message: fmt.Sprintf("User: %s is not authorized to perform: ssm:GetParameter on resource: %s because no identity-based policy allows the ssm:GetParameter action", caller.arn, arn)})
		return
	}
	if !ok {
		writeSSMError(w, &apiError{Status: 400, Code: "ParameterNotFound", Message: ""})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
		"Name": in.Name, "Type": "String", "Value": value, "Version": 1,
		"LastModifiedDate": float64(s.now().Add(-24 * time.Hour).Unix()), "ARN": arn, "DataType": "text",
	}})
}

func writeSSMError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
}
