package apiserver

import (
	"encoding/pem"
	"net/http/httptest"
)

func certPEM(s *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
}
