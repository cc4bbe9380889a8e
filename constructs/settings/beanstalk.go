package settings

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"privatebackend/internal/ebplatform"
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
	// Default: "Node.js 24 running on 64bit Amazon Linux 2023"
	// (ebplatform.DefaultBranch).
	Platform string `json:"platform,omitempty"`
	// PlatformRefresh is any value; changing it (e.g. to today's date) looks
	// the branch's recommended version up again on the next deploy; not
	// allowed with a platform version ARN. Default: none (look up when the
	// environment is created and when the branch changes).
	PlatformRefresh string `json:"platformRefresh,omitempty"`
	// InstanceType is the EC2 instance type of the instances: one, since
	// without Spot Beanstalk uses only the first of a list
	// (aws:ec2:instances InstanceTypes). Default: "t3.small".
	InstanceType string `json:"instanceType,omitempty"`
	// MinInstances is the Auto Scaling group's minimum size. Default: 2.
	MinInstances *int `json:"minInstances,omitempty"`
	// MaxInstances is the Auto Scaling group's maximum size. Default: 4.
	MaxInstances *int `json:"maxInstances,omitempty"`
	// DeploymentPolicy is how a new version reaches the instances:
	// "Rolling" (in batches of one) or "Immutable" (a fresh Auto Scaling
	// group swapped in). Default: "Rolling" (DeploymentRolling).
	DeploymentPolicy string `json:"deploymentPolicy,omitempty"`
	// LogRetentionDays is how long streamed instance and health logs are
	// kept, in days, one of the values Beanstalk accepts
	// (BeanstalkLogRetentionDays). Default: 30.
	LogRetentionDays *int `json:"logRetentionDays,omitempty"`
	// UpdateWindow is the weekly window for managed platform updates, as
	// "Day:HH:MM" in UTC. Default: "Sun:03:00".
	UpdateWindow string `json:"updateWindow,omitempty"`
}

// BeanstalkLogRetentionDays are the values Beanstalk accepts for
// RetentionInDays in aws:elasticbeanstalk:cloudwatch:logs and
// aws:elasticbeanstalk:cloudwatch:logs:health ("General options for all
// environments", Elastic Beanstalk developer guide): shorter than
// CloudWatch Logs' own list.
var BeanstalkLogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653}

// The forms of the string settings of a Beanstalk environment; each is
// exported for the JSON Schema of the configuration.
var (
	// InstanceTypePattern is the form of an EC2 instance type, e.g. "t3.small".
	InstanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	// UpdateWindowPattern is a weekly window, "Day:HH:MM" in UTC.
	UpdateWindowPattern = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01][0-9]|2[0-3]):[0-5][0-9]$`)
	// PlatformRefreshPattern is a refresh token, e.g. a date.
	PlatformRefreshPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{0,64}$`)
)

// WithDefaults returns the settings with every unset one at its default.
func (b Beanstalk) WithDefaults() Beanstalk {
	b.Platform = cmp.Or(b.Platform, ebplatform.DefaultBranch)
	b.InstanceType = cmp.Or(b.InstanceType, "t3.small")
	b.MinInstances = or(b.MinInstances, 2)
	b.MaxInstances = or(b.MaxInstances, 4)
	b.DeploymentPolicy = cmp.Or(b.DeploymentPolicy, DeploymentRolling)
	b.LogRetentionDays = or(b.LogRetentionDays, 30)
	b.UpdateWindow = cmp.Or(b.UpdateWindow, "Sun:03:00")
	return b
}

// Problems returns what is wrong with the settings, with defaults applied.
func (b Beanstalk) Problems() Problems {
	b = b.WithDefaults()
	var ps Problems
	platform, err := ebplatform.Parse(b.Platform)
	switch {
	case err != nil:
		ps.add("platform", "%v", err)
	case platform.Arn != "" && b.PlatformRefresh != "":
		ps.add("platformRefresh", "is set but platform is a platform version ARN, which is never looked up; remove platformRefresh or name a platform branch")
	}
	if !PlatformRefreshPattern.MatchString(b.PlatformRefresh) {
		ps.add("platformRefresh", "%q is not a refresh token; use up to 64 letters, digits, dots, dashes or underscores, e.g. today's date \"2026-11-26\"", b.PlatformRefresh)
	}
	if !InstanceTypePattern.MatchString(b.InstanceType) {
		ps.add("instanceType", "%q is not an instance type; want e.g. \"t3.small\"", b.InstanceType)
	}
	minSize, maxSize := *b.MinInstances, *b.MaxInstances
	switch {
	case minSize < 1:
		ps.add("minInstances", "%d is too small; use at least 1 (2 or more to serve from two availability zones)", minSize)
	case maxSize < 1:
		ps.add("maxInstances", "%d is too small; use at least 1", maxSize)
	case minSize > maxSize:
		ps.add("minInstances", "%d is greater than maxInstances (%d); raise maxInstances or lower minInstances", minSize, maxSize)
	case maxSize > 10000:
		ps.add("maxInstances", "%d is more than Auto Scaling allows (10000)", maxSize)
	}
	if b.DeploymentPolicy != DeploymentRolling && b.DeploymentPolicy != DeploymentImmutable {
		ps.add("deploymentPolicy", "%q is not supported; use %q or %q", b.DeploymentPolicy, DeploymentRolling, DeploymentImmutable)
	}
	if !slices.Contains(BeanstalkLogRetentionDays, *b.LogRetentionDays) {
		ps.add("logRetentionDays", "%d is not a retention Beanstalk accepts for streamed logs; use one of %s", *b.LogRetentionDays, joinInts(BeanstalkLogRetentionDays))
	}
	if !UpdateWindowPattern.MatchString(b.UpdateWindow) {
		ps.add("updateWindow", "%q is not a weekly window; want \"Day:HH:MM\" in UTC, e.g. \"Sun:03:00\"", b.UpdateWindow)
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
