// Package awsstandin holds loopback stand-ins of the AWS APIs that the app's
// deploy-time code calls. Each checks every request against the API
// reference (protocol, version, action, parameter names and values) and
// answers with the response shapes the reference documents, so a client that
// passes against a stand-in sends what AWS would accept.
package awsstandin

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// QueryService is a stand-in of an AWS API that speaks the Query protocol
// (awsQuery): form-encoded POST requests naming an Action and a Version,
// answered in XML ("Making Query requests", each service's API reference).
type QueryService struct {
	// SigningName is the service name in a request's SigV4 credential scope.
	SigningName string
	// Version is the API version every request must name.
	Version string
	// Namespace is the XML namespace of every response.
	Namespace string
	// EC2 selects the EC2 dialect of the protocol, whose answers have no
	// Result element and whose errors are Response/Errors/Error ("Query
	// requests for Amazon EC2", "Error codes for the Amazon EC2 API").
	EC2 bool
	// IAMPrefix is the service prefix of the API's IAM actions.
	IAMPrefix string
	// Actions are the actions the stand-in answers, by name.
	Actions map[string]*Action
	// Credentials are the access keys, id to secret, whose Signature
	// Version 4 signatures the stand-in recomputes and accepts. Nil: it
	// checks only that a request is signed for the service.
	Credentials map[string]string

	mu       sync.Mutex
	calls    []Call
	faults   map[string][]*Error
	throttle map[string]bool
	allows   func(action, resource string) bool
	server   *httptest.Server
}

// Authorize gives the stand-in the caller's policies: allows says whether
// they allow an IAM action ("service:Action") on a resource ARN, and a
// denied call is answered AccessDenied, as IAM does. Nil allows every call.
func (s *QueryService) Authorize(allows func(action, resource string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allows = allows
}

// Action is one API action: the parameters it takes and how it answers.
type Action struct {
	// Params are the parameters the action accepts; any other is rejected.
	Params []Param
	// Answer returns the action's result element, or an error to send.
	Answer func(call Call) (any, *Error)
	// Resource is the ARN the call is authorized against. Default: "*".
	Resource func(call Call) string
	// PerItem marks an action that IAM does not deny as a whole: it answers
	// only the items the caller may read, which Answer filters with
	// QueryService.Allows.
	PerItem bool
	// CallerReads are what the service reads downstream with the caller's
	// rights to answer; lacking one fails the call with Downstream.
	CallerReads func(call Call) []Permission
	// Downstream is the error answered when a CallerReads action is denied.
	Downstream *Error
}

// Param is a parameter of an action, named as the Query protocol flattens
// it: "N" stands for a list index from 1, e.g. "Filters.member.N.Type".
type Param struct {
	// Name is the flattened name.
	Name string
	// Required makes a request without the parameter a ValidationError.
	Required bool
	// Values, when set, are the only values the parameter may take.
	Values []string
}

// Call is a request the stand-in received.
type Call struct {
	// Action is the action called.
	Action string
	// Params are the request's parameters, without Action and Version.
	Params url.Values
	// Region is the region of the request's SigV4 credential scope.
	Region string
	// Permission is the IAM action and resource the call is authorized as.
	Permission Permission
}

// Error is an error answer: the HTTP status and the error's code and message.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// AccessDenied is the answer to a caller whose policies do not allow action.
func AccessDenied(service, action string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "AccessDenied",
		Message: fmt.Sprintf("User: arn:aws:sts::111111111111:assumed-role/rehearsal/lambda is not authorized to perform: %s:%s because no identity-based policy allows the %s:%s action", service, action, service, action)}
}

// Start serves the stand-in on a loopback port and returns its URL.
func (s *QueryService) Start() string {
	s.server = httptest.NewServer(s)
	return s.server.URL
}

// Close stops the stand-in.
func (s *QueryService) Close() {
	if s.server != nil {
		s.server.Close()
	}
}

// FailNext makes the next calls of action answer the given errors, one each,
// before it answers normally again.
func (s *QueryService) FailNext(action string, errs ...*Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults == nil {
		s.faults = map[string][]*Error{}
	}
	s.faults[action] = append(s.faults[action], errs...)
}

// ThrottleOncePerAction makes the next call of each action answer
// Throttling (400, "Rate exceeded") in the Query error envelope, as Elastic
// Beanstalk and Elastic Load Balancing do under load
// (einaregilsson/beanstalk-deploy#9: "Status: 400. Code: Throttling,
// Message: Rate exceeded"; zalando-stups/senza#81 shows the envelope).
func (s *QueryService) ThrottleOncePerAction() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = map[string]bool{}
	for name := range s.Actions {
		s.throttle[name] = true
	}
}

// Throttled is the error a throttled call is answered with.
var Throttled = &Error{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}

