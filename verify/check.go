package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// StagePlan is what one deployed stage must answer.
type StagePlan struct {
	// Name is the stage's name.
	Name string
	// URL is the stage's invoke URL, ending in "/".
	URL string
	// Backend is the backend the stage's variables name; empty when only a
	// path is checked.
	Backend string
	// Version is that backend's version.
	Version string
	// Canary is the stage's canary, nil without one or when only a path is checked.
	Canary *CanaryPlan
	// Signed says requests must be SigV4-signed (api.authorization "iam").
	Signed bool
}

// CanaryPlan is the canary of a stage.
type CanaryPlan struct {
	// Backend is the backend the canary's variables name.
	Backend string
	// Version is that backend's version.
	Version string
	// Percent is the share of requests the canary receives.
	Percent float64
}

// Limits bound the requests sent to one stage.
type Limits struct {
	// Path, when set, is the only path checked, for a 200 alone; the
	// answering backend is not checked.
	Path string
	// Requests is the number of GET / sent to a stage with a canary.
	Requests int
	// Samples is the number of requests sent to any other stage.
	Samples int
	// Concurrency is how many requests are in flight at once.
	Concurrency int
	// Timeout bounds each request; it only words the timeout message.
	Timeout time.Duration
}

// StageResult is the outcome of one stage.
type StageResult struct {
	// Stage is the stage's name.
	Stage string `json:"stage"`
	// URL is the stage's invoke URL.
	URL string `json:"url"`
	// Expected is the backend that should answer ("" when only a path is checked).
	Expected string `json:"expectedBackend,omitempty"`
	// Seen counts the answers of each backend.
	Seen map[string]int `json:"backendsSeen"`
	// Requests is the number of requests sent.
	Requests int `json:"requests"`
	// P50Ms and P95Ms are latency percentiles of the answered requests.
	P50Ms float64 `json:"p50Ms"`
	// P95Ms is the 95th latency percentile of the answered requests.
	P95Ms float64 `json:"p95Ms"`
	// Canary is the measured canary share, when the stage has a canary.
	Canary *CanaryShare `json:"canary,omitempty"`
	// HeaderRouted is the other stage's URL at which a request carrying
	// this stage's name in the domain's route header reached this stage;
	// empty when not checked.
	HeaderRouted string `json:"headerRoutedFrom,omitempty"`
	// RefusedStatus is what the stage answered a request without
	// credentials, 0 when its API is open.
	RefusedStatus int `json:"refusedWithoutCredentials,omitempty"`
	// Passed is true when the stage has no problem.
	Passed bool `json:"passed"`
	// Problems say what is wrong, one sentence each.
	Problems []string `json:"problems"`
}

// CanaryShare is the measured share of a stage's canary.
type CanaryShare struct {
	// Backend is the canary's backend.
	Backend string `json:"backend"`
	// WantPercent is the configured share.
	WantPercent float64 `json:"wantPercent"`
	// GotPercent is the measured share.
	GotPercent float64 `json:"gotPercent"`
	// TolerancePercent is how far the measured share may be from the
	// configured one: three standard deviations of the share over the
	// requests sent, so a correct canary fails about 3 runs in 1000.
	TolerancePercent float64 `json:"tolerancePercent"`
}

// sampleAnswer is what the sample application answers on "/".
type sampleAnswer struct {
	Backend *string `json:"backend"`
	Version *string `json:"version"`
}

