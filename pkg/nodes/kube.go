package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/eksxa/kubectl-eksxa/pkg/kubeapi"
)

// Node is what the report needs of a Kubernetes Node: a small struct
// decoded from the API's JSON, not the generated API types (whose
// packages would weigh on every kubectl call of this binary).
type Node struct {
	Name   string
	Labels map[string]string
	// KubeletVersion is status.nodeInfo.kubeletVersion, e.g.
	// "v1.31.4-eks-aeac579".
	KubeletVersion string
	// OSImage is status.nodeInfo.osImage, e.g. "Amazon Linux 2023.6.20250123".
	OSImage string
	// Ready is the status of the Ready condition ("True", "False",
	// "Unknown"; "" when absent).
	Ready string
}

// nodeList is the JSON of a v1 NodeList, as far as it is read.
type nodeList struct {
	Metadata struct {
		Continue string `json:"continue"`
	} `json:"metadata"`
	Items []struct {
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Status struct {
			NodeInfo struct {
				KubeletVersion string `json:"kubeletVersion"`
				OSImage        string `json:"osImage"`
			} `json:"nodeInfo"`
			Conditions []struct {
				Type   string `json:"type"`
				Status string `json:"status"`
			} `json:"conditions"`
		} `json:"status"`
	} `json:"items"`
}

// APIError is a refusal or failure answered by the cluster's API server.
type APIError struct {
	// Status is the HTTP status: 401 (the token's principal is not
	// mapped), 403 (its Kubernetes user may not list nodes), ...
	Status int
	// Message is the Status object's message, when there is one.
	Message string
}

func (e *APIError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
}

// pageSize is the limit asked of each GET /api/v1/nodes, as kubectl does.
const pageSize = 500

// ListNodes lists every node of the cluster at endpoint (paged with
// limit/continue), authenticating with the bearer token and trusting caPEM
// (the cluster CA, PEM) when given. client supplies timeouts and the
// transport to clone (nil: a 30-second timeout and the default transport).
// A refusal is an *APIError; the token is never put in an error.
func ListNodes(ctx context.Context, client *http.Client, endpoint string, caPEM []byte, token string) ([]Node, error) {
	base, err := kubeapi.URL(endpoint, "/api/v1/nodes")
	if err != nil {
		return nil, err
	}
	c, err := kubeapi.Trusting(client, caPEM)
	if err != nil {
		return nil, err
	}
	var nodes []Node
	cont := ""
	for page := 0; ; page++ {
		if page > 10000 {
			return nil, errors.New("listing nodes: the API server keeps answering with a continue token")
		}
		u := *base
		q := url.Values{"limit": {fmt.Sprint(pageSize)}}
		if cont != "" {
			q.Set("continue", cont)
		}
		u.RawQuery, u.Fragment = q.Encode(), ""
		list, err := getNodes(ctx, c, u.String(), token)
		if err != nil {
			return nil, err
		}
		for _, it := range list.Items {
			n := Node{Name: it.Metadata.Name, Labels: it.Metadata.Labels, KubeletVersion: it.Status.NodeInfo.KubeletVersion, OSImage: it.Status.NodeInfo.OSImage}
			for _, cond := range it.Status.Conditions {
				if cond.Type == "Ready" {
					n.Ready = cond.Status
				}
			}
			nodes = append(nodes, n)
		}
		if cont = list.Metadata.Continue; cont == "" {
			return nodes, nil
		}
	}
}

func getNodes(ctx context.Context, c *http.Client, u, token string) (*nodeList, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("listing nodes: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET /api/v1/nodes: %w", redact(err, token))
	}
	defer func() { _ = resp.Body.Close() }() // read to the end below; nothing to report
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("GET /api/v1/nodes: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var st struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &st)
		return nil, &APIError{Status: resp.StatusCode, Message: st.Message}
	}
	var list nodeList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("GET /api/v1/nodes: the answer is not a NodeList: %w", err)
	}
	return &list, nil
}

// redact removes the token from an error's text, should a transport ever
// echo a header.
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
}
