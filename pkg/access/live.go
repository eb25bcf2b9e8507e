package access

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/eksxa/kubectl-eksxa/pkg/kubeapi"
)

// LiveCheck asks the cluster itself: a GET of /version on endpoint with
// "Authorization: Bearer token", trusting caData (the cluster CA, PEM) on
// top of nothing else when it is given. It returns the HTTP status: 401
// means the cluster refused the principal; 200 and 403 mean it
// authenticated it. client supplies timeouts and the transport to clone
// (nil: a client with a 10-second timeout). The token is never put in the
// error.
func LiveCheck(ctx context.Context, client *http.Client, endpoint string, caData []byte, token string) (status int, err error) {
	u, err := kubeapi.URL(endpoint, "/version")
	if err != nil {
		return 0, err
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	c, err := kubeapi.Trusting(client, caData)
	if err != nil {
		return 0, fmt.Errorf("live check: %w", err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, fmt.Errorf("live check: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("live check GET %s: %w", u.Redacted(), err)
	}
	defer func() { _ = resp.Body.Close() }() // read-only: the status is the answer
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, nil
}

// AddLiveCheck folds the result of LiveCheck into the report: 401 makes
// the verdict denied, 200 or 403 allowed (dropping a fix that was only
// about getting in); any other status or an error is recorded and changes
// nothing.
func (r *Report) AddLiveCheck(status int, err error) {
	if err != nil {
		r.Live = &Live{Error: err.Error()}
		return
	}
	r.Live = &Live{Status: status}
	switch status {
	case http.StatusUnauthorized:
		r.Verdict = Denied
		r.Reason = "the cluster answered 401 Unauthorized: it does not map this principal."
		if r.Entry != nil {
			r.note("An access entry exists yet the cluster refused the token: if the IAM role or user was deleted and recreated after the entry was made, the entry no longer matches (EKS keeps the principal's unique ID); delete and recreate the entry. Also check that the token was made for this cluster name and region.")
		}
	case http.StatusOK, http.StatusForbidden:
		if r.Verdict != Allowed {
			r.Verdict = Allowed
			r.Reason = fmt.Sprintf("the cluster authenticated the token (HTTP %d).", status)
			if r.Entry == nil && r.AuthMode != ModeAPI {
				r.note("No access entry was found for the principal, so the aws-auth ConfigMap (or the cluster creator's implicit access) maps it.")
			}
			if r.Fix != nil {
				r.Fix = &Fix{IAMPolicy: r.Fix.IAMPolicy}
				if r.Fix.IAMPolicy == "" {
					r.Fix = nil
				}
			}
		}
	default:
		r.note(fmt.Sprintf("The live check answered HTTP %d, which says nothing about authentication.", status))
	}
}
