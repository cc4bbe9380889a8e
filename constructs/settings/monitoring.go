package settings

import (
	"cmp"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
)

// AlarmSchedule is how every alarm of a monitoring construct evaluates its
// metric: over periods of one length, raising the alarm after a number of
// consecutive breaching periods.
type AlarmSchedule struct {
	// PeriodMinutes is the length of one evaluated period, in minutes, one
	// that divides an hour or a day evenly (AlarmPeriodMinutes). Default: 5.
	PeriodMinutes *int `json:"periodMinutes,omitempty"`
	// EvaluationPeriods is how many consecutive breaching periods raise an
	// alarm. Default: 3.
	EvaluationPeriods *int `json:"evaluationPeriods,omitempty"`
}

// AlarmPeriodMinutes are the periods an AlarmSchedule accepts: CloudWatch
// takes any multiple of a minute, these divide an hour or a day evenly.
var AlarmPeriodMinutes = []int{1, 5, 10, 15, 30, 60}

// WithDefaults returns the schedule with every unset setting at its default.
func (s AlarmSchedule) WithDefaults() AlarmSchedule {
	s.PeriodMinutes = or(s.PeriodMinutes, 5)
	s.EvaluationPeriods = or(s.EvaluationPeriods, 3)
	return s
}

// Problems returns what is wrong with the schedule, with defaults applied.
func (s AlarmSchedule) Problems() Problems {
	s = s.WithDefaults()
	var ps Problems
	period, periods := *s.PeriodMinutes, *s.EvaluationPeriods
	if !slices.Contains(AlarmPeriodMinutes, period) {
		ps.add("periodMinutes", "%d is not an alarm period here; use one of %s", period, joinInts(AlarmPeriodMinutes))
	}
	// EvaluationPeriods times Period cannot exceed 86,400 seconds (PutMetricAlarm API reference).
	switch {
	case periods < 1:
		ps.add("evaluationPeriods", "%d is too small; use at least 1", periods)
	case periods*period > 24*60:
		ps.add("evaluationPeriods", "%d periods of %d minutes is more than the one day an alarm can evaluate", periods, period)
	}
	return ps
}

// StageAlarms are the thresholds of an API stage's alarms.
type StageAlarms struct {
	// ErrorRatePercent is the share of a stage's requests answered with 5XX
	// above which its error alarm fires, above 0 and at most 100. Default: 5.
	ErrorRatePercent *float64 `json:"errorRatePercent,omitempty"`
	// MinRequests is the number of requests per period below which a
	// stage's error rate is not judged, so a quiet stage does not flap.
	// Default: 20.
	MinRequests *int `json:"minRequests,omitempty"`
	// LatencyPercentile is the latency statistic alarmed on, "p50", "p75",
	// "p90", "p95", "p99" or "p99.9". Default: "p99".
	LatencyPercentile string `json:"latencyPercentile,omitempty"`
	// LatencyThresholdMs is the latency, in milliseconds, above which a
	// stage's latency alarm fires, 1 to 29000. Default: 2000.
	LatencyThresholdMs *int `json:"latencyThresholdMs,omitempty"`
}

// LatencyPercentilePattern is the form of StageAlarms.LatencyPercentile.
var LatencyPercentilePattern = regexp.MustCompile(`^p(50|75|90|95|99|99\.9)$`)

// WithDefaults returns the thresholds with every unset one at its default.
func (a StageAlarms) WithDefaults() StageAlarms {
	a.ErrorRatePercent = or(a.ErrorRatePercent, 5.0)
	a.MinRequests = or(a.MinRequests, 20)
	a.LatencyPercentile = cmp.Or(a.LatencyPercentile, "p99")
	a.LatencyThresholdMs = or(a.LatencyThresholdMs, 2000)
	return a
}

// Problems returns what is wrong with the thresholds, with defaults applied.
func (a StageAlarms) Problems() Problems {
	a = a.WithDefaults()
	var ps Problems
	if rate := *a.ErrorRatePercent; rate <= 0 || rate > 100 {
		ps.add("errorRatePercent", "%v is out of range; use a percentage above 0 and at most 100", rate)
	}
	if *a.MinRequests < 1 {
		ps.add("minRequests", "%d is too small; use at least 1 request per period", *a.MinRequests)
	}
	if !LatencyPercentilePattern.MatchString(a.LatencyPercentile) {
		ps.add("latencyPercentile", "%q is not a latency percentile; use one of p50, p75, p90, p95, p99, p99.9", a.LatencyPercentile)
	}
	// API Gateway's integration timeout is at most 29 seconds by default
	// ("Quotas for configuring and running a REST API in API Gateway").
	if ms := *a.LatencyThresholdMs; ms < 1 || ms > 29000 {
		ps.add("latencyThresholdMs", "%d is out of range; use 1 to 29000 milliseconds", ms)
	}
	return ps
}

// EmailProblems returns the addresses that are not plain email addresses,
// keyed "emails[i]": net/mail's RFC 5322 address syntax, without a display
// name.
func EmailProblems(emails []string) Problems {
	var ps Problems
	for i, email := range emails {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || a.Name != "" {
			ps.add(fmt.Sprintf("emails[%d]", i), "%q is not an email address; want e.g. \"oncall@example.com\"", email)
		}
	}
	return ps
}
