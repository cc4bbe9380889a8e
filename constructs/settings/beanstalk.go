package settings

import (
	"strconv"
	"strings"

	"privatebackend/internal/ebplatform"
	"privatebackend/internal/model"
)

// Deployment policies of a Beanstalk environment, as Beanstalk names them.
const (
	// DeploymentRolling replaces instances in batches of one, keeping the rest in service.
	DeploymentRolling = "Rolling"
	// DeploymentImmutable deploys to a fresh Auto Scaling group and swaps it in.
	DeploymentImmutable = "Immutable"
)

// Beanstalk are the settings of a private Beanstalk environment.
type Beanstalk struct {
	// Platform is a platform branch, whose recommended version is looked up
	// at deploy time, or the ARN of one exact platform version
	// (arn:aws:elasticbeanstalk:REGION::platform/BRANCH/VERSION).
	Platform string `json:"platform,omitempty" default:"Node.js 24 running on 64bit Amazon Linux 2023" pattern:"platform"`
	// PlatformRefresh is any value; changing it (e.g. to today's date) looks
	// the branch's recommended version up again on the next deploy; not
	// allowed with a platform version ARN. Default: none (look up when the
	// environment is created and when the branch changes).
	PlatformRefresh string `json:"platformRefresh,omitempty" pattern:"platformRefresh"`
	// InstanceType is the EC2 instance type of the instances: one, since
	// without Spot Beanstalk uses only the first of a list
	// (aws:ec2:instances InstanceTypes).
	InstanceType string `json:"instanceType,omitempty" default:"t3.small" pattern:"instanceType"`
	// MinInstances is the Auto Scaling group's minimum size, at most
	// maxInstances.
	MinInstances *int `json:"minInstances,omitempty" default:"2" min:"1"`
	// MaxInstances is the Auto Scaling group's maximum size.
	MaxInstances *int `json:"maxInstances,omitempty" default:"4" min:"1" max:"10000"`
	// DeploymentPolicy is how a new version reaches the instances:
	// "Rolling" (in batches of one) or "Immutable" (a fresh Auto Scaling
	// group swapped in).
	DeploymentPolicy string `json:"deploymentPolicy,omitempty" default:"Rolling" enum:"deploymentPolicy"`
	// LogRetentionDays is how long streamed instance and health logs are
	// kept, in days, one of the values Beanstalk accepts.
	LogRetentionDays *int `json:"logRetentionDays,omitempty" default:"30" enum:"beanstalkLogRetentionDays"`
	// UpdateWindow is the weekly window for managed platform updates, as
	// "Day:HH:MM" in UTC.
	UpdateWindow string `json:"updateWindow,omitempty" default:"Sun:03:00" pattern:"updateWindow"`

	// Checked is set when config found these settings valid; a construct
	// checks settings without it.
	Checked model.Checked `json:"-"`
}

// BeanstalkLogRetentionDays are the values Beanstalk accepts for
// RetentionInDays in aws:elasticbeanstalk:cloudwatch:logs and
// aws:elasticbeanstalk:cloudwatch:logs:health ("General options for all
// environments", Elastic Beanstalk developer guide): shorter than
// CloudWatch Logs' own list.
var BeanstalkLogRetentionDays = model.NewEnum("beanstalkLogRetentionDays", "a retention Beanstalk accepts for streamed logs",
	1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)

var _ = model.NewEnum("deploymentPolicy", "", DeploymentRolling, DeploymentImmutable)

// The forms of the string settings of a Beanstalk environment.
var (
	// InstanceTypePattern is the form of an EC2 instance type, e.g. "t3.small".
	InstanceTypePattern = model.NewPattern(model.Pattern{Name: "instanceType", Expr: `^[a-z][a-z0-9-]*\.[a-z0-9]+$`,
		What: "an instance type", Want: `e.g. "t3.small"`})
	// UpdateWindowPattern is a weekly window, "Day:HH:MM" in UTC.
	UpdateWindowPattern = model.NewPattern(model.Pattern{Name: "updateWindow", Expr: `^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01][0-9]|2[0-3]):[0-5][0-9]$`,
		What: "a weekly window", Want: `"Day:HH:MM" in UTC, e.g. "Sun:03:00"`})
	// PlatformRefreshPattern is a refresh token, e.g. a date.
	PlatformRefreshPattern = model.NewPattern(model.Pattern{Name: "platformRefresh", Expr: `^[A-Za-z0-9._-]{0,64}$`,
		What: "a refresh token", Want: `up to 64 letters, digits, dots, dashes or underscores, e.g. today's date "2026-11-26"`})
	// A platform is a branch or a platform version ARN; ebplatform.Parse
	// says which, and what is wrong with anything else.
	_ = model.NewPattern(model.Pattern{Name: "platform", Expr: ebplatform.BranchPattern.String() + "|" + ebplatform.ArnPattern.String(),
		Check: func(s string) error { _, err := ebplatform.Parse(s); return err }})
)

// WithDefaults returns the settings with every unset one at its default.
func (b Beanstalk) WithDefaults() Beanstalk { return model.WithDefaults(b) }

// Problems returns what is wrong with the settings, with defaults applied.
func (b Beanstalk) Problems() Problems { return model.Check(b.WithDefaults()) }

// Rules are the Beanstalk settings' cross-key rules.
func (b Beanstalk) Rules() Problems {
	var ps Problems
	if _, arn := ebplatform.ArnRegion(b.Platform); arn && b.PlatformRefresh != "" {
		ps.Add("platformRefresh", "is set but platform is a platform version ARN, which is never looked up; remove platformRefresh or name a platform branch")
	}
	if b.MinInstances != nil && b.MaxInstances != nil && *b.MaxInstances >= 1 && *b.MinInstances > *b.MaxInstances {
		ps.Add("minInstances", "%d is greater than maxInstances (%d); raise maxInstances or lower minInstances", *b.MinInstances, *b.MaxInstances)
	}
	return ps
}

func joinInts(values []int) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}
