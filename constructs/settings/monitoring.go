package settings

import (
	"fmt"
	"net/mail"

	"privatebackend/internal/model"
)

// AlarmSchedule is how every alarm of a monitoring construct evaluates its
// metric: over periods of one length, raising the alarm after a number of
// consecutive breaching periods.
type AlarmSchedule struct {
	// PeriodMinutes is the length of one evaluated period, in minutes, one
	// that divides an hour or a day evenly.
	PeriodMinutes *int `json:"periodMinutes,omitempty" default:"5" enum:"alarmPeriodMinutes"`
	// EvaluationPeriods is how many consecutive breaching periods raise an
	// alarm, together at most one day.
	EvaluationPeriods *int `json:"evaluationPeriods,omitempty" default:"3" min:"1"`

	// Checked is set when config found these settings valid; a construct
	// checks settings without it.
	Checked model.Checked `json:"-"`
}

// AlarmPeriodMinutes are the periods an AlarmSchedule accepts: CloudWatch
// takes any multiple of a minute, these divide an hour or a day evenly.
var AlarmPeriodMinutes = model.NewEnum("alarmPeriodMinutes", "an alarm period here", 1, 5, 10, 15, 30, 60)

// WithDefaults returns the schedule with every unset setting at its default.
func (s AlarmSchedule) WithDefaults() AlarmSchedule { return model.WithDefaults(s) }

// Problems returns what is wrong with the schedule, with defaults applied.
func (s AlarmSchedule) Problems() Problems { return model.Check(s.WithDefaults()) }

// Rules are the schedule's cross-key rule: EvaluationPeriods times Period
// cannot exceed 86,400 seconds (PutMetricAlarm API reference).
func (s AlarmSchedule) Rules() Problems {
	var ps Problems
	if s.PeriodMinutes != nil && s.EvaluationPeriods != nil {
		if period, periods := *s.PeriodMinutes, *s.EvaluationPeriods; period > 0 && periods*period > 24*60 {
			ps.Add("evaluationPeriods", "%d periods of %d minutes is more than the one day an alarm can evaluate", periods, period)
		}
	}
	return ps
}

// StageAlarms are the thresholds of an API stage's alarms.
type StageAlarms struct {
	// ErrorRatePercent is the share of a stage's requests answered with 5XX
	// above which its error alarm fires.
	ErrorRatePercent *float64 `json:"errorRatePercent,omitempty" default:"5" above:"0" max:"100"`
	// MinRequests is the number of requests per period below which a
	// stage's error rate is not judged, so a quiet stage does not flap.
	MinRequests *int `json:"minRequests,omitempty" default:"20" min:"1"`
	// LatencyPercentile is the latency statistic alarmed on.
	LatencyPercentile string `json:"latencyPercentile,omitempty" default:"p99" enum:"latencyPercentile"`
	// LatencyThresholdMs is the latency, in milliseconds, above which a
	// stage's latency alarm fires; API Gateway's integration timeout is at
	// most 29 seconds by default ("Quotas for configuring and running a
	// REST API in API Gateway").
	LatencyThresholdMs *int `json:"latencyThresholdMs,omitempty" default:"2000" min:"1" max:"29000"`

	// Checked is set when config found these settings valid; a construct
	// checks settings without it.
	Checked model.Checked `json:"-"`
}

// LatencyPercentiles are the statistics StageAlarms.LatencyPercentile takes.
var LatencyPercentiles = model.NewEnum("latencyPercentile", "a latency percentile", "p50", "p75", "p90", "p95", "p99", "p99.9")

// WithDefaults returns the thresholds with every unset one at its default.
func (a StageAlarms) WithDefaults() StageAlarms { return model.WithDefaults(a) }

// Problems returns what is wrong with the thresholds, with defaults applied.
func (a StageAlarms) Problems() Problems { return model.Check(a.WithDefaults()) }

// Email is the form of an alarm subscriber's address: net/mail's RFC 5322
// address syntax, without a display name.
var _ = model.NewPattern(model.Pattern{Name: "email", Format: "email", Check: func(s string) error {
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s || a.Name != "" {
		return fmt.Errorf("%q is not an email address; want e.g. \"oncall@example.com\"", s)
	}
	return nil
}})

// emails holds addresses to check against the "email" pattern.
type emails struct {
	List []string `json:"emails" pattern:"email"`
}

// EmailProblems returns the addresses that are not plain email addresses,
// keyed "emails[i]".
func EmailProblems(addresses []string) Problems { return model.Check(emails{addresses}) }
