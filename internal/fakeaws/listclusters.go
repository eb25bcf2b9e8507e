package fakeaws

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// eksMaxResults is the most names EKS returns in one ListClusters page, and
// its default.
const eksMaxResults = 100

// pageToken is what a ListClusters nextToken carries: who may use it and
// the last name already returned. Real tokens are opaque too; tying this
// one to the caller's account and region makes a token replayed elsewhere
// fail as EKS would (InvalidParameterException).
type pageToken struct {
	Account string `json:"a"`
	Region  string `json:"r"`
	After   string `json:"n"`
}

// listClusters answers ListClusters (GET /clusters?maxResults=&nextToken=):
// the names of the clusters a caller of that account sees in the signed
// region, sorted, a page at a time.
func (s *Server) listClusters(w http.ResponseWriter, r *http.Request, caller *identity, region string) {
	q := r.URL.Query()
	limit := eksMaxResults
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > eksMaxResults {
			writeEKSError(w, &apiError{Status: 400, Code: "InvalidParameterException", Message: fmt.Sprintf("maxResults must be between 1 and %d", eksMaxResults)})
			return
		}
		limit = n
	}
	s.mu.Lock()
	if s.pageSize > 0 && s.pageSize < limit {
		limit = s.pageSize
	}
	denied := s.eksDenials[callKey{"ListClusters", caller.principal}] || s.eksDenials[callKey{"ListClusters", caller.arn}]
	var names []string
	for name, same := range s.clusters {
		for _, c := range same {
			if c.visible(caller.account, region) {
				names = append(names, name)
				break
			}
		}
	}
	s.mu.Unlock()
	if denied {
		writeEKSError(w, &apiError{Status: 403, Code: "AccessDeniedException", Message: fmt.Sprintf(
			"User: %s is not authorized to perform: eks:ListClusters on resource: arn:%s:eks:%s:%s:cluster/*", caller.arn, caller.partition, region, caller.account)})
		return
	}
	slices.Sort(names)

	start := 0
	if tok := q.Get("nextToken"); tok != "" {
		pt, ok := decodePageToken(tok)
		if !ok || pt.Account != caller.account || pt.Region != region {
			writeEKSError(w, &apiError{Status: 400, Code: "InvalidParameterException", Message: "The nextToken provided is invalid."})
			return
		}
		start, _ = slices.BinarySearch(names, pt.After)
		if start < len(names) && names[start] == pt.After {
			start++
		}
	}
	end := min(start+limit, len(names))
	out := map[string]any{"clusters": append([]string{}, names[start:end]...)}
	if end < len(names) {
		out["nextToken"] = encodePageToken(pageToken{Account: caller.account, Region: region, After: names[end-1]})
	}
	writeJSON(w, out)
}

func encodePageToken(pt pageToken) string {
	b, _ := json.Marshal(pt)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePageToken(s string) (pageToken, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return pageToken{}, false
	}
	var pt pageToken
	if json.Unmarshal(b, &pt) != nil || pt.After == "" {
		return pageToken{}, false
	}
	return pt, true
}
