package awsstandin

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stages is a stand-in of a REST API's deployed stages as a client of
// execute-api sees them: GET /STAGE/PATH is answered by the backend the
// stage's variables name, a canary's share by the canary's backend. A
// backend is the sample application: "/health" answers {"status":"ok"}, any
// other path {"backend":NAME,"version":VERSION}.
type Stages struct {
	// Stages are the stages by name.
	Stages map[string]StageRoute
	// Versions are the application version each backend answers with.
	Versions map[string]string
	// Region, when set, makes every stage require SigV4 signatures for
	// execute-api in that region, as methods with AWS_IAM authorization
	// do: an unsigned request is answered 403 "Missing Authentication Token".
	Region string
	// AuthHeader, when set, is a header without which a request is answered
	// 403 "Missing Authentication Token", as a stage behind an authorizer
	// refuses a request without its identity source (a token is not SigV4,
	// so Region cannot stand for it).
	AuthHeader string
	// RouteHeader, when set, is a header whose value, when present, names
	// the stage that answers whatever the path, as a custom domain's
	// routing rules on a header do.
	RouteHeader string
	// Status, when set, is the status of every answer, with API Gateway's
	// {"message":"Forbidden"} body.
	Status int
	// Body, when set, is the body of every answer but /health's.
	Body string
	// Delay is how long each answer waits.
	Delay time.Duration
	// Check, when set, is called with every request the stage lets through
	// (Region and AuthHeader refuse the others); the first error it returns
	// is kept for Failure.
	Check func(r *http.Request) error

	served  map[string]*atomic.Int64
	once    sync.Once
	failure atomic.Value
	server  *httptest.Server
}

// StageRoute is where a stage sends its requests.
type StageRoute struct {
	// Backend is the backend the stage's variables name.
	Backend string
	// CanaryBackend, when set, answers every CanaryEvery-th request.
	CanaryBackend string
	CanaryEvery   int64
}

// Start serves the stages on a loopback port and returns the URL that
// stands for the API's invoke URL without the stage.
func (s *Stages) Start() string {
	s.server = httptest.NewServer(s)
	return s.server.URL
}

// Close stops the stand-in.
func (s *Stages) Close() {
	if s.server != nil {
		s.server.Close()
	}
}

// Failure is the first error Check returned, or nil.
func (s *Stages) Failure() error {
	if f, ok := s.failure.Load().(error); ok {
		return f
	}
	return nil
}

var executeAPIScope = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/execute-api/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]+$`)

func (s *Stages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.once.Do(func() {
		s.served = map[string]*atomic.Int64{}
		for name := range s.Stages {
			s.served[name] = &atomic.Int64{}
		}
	})
	time.Sleep(s.Delay)
	w.Header().Set("Content-Type", "application/json")
	if s.Region != "" {
		scope := executeAPIScope.FindStringSubmatch(r.Header.Get("Authorization"))
		if scope == nil || scope[1] != s.Region || r.Header.Get("X-Amz-Date") == "" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Missing Authentication Token"}`)
			return
		}
	}
	if s.AuthHeader != "" && r.Header.Get(s.AuthHeader) == "" {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Missing Authentication Token"}`)
		return
	}
	// A refused request never reaches the stage's integration, so Check
	// sees only the requests the stage lets through.
	if s.Check != nil {
		if err := s.Check(r); err != nil {
			s.failure.CompareAndSwap(nil, err)
		}
	}
	if s.Status != 0 {
		w.WriteHeader(s.Status)
		fmt.Fprint(w, `{"message":"Forbidden"}`)
		return
	}
	name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if routed := r.Header.Get(s.RouteHeader); s.RouteHeader != "" && routed != "" {
		name = routed
	}
	stage, ok := s.Stages[name]
	if !ok {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Forbidden"}`)
		return
	}
	if rest == "health" {
		fmt.Fprint(w, `{"status":"ok"}`)
		return
	}
	if s.Body != "" {
		fmt.Fprint(w, s.Body)
		return
	}
	backend := stage.Backend
	if stage.CanaryBackend != "" && s.served[name].Add(1)%stage.CanaryEvery == 0 {
		backend = stage.CanaryBackend
	}
	fmt.Fprintf(w, `{"backend":%q,"version":%q}`, backend, s.Versions[backend])
}
