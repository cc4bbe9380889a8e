package awsstandin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
)

// JSONService is a stand-in of an AWS API that speaks the AWS JSON 1.1
// protocol: a POST with Content-Type application/x-amz-json-1.1 and the
// header X-Amz-Target PREFIX.ACTION, whose body is a JSON object, answered
// with a JSON object, or an error as {"__type": CODE, "message": ...}
// ("AWS JSON 1.1 protocol", Smithy's protocol reference).
type JSONService struct {
	// SigningName is the service name in a request's SigV4 credential scope.
	SigningName string
	// TargetPrefix is what X-Amz-Target names before the action.
	TargetPrefix string
	// Actions are the actions the stand-in answers, by name.
	Actions map[string]*JSONAction

	mu     sync.Mutex
	calls  []JSONCall
	server *httptest.Server
}

// JSONAction is one action: the request members its API reference lists
// and how it answers.
type JSONAction struct {
	// Members are the members the request may have; any other is rejected.
	Members []string
	// Answer returns the response object, or an error to send.
	Answer func(body map[string]any) (any, *Error)
}

// JSONCall is a request the stand-in received.
type JSONCall struct {
	// Action is the action called.
	Action string
	// Body is the request's JSON object.
	Body map[string]any
}

// Start serves the stand-in on a loopback port and returns its URL.
func (s *JSONService) Start() string {
	s.server = httptest.NewServer(s)
	return s.server.URL
}

// Close stops the stand-in.
func (s *JSONService) Close() {
	if s.server != nil {
		s.server.Close()
	}
}

// Calls returns the calls received so far and forgets them.
func (s *JSONService) Calls() []JSONCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := s.calls
	s.calls = nil
	return calls
}

func (s *JSONService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, body, err := s.parse(r)
	if err != nil {
		writeJSONError(w, err)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, JSONCall{Action: name, Body: body})
	s.mu.Unlock()
	answer, answerErr := s.Actions[name].Answer(body)
	if answerErr != nil {
		writeJSONError(w, answerErr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if err := json.NewEncoder(w).Encode(answer); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// parse checks a request against the protocol and the action's members.
func (s *JSONService) parse(r *http.Request) (string, map[string]any, *Error) {
	invalid := func(format string, args ...any) (string, map[string]any, *Error) {
		return "", nil, &Error{Status: http.StatusBadRequest, Code: "ValidationException", Message: "stand-in: " + fmt.Sprintf(format, args...)}
	}
	scope := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if scope == nil || scope[2] != s.SigningName {
		return invalid("the request is not SigV4-signed for service %q: Authorization %q", s.SigningName, r.Header.Get("Authorization"))
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		return invalid("%s with Content-Type %q; the JSON 1.1 protocol posts application/x-amz-json-1.1", r.Method, r.Header.Get("Content-Type"))
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, s.TargetPrefix+".")
	action := s.Actions[name]
	if !ok || action == nil {
		return "", nil, &Error{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: "stand-in: X-Amz-Target " + target}
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return invalid("unreadable body: %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		return invalid("%s: the body %q is not a JSON object", name, data)
	}
	for member := range body {
		if !slices.Contains(action.Members, member) {
			return invalid("%s takes no member %q", name, member)
		}
	}
	return name, body, nil
}

// writeJSONError writes a JSON 1.1 error: the status, and the code as
// __type beside the message.
func writeJSONError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(e.Status)
	if err := json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message}); err != nil {
		panic(http.ErrAbortHandler)
	}
}
