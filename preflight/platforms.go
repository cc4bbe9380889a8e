package preflight

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"privatebackend/internal/ebplatform"
)

func platformPermissions(b BackendPlan) []string {
	if b.PlatformArn != "" {
		return []string{"elasticbeanstalk:DescribePlatformVersion", "elasticbeanstalk:ListPlatformVersions", "elasticbeanstalk:DescribeEnvironments"}
	}
	return []string{"elasticbeanstalk:ListPlatformBranches", "elasticbeanstalk:ListPlatformVersions"}
}

// Platform branch lifecycle states (ListPlatformBranches API reference,
// SearchFilter: LifecycleState is beta, supported, deprecated or retired).
// "Retired platform branches are no longer available for creating new
// environments"; deprecated ones still are, but are not recommended
// ("About Elastic Beanstalk platforms").
const (
	branchRetired    = "retired"
	branchDeprecated = "deprecated"
)

// usedVersionWindow is how recently an account must have used a platform
// version that is no longer recommended to create a new environment on it:
// "if you've already used it in an environment in the last 30 days (using
// the same account, in the same region)" ("About Elastic Beanstalk platforms").
const usedVersionWindow = 30 * 24 * time.Hour

// platform checks that a backend's platform can be created in the region:
// a branch must exist, not be retired, and have exactly one recommended
// version, asked for with the same ListPlatformVersions filters as the
// deploy-time lookup; a pinned version must exist, be ready, not be on a
// retired branch, and be the recommended one or used recently.
func (r *runner) platform(ctx context.Context, b BackendPlan) Result {
	if b.PlatformArn != "" {
		return r.pinnedPlatform(ctx, b)
	}
	name := "platform " + b.Name
	at := fmt.Sprintf("environments.%s.backends.%s.platform", r.plan.Environment, b.Name)
	branches, err := r.beanstalk.ListPlatformBranches(ctx, &elasticbeanstalk.ListPlatformBranchesInput{
		Filters: []types.SearchFilter{{Attribute: aws.String("BranchName"), Operator: aws.String("="), Values: []string{b.Branch}}},
	})
	if err != nil {
		return r.failed(ctx, name, "elasticbeanstalk:ListPlatformBranches", err)
	}
	if len(branches.PlatformBranchSummaryList) == 0 {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("Beanstalk offers no platform branch %q in %s: correct %s (aws elasticbeanstalk list-platform-branches lists them)", b.Branch, r.region, at)}
	}
	state := aws.ToString(branches.PlatformBranchSummaryList[0].LifecycleState)
	if state == branchRetired {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("platform branch %q is retired, so no new environment can use it: name a supported branch in %s", b.Branch, at)}
	}
	versions, err := r.recommendedVersions(ctx, b.Branch)
	if err != nil {
		return r.failed(ctx, name, "elasticbeanstalk:ListPlatformVersions", err)
	}
	switch {
	case len(versions) == 0:
		// ListPlatformVersions returns only the versions the caller may read,
		// so a denial is an empty list, not an error (API reference).
		return Result{Check: name, Result: Error, Detail: fmt.Sprintf("no recommended version of %q is visible in %s although the branch is %s: the identity needs elasticbeanstalk:ListPlatformVersions on arn:%s:elasticbeanstalk:%s::platform/%s/*", b.Branch, r.region, state, partition(r.region), r.region, b.Branch)}
	case len(versions) > 1:
		return Result{Check: name, Result: Warn, Detail: fmt.Sprintf("%d versions of %q are marked recommended in %s; the deploy-time lookup takes the first, %s", len(versions), b.Branch, r.region, aws.ToString(versions[0].PlatformArn))}
	case state == branchDeprecated:
		return Result{Check: name, Result: Warn, Detail: fmt.Sprintf("platform branch %q is deprecated (it still deploys, version %s, until it retires): plan a move to a supported branch", b.Branch, aws.ToString(versions[0].PlatformVersion))}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%q (%s) has one recommended version, %s", b.Branch, state, aws.ToString(versions[0].PlatformVersion))}
}