// Calls returns the calls received so far and forgets them.
func (s *QueryService) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := s.calls
	s.calls = nil
	return calls
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request`)

func (s *QueryService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Credentials != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if err := verifySignature(r, body, s.Credentials, s.SigningName); err != nil {
			s.writeError(w, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	call, err := s.parse(r)
	if err != nil {
		s.writeError(w, err)
		return
	}
	action := s.Actions[call.Action]
	call.Permission = Permission{Action: s.IAMPrefix + ":" + call.Action, Resource: "*"}
	if action.Resource != nil {
		call.Permission.Resource = action.Resource(call)
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	var fault *Error
	if s.throttle[call.Action] {
		fault = Throttled
		delete(s.throttle, call.Action)
	} else if queued := s.faults[call.Action]; len(queued) > 0 {
		fault, s.faults[call.Action] = queued[0], queued[1:]
	}
	s.mu.Unlock()
	if fault != nil {
		s.writeError(w, fault)
		return
	}
	if err := s.authorize(action, call); err != nil {
		s.writeError(w, err)
		return
	}
	result, answerErr := action.Answer(call)
	if answerErr != nil {
		s.writeError(w, answerErr)
		return
	}
	s.writeResult(w, call.Action, result)
}

// Allows says whether the caller's policies allow action on resource; with
// no policies given, everything is allowed.
func (s *QueryService) Allows(action, resource string) bool {
	s.mu.Lock()
	allows := s.allows
	s.mu.Unlock()
	return allows == nil || allows(action, resource)
}

// authorize applies the caller's policies, if the stand-in has them, to the
// call itself and to the reads the service makes with the caller's rights.
func (s *QueryService) authorize(action *Action, call Call) *Error {
	s.mu.Lock()
	allows := s.allows
	s.mu.Unlock()
	if allows == nil {
		return nil
	}
	if !action.PerItem && !allows(call.Permission.Action, call.Permission.Resource) {
		return AccessDenied(s.IAMPrefix, call.Action)
	}
	if action.CallerReads != nil {
		for _, read := range action.CallerReads(call) {
			if !allows(read.Action, read.Resource) {
				return action.Downstream
			}
		}
	}
	return nil
}

// Permission is an IAM action on a resource ARN.
type Permission struct {
	Action, Resource string
}

// parse checks a request against the protocol and the action's parameters.
func (s *QueryService) parse(r *http.Request) (Call, *Error) {
	invalid := func(format string, args ...any) (Call, *Error) {
		return Call{}, &Error{Status: http.StatusBadRequest, Code: "ValidationError", Message: "stand-in: " + fmt.Sprintf(format, args...)}
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return invalid("%s %s with Content-Type %q; the Query protocol posts a form", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	scope := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if scope == nil || scope[2] != s.SigningName {
		return invalid("the request is not SigV4-signed for service %q: Authorization %q", s.SigningName, r.Header.Get("Authorization"))
	}
	if err := r.ParseForm(); err != nil {
		return invalid("unreadable form: %v", err)
	}
	form := r.PostForm
	if v := form.Get("Version"); v != s.Version {
		return invalid("Version %q, want %q", v, s.Version)
	}
	name := form.Get("Action")
	action, ok := s.Actions[name]
	if !ok {
		return Call{}, &Error{Status: http.StatusBadRequest, Code: "InvalidAction", Message: fmt.Sprintf("stand-in: the action %q is not valid for this web service", name)}
	}
	params := url.Values{}
	for key, values := range form {
		if key == "Action" || key == "Version" {
			continue
		}
		p := action.match(key)
		if p == nil {
			return invalid("%s takes no parameter %q", name, key)
		}
		if len(p.Values) > 0 && !slices.Contains(p.Values, values[0]) {
			return invalid("%s: %s is %q; the API reference allows %s", name, key, values[0], strings.Join(p.Values, ", "))
		}
		params[key] = values
	}
	for _, p := range action.Params {
		if p.Required && !params.Has(p.Name) {
			return invalid("%s needs %s", name, p.Name)
		}
	}
	return Call{Action: name, Params: params, Region: scope[1]}, nil
}

func (a *Action) match(key string) *Param {
	parts := strings.Split(key, ".")
	for i, p := range a.Params {
		pattern := strings.Split(p.Name, ".")
		if len(pattern) != len(parts) {
			continue
		}
		matches := true
		for j, part := range pattern {
			if part == "N" {
				matches = matches && listIndex.MatchString(parts[j])
			} else {
				matches = matches && part == parts[j]
			}
		}
		if matches {
			return &a.Params[i]
		}
	}
	return nil
}

var listIndex = regexp.MustCompile(`^[1-9][0-9]*$`)

const requestID = "00000000-0000-4000-8000-000000000000"

// writeResult writes the Query protocol's success envelope: ActionResponse
// holding ActionResult and ResponseMetadata/RequestId.
func (s *QueryService) writeResult(w http.ResponseWriter, action string, result any) {
	w.Header().Set("Content-Type", "text/xml")
	enc := xml.NewEncoder(w)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: s.Namespace}}}
	if s.EC2 {
		// An EC2 answer is the response element itself, requestId included.
		must(enc.EncodeElement(result, start))
		must(enc.Flush())
		return
	}
	must(enc.EncodeToken(start))
	must(enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}))
	must(enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}))
	must(enc.EncodeToken(start.End()))
	must(enc.Flush())
}

// writeError writes the Query protocol's error envelope:
// ErrorResponse/Error/{Type,Code,Message} and RequestId.
func (s *QueryService) writeError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	if s.EC2 {
		type ec2Error struct {
			Code    string
			Message string
		}
		must(xml.NewEncoder(w).Encode(struct {
			XMLName   xml.Name   `xml:"Response"`
			Errors    []ec2Error `xml:"Errors>Error"`
			RequestID string
		}{Errors: []ec2Error{{e.Code, e.Message}}, RequestID: requestID}))
		return
	}
	errorType := "Sender"
	if e.Status >= 500 {
		errorType = "Receiver"
	}
	must(xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Namespace string   `xml:"xmlns,attr"`
		Error     struct {
			Type    string
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}{Namespace: s.Namespace, Error: struct {
		Type    string
		Code    string
		Message string
	}{errorType, e.Code, e.Message}, RequestID: requestID}))
}

// must panics on an error writing to the response, which only a broken
// connection causes; net/http recovers from it and drops that connection.
func must(err error) {
	if err != nil {
		panic(http.ErrAbortHandler)
	}
}