// CheckStage sends the stage its requests and judges the answers.
func CheckStage(ctx context.Context, p Prober, plan StagePlan, limits Limits) StageResult {
	r := StageResult{Stage: plan.Name, URL: plan.URL, Expected: plan.Backend, Seen: map[string]int{}}
	path, n := strings.TrimPrefix(limits.Path, "/"), limits.Samples
	if limits.Path == "" {
		path = ""
		if plan.Canary != nil {
			n = limits.Requests
		}
	}
	answers := getAll(ctx, p, plan.URL+path, n, limits.Concurrency)
	if limits.Path == "" {
		answers = append(answers, getAll(ctx, p, plan.URL+"health", 1, 1)...)
	}
	r.Requests = len(answers)
	failures := newTally()
	var latencies []time.Duration
	versions := map[string]string{}
	for i, a := range answers {
		url := plan.URL + path
		if i == n {
			url = plan.URL + "health"
		}
		switch {
		case a.TimedOut():
			failures.add(fmt.Sprintf("requests to %s timed out after %s", url, limits.Timeout))
			continue
		case a.Err != nil:
			failures.add(fmt.Sprintf("requests to %s failed: %v", url, a.Err))
			continue
		}
		latencies = append(latencies, a.Latency)
		switch {
		case a.Status == 403 && plan.Signed:
			failures.add(fmt.Sprintf("requests to %s were refused with 403 Forbidden: the API requires SigV4-signed requests from an identity allowed execute-api:Invoke on it; grant that permission to the identity running verify", url))
		case a.Status == 403:
			failures.add(fmt.Sprintf("requests to %s were refused with 403 Forbidden although api.authorization is \"none\": a WAF rule (e.g. the per-client rate limit) or a resource policy refused them", url))
		case a.Status != 200:
			failures.add(fmt.Sprintf("requests to %s answered %d: %s", url, a.Status, snippet(a.Body)))
		case i == n || limits.Path != "":
			// /health or the user's path: a 200 is all it must give.
		default:
			var s sampleAnswer
			if err := json.Unmarshal(a.Body, &s); err != nil || s.Backend == nil {
				failures.add(fmt.Sprintf("requests to %s answered 200 with a body that is not the sample application's JSON {\"backend\", \"version\"} (%s); for your own application use -path /health", url, snippet(a.Body)))
				continue
			}
			r.Seen[*s.Backend]++
			if s.Version != nil {
				versions[*s.Backend] = *s.Version
			}
		}
	}
	r.Problems = failures.sentences(plan.Name, len(answers))
	if limits.Path == "" {
		r.Problems = append(r.Problems, judgeBackends(plan, r, versions)...)
		r.Canary = canaryShare(plan, r)
		if r.Canary != nil && math.Abs(r.Canary.GotPercent-r.Canary.WantPercent) > r.Canary.TolerancePercent {
			r.Problems = append(r.Problems, fmt.Sprintf("stage %s: canary %s answered %.1f%% of the backends' answers, want %.4g%% ± %.1f",
				plan.Name, r.Canary.Backend, r.Canary.GotPercent, r.Canary.WantPercent, r.Canary.TolerancePercent))
		}
	}
	r.P50Ms, r.P95Ms = percentileMs(latencies, 50), percentileMs(latencies, 95)
	r.Passed = len(r.Problems) == 0
	return r
}

// judgeBackends checks that only the stage's backend (and its canary's)
// answered, each with its configured version.
func judgeBackends(plan StagePlan, r StageResult, versions map[string]string) []string {
	var problems []string
	want := map[string]string{plan.Backend: plan.Version}
	if plan.Canary != nil {
		want[plan.Canary.Backend] = plan.Canary.Version
	}
	total := 0
	for _, n := range r.Seen {
		total += n
	}
	for _, backend := range slices.Sorted(maps.Keys(r.Seen)) {
		version, expected := want[backend]
		switch {
		case !expected:
			problems = append(problems, fmt.Sprintf("stage %s: expected backend %s (version %s), but %s (version %s) answered %d of %d requests",
				plan.Name, plan.Backend, plan.Version, backend, versions[backend], r.Seen[backend], total))
		case versions[backend] != version:
			problems = append(problems, fmt.Sprintf("stage %s: backend %s answers version %q, want version %q: deploy the backend again",
				plan.Name, backend, versions[backend], version))
		}
	}
	return problems
}

// canaryShare measures the share of a stage's canary backend.
func canaryShare(plan StagePlan, r StageResult) *CanaryShare {
	if plan.Canary == nil {
		return nil
	}
	answered := r.Seen[plan.Backend] + r.Seen[plan.Canary.Backend]
	if plan.Canary.Backend == plan.Backend || answered == 0 {
		return nil
	}
	p := plan.Canary.Percent / 100
	return &CanaryShare{
		Backend:          plan.Canary.Backend,
		WantPercent:      plan.Canary.Percent,
		GotPercent:       100 * float64(r.Seen[plan.Canary.Backend]) / float64(answered),
		TolerancePercent: 300 * math.Sqrt(p*(1-p)/float64(answered)),
	}
}

// getAll sends n GET requests to url, at most concurrency at a time.
func getAll(ctx context.Context, p Prober, url string, n, concurrency int) []Answer {
	answers := make([]Answer, n)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(max(concurrency, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				answers[i] = p.Get(ctx, url)
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	return answers
}

// tally counts identical failures so each is reported once.
type tally struct {
	order  []string
	counts map[string]int
}

func newTally() *tally { return &tally{counts: map[string]int{}} }

func (t *tally) add(failure string) {
	if t.counts[failure] == 0 {
		t.order = append(t.order, failure)
	}
	t.counts[failure]++
}

func (t *tally) sentences(stage string, total int) []string {
	var out []string
	for _, f := range t.order {
		out = append(out, fmt.Sprintf("stage %s: %d of %d %s", stage, t.counts[f], total, f))
	}
	return out
}

// snippet shows the start of a body in one line.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	if s == "" {
		return "an empty body"
	}
	return fmt.Sprintf("%q", s)
}

// percentileMs returns the q-th percentile of the latencies in milliseconds
// (nearest rank), or 0 when there are none.
func percentileMs(latencies []time.Duration, q float64) float64 {
	if len(latencies) == 0 {
		return 0
	}
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	rank := int(math.Ceil(q/100*float64(len(sorted)))) - 1
	return float64(sorted[max(rank, 0)].Microseconds()) / 1000
}
