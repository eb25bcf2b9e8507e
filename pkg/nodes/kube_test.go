package nodes

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const bearer = "k8s-aws-v1.c2VjcmV0LXRva2Vu"

// nodeServer serves three nodes over TLS, one a page, and records what it
// was asked.
func nodeServer(t *testing.T, status int) (*httptest.Server, []byte, *[]string) {
	t.Helper()
	var asked []string
	pages := map[string]string{
		"":   `{"kind":"NodeList","metadata":{"continue":"c1"},"items":[{"metadata":{"name":"b","labels":{"eks.amazonaws.com/nodegroup":"ng"}},"status":{"nodeInfo":{"kubeletVersion":"v1.31.4-eks-1","osImage":"Amazon Linux 2023"},"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}]}}]}`,
		"c1": `{"kind":"NodeList","metadata":{"continue":"c2"},"items":[{"metadata":{"name":"a","labels":{"eks.amazonaws.com/compute-type":"fargate"}},"status":{"nodeInfo":{"kubeletVersion":"v1.31.4-eks-2","osImage":"Amazon Linux 2"}}}]}`,
		"c2": `{"kind":"NodeList","metadata":{},"items":[{"metadata":{"name":"c"},"status":{"nodeInfo":{"kubeletVersion":"v1.27.1","osImage":"Ubuntu 22.04"},"conditions":[{"type":"Ready","status":"Unknown"}]}}]}`,
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RequestURI())
		if r.Header.Get("Authorization") != "Bearer "+bearer || r.URL.Path != "/api/v1/nodes" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if status != http.StatusOK {
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "message": "nodes is forbidden: no"})
			return
		}
		_, _ = w.Write([]byte(pages[r.URL.Query().Get("continue")]))
	}))
	t.Cleanup(srv.Close)
	return srv, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), &asked
}

func TestListNodesPaged(t *testing.T) {
	srv, ca, asked := nodeServer(t, http.StatusOK)
	got, err := ListNodes(context.Background(), nil, srv.URL, ca, bearer)
	if err != nil {
		t.Fatal(err)
	}
	want := []Node{
		{Name: "b", Labels: map[string]string{"eks.amazonaws.com/nodegroup": "ng"}, KubeletVersion: "v1.31.4-eks-1", OSImage: "Amazon Linux 2023", Ready: "True"},
		{Name: "a", Labels: map[string]string{"eks.amazonaws.com/compute-type": "fargate"}, KubeletVersion: "v1.31.4-eks-2", OSImage: "Amazon Linux 2"},
		{Name: "c", KubeletVersion: "v1.27.1", OSImage: "Ubuntu 22.04", Ready: "Unknown"},
	}
	if len(got) != 3 || got[0].Name != want[0].Name || got[0].Ready != "True" || got[1].Labels["eks.amazonaws.com/compute-type"] != "fargate" || got[2].Ready != "Unknown" || got[2].OSImage != "Ubuntu 22.04" {
		t.Errorf("ListNodes = %+v\nwant %+v", got, want)
	}
	wantAsked := []string{"/api/v1/nodes?limit=500", "/api/v1/nodes?continue=c1&limit=500", "/api/v1/nodes?continue=c2&limit=500"}
	if strings.Join(*asked, " ") != strings.Join(wantAsked, " ") {
		t.Errorf("asked %v, want %v", *asked, wantAsked)
	}
}

func TestListNodesRefused(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		srv, ca, _ := nodeServer(t, status)
		tok := bearer
		if status == http.StatusUnauthorized {
			tok = "k8s-aws-v1.wrong"
		}
		_, err := ListNodes(context.Background(), nil, srv.URL, ca, tok)
		var api *APIError
		if !errors.As(err, &api) || api.Status != status {
			t.Errorf("HTTP %d: err %v, want an *APIError with that status", status, err)
		}
		if status == http.StatusForbidden && api != nil && api.Message != "nodes is forbidden: no" {
			t.Errorf("403 message %q", api.Message)
		}
	}
}

// TestListNodesErrorsHoldNoToken: whatever fails, the token is not in the
// error.
func TestListNodesErrorsHoldNoToken(t *testing.T) {
	srv, ca, _ := nodeServer(t, http.StatusOK)
	for name, call := range map[string]func() error{
		"untrusted server": func() error { _, err := ListNodes(context.Background(), nil, srv.URL, nil, bearer); return err },
		"bad CA": func() error {
			_, err := ListNodes(context.Background(), nil, srv.URL, []byte("not PEM"), bearer)
			return err
		},
		"bad endpoint": func() error { _, err := ListNodes(context.Background(), nil, "ftp://x", ca, bearer); return err },
		"closed port": func() error {
			_, err := ListNodes(context.Background(), nil, "https://127.0.0.1:1/?"+bearer, ca, bearer)
			return err
		},
		"not a node list": func() error {
			s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>" + bearer)) }))
			defer s.Close()
			_, err := ListNodes(context.Background(), s.Client(), s.URL, nil, bearer)
			return err
		},
	} {
		err := call()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), bearer) || strings.Contains(err.Error(), "c2VjcmV0") {
			t.Errorf("%s: the error holds the token: %v", name, err)
		}
	}
}
