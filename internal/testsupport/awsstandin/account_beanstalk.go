package awsstandin

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Platforms returns the platform versions the stand-in holds.
func (b *Beanstalk) Platforms() []PlatformSummary {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]PlatformSummary(nil), b.platforms...)
}

// SetPlatforms replaces the platform versions the stand-in holds.
func (b *Beanstalk) SetPlatforms(platforms []PlatformSummary) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.platforms = platforms
}

// addBeanstalkReads adds to the Beanstalk stand-in the reads preflight
// makes besides ListPlatformVersions, as the Elastic Beanstalk API
// reference shows them: ListPlatformBranches (PlatformBranchSummaryList),
// DescribePlatformVersion (PlatformDescription) and DescribeEnvironments
// (Environments: the running ones, named or all, and the terminated ones).
func (a *Account) addBeanstalkReads() {
	a.Beanstalk.Actions["ListPlatformBranches"] = &Action{
		Params: []Param{
			// SearchFilter: the attributes and operators ListPlatformBranches documents.
			{Name: "Filters.member.N.Attribute", Values: []string{"PlatformName", "BranchName", "LifecycleState", "TierType"}},
			{Name: "Filters.member.N.Operator", Values: []string{"=", "!=", "<", "<=", ">", ">=", "contains", "begins_with", "ends_with"}},
			{Name: "Filters.member.N.Values.member.N"},
			{Name: "MaxRecords"},
			{Name: "NextToken"},
		},
		Answer: func(call Call) (any, *Error) {
			var items strings.Builder
			for _, branch := range sortedKeys(a.Branches) {
				if matchesBranch(call, branch, a.Branches[branch]) {
					fmt.Fprintf(&items, `<member><PlatformName>Node.js</PlatformName><BranchName>%s</BranchName><LifecycleState>%s</LifecycleState><BranchOrder>1</BranchOrder><SupportedTierList><member>WebServer/Standard</member><member>Worker/SQS/HTTP</member></SupportedTierList></member>`, x(branch), a.Branches[branch])
				}
			}
			return raw("<PlatformBranchSummaryList>" + items.String() + "</PlatformBranchSummaryList>"), nil
		},
	}
	a.Beanstalk.Actions["DescribePlatformVersion"] = &Action{
		Params: []Param{{Name: "PlatformArn"}},
		Answer: func(call Call) (any, *Error) {
			arn := call.Params.Get("PlatformArn")
			for _, p := range a.Beanstalk.Platforms() {
				if p.PlatformArn != arn {
					continue
				}
				lifecycle := ""
				if p.PlatformLifecycleState != "" {
					lifecycle = "<PlatformLifecycleState>" + p.PlatformLifecycleState + "</PlatformLifecycleState>"
				}
				return raw(fmt.Sprintf(`<PlatformDescription><PlatformArn>%s</PlatformArn><PlatformOwner>%s</PlatformOwner><PlatformName>%s</PlatformName><PlatformVersion>%s</PlatformVersion><PlatformStatus>%s</PlatformStatus><PlatformBranchName>%s</PlatformBranchName><PlatformBranchLifecycleState>%s</PlatformBranchLifecycleState>%s</PlatformDescription>`,
					x(arn), p.PlatformOwner, x(p.PlatformBranchName), p.PlatformVersion, p.PlatformStatus, x(p.PlatformBranchName), p.PlatformBranchLifecycleState, lifecycle)), nil
			}
			return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "No Platform found with ARN: " + arn}
		},
	}
	a.Beanstalk.Actions["DescribeEnvironments"] = &Action{
		Params: []Param{{Name: "ApplicationName"}, {Name: "VersionLabel"}, {Name: "EnvironmentIds.member.N"}, {Name: "EnvironmentNames.member.N"},
			{Name: "IncludeDeleted", Values: []string{"true", "false"}}, {Name: "IncludedDeletedBackTo"}, {Name: "MaxRecords"}, {Name: "NextToken"}},
		Answer: func(call Call) (any, *Error) {
			// Terminated environments are listed only with IncludeDeleted, and
			// with IncludedDeletedBackTo only those deleted after it
			// (DescribeEnvironments).
			var items strings.Builder
			names := members(call.Params, "EnvironmentNames.member")
			for _, name := range sortedKeys(a.RunningEnvironments) {
				if len(names) == 0 || slices.Contains(names, name) {
					fmt.Fprintf(&items, `<member><EnvironmentName>%s</EnvironmentName><EnvironmentId>e-0123456789</EnvironmentId><ApplicationName>app</ApplicationName><VersionLabel>%s</VersionLabel><Status>Ready</Status><Health>Green</Health></member>`, x(name), x(a.RunningEnvironments[name]))
				}
			}
			if call.Params.Get("IncludeDeleted") == "true" {
				back, err := time.Parse(time.RFC3339, call.Params.Get("IncludedDeletedBackTo"))
				if call.Params.Has("IncludedDeletedBackTo") && err != nil {
					return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Message: "stand-in: IncludedDeletedBackTo is not a timestamp"}
				}
				for _, e := range a.Environments {
					ago := e.DeletedAgo
					if ago == 0 {
						ago = 20 * 24 * time.Hour
					}
					if err != nil || time.Now().Add(-ago).After(back) {
						fmt.Fprintf(&items, `<member><EnvironmentName>%s</EnvironmentName><EnvironmentId>e-abcdef0123</EnvironmentId><ApplicationName>app</ApplicationName><PlatformArn>%s</PlatformArn><Status>Terminated</Status><Health>Grey</Health></member>`, x(e.Name), x(e.PlatformArn))
					}
				}
			}
			return raw("<Environments>" + items.String() + "</Environments>"), nil
		},
	}
}

// addApplicationVersions adds DescribeApplicationVersions
// (ApplicationVersions, Elastic Beanstalk API reference): the versions
// asked for by label that exist, each with its description.
func (a *Account) addApplicationVersions() {
	a.Beanstalk.Actions["DescribeApplicationVersions"] = &Action{
		Params: []Param{{Name: "ApplicationName"}, {Name: "VersionLabels.member.N"}, {Name: "MaxRecords"}, {Name: "NextToken"}},
		Answer: func(call Call) (any, *Error) {
			var items strings.Builder
			for _, label := range members(call.Params, "VersionLabels.member") {
				if description, ok := a.AppVersions[label]; ok {
					fmt.Fprintf(&items, `<member><ApplicationName>%s</ApplicationName><VersionLabel>%s</VersionLabel><Description>%s</Description><Status>PROCESSED</Status></member>`, x(call.Params.Get("ApplicationName")), x(label), x(description))
				}
			}
			return raw("<ApplicationVersions>" + items.String() + "</ApplicationVersions>"), nil
		},
	}
}

// matchesBranch applies ListPlatformBranches' "=" filters on BranchName and
// LifecycleState; the stand-in models no others.
func matchesBranch(call Call, branch, state string) bool {
	for i := 1; call.Params.Has(fmt.Sprintf("Filters.member.%d.Attribute", i)); i++ {
		at := fmt.Sprintf("Filters.member.%d.", i)
		got := map[string]string{"BranchName": branch, "LifecycleState": state}[call.Params.Get(at+"Attribute")]
		if call.Params.Get(at+"Operator") != "=" || got != call.Params.Get(at+"Values.member.1") {
			return false
		}
	}
	return true
}
