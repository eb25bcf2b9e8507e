// Package kubeapi holds what every call this plugin makes to a cluster's
// own API server needs: the endpoint as DescribeCluster gives it, checked,
// and an HTTP client that trusts the cluster's CA. It speaks no Kubernetes
// API itself (doctor's /version check and nodes' node list do), so it pulls
// in no client-go packages and no package init.
package kubeapi

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one request when the caller gives no client.
const DefaultTimeout = 30 * time.Second

// URL joins path (e.g. "/version", "/api/v1/nodes") to endpoint, the
// cluster's endpoint as DescribeCluster returns it ("https://HOST[/PREFIX]").
// An endpoint that is not an absolute http(s) URL is an error naming it.
func URL(endpoint, path string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("cluster endpoint %q is not an http(s) URL", endpoint)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// Trusting returns a copy of client (nil: one with DefaultTimeout and
// http.DefaultTransport) whose transport trusts caPEM, the cluster CA in
// PEM, and nothing else. With no caPEM the copy trusts what client does.
// caPEM with no certificate, or a client whose transport is not an
// *http.Transport (so it cannot be given the CA), is an error.
func Trusting(client *http.Client, caPEM []byte) (*http.Client, error) {
	c := &http.Client{Timeout: DefaultTimeout}
	if client != nil {
		cc := *client
		c = &cc
	}
	if len(caPEM) == 0 {
		return c, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("cluster CA data holds no PEM certificate")
	}
	var tr *http.Transport
	switch t := c.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, fmt.Errorf("the HTTP client's transport is %T, not *http.Transport: cannot trust the cluster CA", t)
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.RootCAs = pool
	c.Transport = tr
	return c, nil
}
