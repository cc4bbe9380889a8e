//go:build heavy

package stacks

import (
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"privatebackend/config"
	"privatebackend/internal/testsupport/awsstandin"
	"privatebackend/internal/testsupport/cdktest"
	"privatebackend/internal/testsupport/deploytime"
)

// The lookups' faults, rehearsed on the "isolated" fixture: its stacks are
// deployed as CloudFormation would, the lookups' handler runs on the pinned
// Node.js with the AWS SDK against stand-ins that misbehave as AWS does
// while IAM propagates a new role's permissions.

const (
	rehearsalAccount = "222222222222"
	rehearsalRegion  = "eu-central-1"
)

// isolatedDeployment returns a deployment of the isolated fixture whose
// Beanstalk stand-in offers the given platform branches.
func isolatedDeployment(t *testing.T, branches ...string) (*deploytime.Deployment, []*deploytime.Stack) {
	t.Helper()
	d := deploytime.NewDeployment(cdktest.LambdaRuntime(t), rehearsalAccount, rehearsalRegion,
		awsstandin.RecommendedPlatforms(rehearsalRegion, branches...))
	t.Cleanup(d.Close)
	var stacks []*deploytime.Stack
	for _, name := range slices.Sorted(maps.Keys(assembly.Stacks)) {
		if s := assembly.Stacks[name]; strings.HasPrefix(name, "isolated/") {
			// A Stage's nested assembly keeps its assets in the root assembly.
			stacks = append(stacks, &deploytime.Stack{Name: s.Name, Template: s.Template, AssemblyDir: filepath.Dir(filepath.Dir(s.TemplateFile))})
		}
	}
	return d, stacks
}

// runs returns the runs of one lookup type.
func runs(d *deploytime.Deployment, resourceType string) []*deploytime.CustomResourceRun {
	var out []*deploytime.CustomResourceRun
	for _, r := range d.Runs {
		if r.Type == resourceType {
			out = append(out, r)
		}
	}
	return out
}

func total(ms []float64) (sum float64) {
	for _, m := range ms {
		sum += m
	}
	return sum
}

// TestDeployTimeLookupsWaitForTheirPermissions deploys while every lookup's
// first calls are denied, as they are until IAM has propagated the
// function's new permissions: ListPlatformVersions answers an empty list,
// the others AccessDenied. Every lookup must wait and succeed.
func TestDeployTimeLookupsWaitForTheirPermissions(t *testing.T) {
	d, stacks := isolatedDeployment(t, config.DefaultPlatform)
	d.Beanstalk.HidePlatformsNext(3)
	denied := func(service, action string, n int) []*awsstandin.Error {
		var errs []*awsstandin.Error
		for range n {
			errs = append(errs, awsstandin.AccessDenied(service, action))
		}
		return errs
	}
	d.Beanstalk.FailNext("DescribeEnvironmentResources", denied("elasticbeanstalk", "DescribeEnvironmentResources", 2)...)
	d.LoadBalancing.FailNext("DescribeTargetGroups", denied("elasticloadbalancing", "DescribeTargetGroups", 2)...)
	if err := d.DeployAll(stacks); err != nil {
		t.Fatal(deploytime.Explain(err))
	}
	for resourceType, tries := range map[string]int{
		"Custom::PlatformVersion": 4, "Custom::EnvironmentLoadBalancer": 3, "Custom::LoadBalancerTargetGroup": 3,
	} {
		first := runs(d, resourceType)[0].Create
		if len(first.Calls) != tries || len(first.Result.Sleeps) != tries-1 {
			t.Errorf("%s: %d calls and %d waits, want %d calls with a wait before each retry", resourceType, len(first.Calls), len(first.Result.Sleeps), tries)
		}
	}
	platform := runs(d, "Custom::PlatformVersion")[0].Create.Response.Data
	if want := "arn:aws:elasticbeanstalk:" + rehearsalRegion + "::platform/" + config.DefaultPlatform + "/6.11.0"; platform["PlatformArn"] != want {
		t.Errorf("the platform lookup answered %v, want the recommended version %s", platform["PlatformArn"], want)
	}
}

// TestDeployTimeMissingBranchFailsNamingTheBranchAndRegion deploys into a
// region that offers no version of the backends' branch: the platform
// lookup waits as for a denial, then fails the stack before its environment
// is created, saying which branch and which region, within the function's
// five minutes.
func TestDeployTimeMissingBranchFailsNamingTheBranchAndRegion(t *testing.T) {
	d, stacks := isolatedDeployment(t, "Python 3.13 running on 64bit Amazon Linux 2023")
	err := d.DeployAll(stacks)
	var failed *deploytime.FailedError
	if !errors.As(err, &failed) || failed.Run.Type != "Custom::PlatformVersion" {
		t.Fatalf("deploying without the branch: %v, want the platform lookup to fail", err)
	}
	for _, want := range []string{`"` + config.DefaultPlatform + `"`, rehearsalRegion, "list-platform-branches"} {
		if !strings.Contains(failed.Reason, want) {
			t.Errorf("the failure says %q; want it to name %s", failed.Reason, want)
		}
	}
	if waited := total(failed.Run.Create.Result.Sleeps); waited < 60_000 || waited > 270_000 {
		t.Errorf("the lookup waited %.0f s in all; want between a minute (for IAM) and 4.5 min (its function has 5)", waited/1000)
	}
	for _, r := range d.Runs {
		if r.Type == "Custom::EnvironmentLoadBalancer" {
			t.Error("an environment was created on a branch that has no recommended version")
		}
	}
}

// TestDeployTimeLookupDeniedForGoodFailsWithTheDenial gives the target
// group lookup a permission that never arrives: it must fail with AWS's
// message within the function's time, not hang the stack.
func TestDeployTimeLookupDeniedForGoodFailsWithTheDenial(t *testing.T) {
	d, stacks := isolatedDeployment(t, config.DefaultPlatform)
	var errs []*awsstandin.Error
	for range 50 {
		errs = append(errs, awsstandin.AccessDenied("elasticloadbalancing", "DescribeTargetGroups"))
	}
	d.LoadBalancing.FailNext("DescribeTargetGroups", errs...)
	err := d.DeployAll(stacks)
	var failed *deploytime.FailedError
	if !errors.As(err, &failed) || failed.Run.Type != "Custom::LoadBalancerTargetGroup" {
		t.Fatalf("deploying with DescribeTargetGroups denied: %v, want the target group lookup to fail", err)
	}
	if !strings.Contains(failed.Reason, "elasticloadbalancing:DescribeTargetGroups") {
		t.Errorf("the failure says %q; want AWS's denial", failed.Reason)
	}
	if waited := total(failed.Run.Create.Result.Sleeps); waited > 270_000 {
		t.Errorf("the lookup waited %.0f s; its function has 300", waited/1000)
	}
}
