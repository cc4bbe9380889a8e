// Package ebplatform tells apart the two ways to name an Elastic Beanstalk
// platform: a platform branch, whose recommended version is resolved at
// deploy time, or the ARN of one exact platform version.
package ebplatform

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultBranch is the platform branch used when none is named: Node.js 24
// on Amazon Linux 2023, the branch the sample application runs on.
const DefaultBranch = "Node.js 24 running on 64bit Amazon Linux 2023"

var (
	// ArnPattern is the form of a platform version ARN:
	// arn:PARTITION:elasticbeanstalk:REGION:[ACCOUNT]:platform/NAME/VERSION.
	// AWS-managed platforms have no account ("About Elastic Beanstalk
	// platforms"; "Amazon resource name format for Elastic Beanstalk").
	ArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:elasticbeanstalk:([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]):([0-9]{12})?:platform/([^/]+)/([0-9]+(\.[0-9]+){1,2})$`)
	// BranchPattern is the form of a platform branch name as
	// ListPlatformVersions reports it in PlatformBranchName, e.g.
	// "Node.js 24 running on 64bit Amazon Linux 2023": words separated by
	// single spaces.
	BranchPattern = regexp.MustCompile(`^[A-Za-z0-9.][A-Za-z0-9.+()_-]*( [A-Za-z0-9.+()_-]+)* running on 64bit ([A-Za-z0-9.]+ )*[A-Za-z0-9.]*[A-Za-z0-9]$`)
	// A solution stack name names one exact version, e.g.
	// "64bit Amazon Linux 2023 v6.10.0 running Node.js 24".
	solutionStack = regexp.MustCompile(`^64bit .* v[0-9]+\.[0-9]+\.[0-9]+ running `)
)

// Platform is a parsed platform name: exactly one of Branch and Arn is set.
type Platform struct {
	// Branch is the platform branch whose recommended version is used.
	Branch string
	// Arn is the exact platform version pinned by the user.
	Arn string
	// Region is the region in Arn; empty for a branch.
	Region string
}

// Parse reads a platform branch name or platform version ARN, and says what
// would be valid when s is neither.
func Parse(s string) (Platform, error) {
	if m := ArnPattern.FindStringSubmatch(s); m != nil {
		return Platform{Arn: s, Region: m[1]}, nil
	}
	switch {
	case strings.TrimSpace(s) == "":
		return Platform{}, fmt.Errorf("is empty; name a platform branch, e.g. %q", DefaultBranch)
	case strings.HasPrefix(s, "arn:"):
		return Platform{}, fmt.Errorf("%q is not a platform version ARN; want e.g. %q", s,
			"arn:aws:elasticbeanstalk:eu-west-1::platform/"+DefaultBranch+"/6.11.0")
	case solutionStack.MatchString(s):
		return Platform{}, fmt.Errorf("%q is a solution stack name, which pins one platform version that fresh accounts cannot use once it is superseded; name its platform branch instead, e.g. %q, or pin a platform version ARN", s, DefaultBranch)
	case !BranchPattern.MatchString(s):
		return Platform{}, fmt.Errorf("%q is not a platform branch name; want e.g. %q (aws elasticbeanstalk list-platform-branches lists them)", s, DefaultBranch)
	}
	return Platform{Branch: s}, nil
}

// ArnRegion returns the region of a platform version ARN, and false when s
// is no such ARN (a branch, or not valid, which Parse explains).
func ArnRegion(s string) (string, bool) {
	if m := ArnPattern.FindStringSubmatch(s); m != nil {
		return m[1], true
	}
	return "", false
}

// Filter is one ListPlatformVersions PlatformFilter: Type is the attribute,
// Operator the comparison, Values what it is compared with.
type Filter struct {
	// Type is the attribute filtered on, e.g. "PlatformBranchName".
	Type string
	// Operator is the comparison, e.g. "=".
	Operator string
	// Values are the values compared with.
	Values []string
}

// RecommendedVersionFilters are the ListPlatformVersions filters that find
// the recommended version of a platform branch: an environment can always be
// created on the recommended version of a supported branch, an older one
// only if the account used it in that region in the last 30 days ("About
// Elastic Beanstalk platforms"). PlatformFilter accepts PlatformBranchName
// and PlatformLifecycleState, whose only value is "recommended"
// (ListPlatformVersions API reference). The deploy-time lookup and preflight
// both ask with these.
func RecommendedVersionFilters(branch string) []Filter {
	return []Filter{
		{Type: "PlatformBranchName", Operator: "=", Values: []string{branch}},
		{Type: "PlatformLifecycleState", Operator: "=", Values: []string{"recommended"}},
	}
}