// recommendedVersions asks ListPlatformVersions exactly what the deploy-time
// lookup asks.
func (r *runner) recommendedVersions(ctx context.Context, branch string) ([]types.PlatformSummary, error) {
	var filters []types.PlatformFilter
	for _, f := range ebplatform.RecommendedVersionFilters(branch) {
		filters = append(filters, types.PlatformFilter{Type: aws.String(f.Type), Operator: aws.String(f.Operator), Values: f.Values})
	}
	var versions []types.PlatformSummary
	pages := elasticbeanstalk.NewListPlatformVersionsPaginator(r.beanstalk, &elasticbeanstalk.ListPlatformVersionsInput{Filters: filters})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		versions = append(versions, page.PlatformSummaryList...)
	}
	return versions, nil
}

func (r *runner) pinnedPlatform(ctx context.Context, b BackendPlan) Result {
	name := "platform " + b.Name
	at := fmt.Sprintf("environments.%s.backends.%s.platform", r.plan.Environment, b.Name)
	out, err := r.beanstalk.DescribePlatformVersion(ctx, &elasticbeanstalk.DescribePlatformVersionInput{PlatformArn: aws.String(b.PlatformArn)})
	if code := errorCode(err); code == "InvalidParameterValue" || code == "ResourceNotFoundException" {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("platform version %s does not exist in %s: pin an existing version in %s, or name its branch", b.PlatformArn, r.region, at)}
	}
	if err != nil {
		return r.failed(ctx, name, "elasticbeanstalk:DescribePlatformVersion", err)
	}
	p := out.PlatformDescription
	branch, state := aws.ToString(p.PlatformBranchName), aws.ToString(p.PlatformBranchLifecycleState)
	switch {
	case p.PlatformStatus != types.PlatformStatusReady:
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("platform version %s is %s, not Ready: pin another version in %s", b.PlatformArn, p.PlatformStatus, at)}
	case state == branchRetired:
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("platform version %s is on retired branch %q: name a supported branch in %s", b.PlatformArn, branch, at)}
	case state == branchDeprecated:
		return Result{Check: name, Result: Warn, Detail: fmt.Sprintf("platform version %s is on deprecated branch %q (it still deploys until the branch retires): plan a move to a supported branch", b.PlatformArn, branch)}
	case aws.ToString(p.PlatformLifecycleState) == "recommended":
		return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s is the recommended version of %q", b.PlatformArn, branch)}
	}
	user, err := r.recentUser(ctx, b.PlatformArn)
	if err != nil {
		return r.failed(ctx, name, "elasticbeanstalk:DescribeEnvironments", err)
	}
	if user != "" {
		return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s is not the recommended version of %q, but environment %s used it in the last 30 days, so new environments may use it too", b.PlatformArn, branch, user)}
	}
	instead := "name its branch"
	if versions, err := r.recommendedVersions(ctx, branch); err == nil && len(versions) > 0 {
		instead = "pin " + aws.ToString(versions[0].PlatformArn) + " or name its branch"
	}
	return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s is not the recommended version of %q and no environment of this account used it in %s in the last 30 days, so a new environment cannot use it: in %s, %s", b.PlatformArn, branch, r.region, at, instead)}
}

// recentUser returns an environment of the account, running or deleted in
// the last 30 days, that ran platform version arn; "" if none.
func (r *runner) recentUser(ctx context.Context, arn string) (string, error) {
	in := &elasticbeanstalk.DescribeEnvironmentsInput{
		IncludeDeleted:        aws.Bool(true),
		IncludedDeletedBackTo: aws.Time(time.Now().Add(-usedVersionWindow)),
	}
	for {
		out, err := r.beanstalk.DescribeEnvironments(ctx, in)
		if err != nil {
			return "", err
		}
		for _, e := range out.Environments {
			if aws.ToString(e.PlatformArn) == arn {
				return aws.ToString(e.EnvironmentName), nil
			}
		}
		if out.NextToken == nil {
			return "", nil
		}
		in.NextToken = out.NextToken
	}
}
