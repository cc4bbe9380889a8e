//go:build heavy

package constructs_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticbeanstalk"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/constructs"
	"privatebackend/internal/ebplatform"
	"privatebackend/internal/testsupport/awsstandin"
	"privatebackend/internal/testsupport/cdktest"
	"privatebackend/internal/testsupport/deploytime"
)

// The lookups' handler (lookup.js) rehearsed through what decides whether an
// operator can trust it: the rollback events CloudFormation sends, a
// response that does not reach CloudFormation at first, a permission that
// is missing for good, and stand-ins as strict as AWS (SigV4 recomputed,
// pages, throttling). A one-stack fixture: a platform lookup, the
// environment on it, and that environment's load balancer lookup.

const (
	rehearsalAccount = "222222222222"
	rehearsalRegion  = "eu-central-1"
	branch           = ebplatform.DefaultBranch
	otherBranch      = "Python 3.13 running on 64bit Amazon Linux 2023"
)

func init() {
	// The rehearsal's Lambda runtime and fixture outlive the tests that
	// share them; TestMain ends them.
	afterTests = append(afterTests, cdktest.CloseLambdaRuntime, func() {
		if fixtureDir != "" {
			os.RemoveAll(fixtureDir)
		}
	})
}

var (
	fixtureOnce sync.Once
	fixture     *deploytime.Stack
	fixtureErr  error
	fixtureDir  string
)

// lookupStack synthesizes the fixture once per test binary.
func lookupStack(t *testing.T) *deploytime.Stack {
	t.Helper()
	fixtureOnce.Do(func() {
		if fixtureDir, fixtureErr = os.MkdirTemp("", "lookup-rehearsal-"); fixtureErr != nil {
			return
		}
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: &fixtureDir})
		stack := awscdk.NewStack(app, jsii.String("Lookups"), nil)
		platform := constructs.NewPlatformArn(stack, "Platform", &constructs.PlatformArnProps{Branch: branch})
		application := awselasticbeanstalk.NewCfnApplication(stack, jsii.String("Application"), &awselasticbeanstalk.CfnApplicationProps{ApplicationName: jsii.String("rehearsal")})
		env := awselasticbeanstalk.NewCfnEnvironment(stack, jsii.String("Environment"), &awselasticbeanstalk.CfnEnvironmentProps{
			ApplicationName: application.Ref(), PlatformArn: platform.PlatformArn(),
		})
		constructs.NewLoadBalancerArn(stack, "LoadBalancer", &constructs.LoadBalancerArnProps{Environment: env})
		app.Synth(nil)
		assembly, err := cdktest.ReadAssembly(fixtureDir)
		if err != nil {
			fixtureErr = err
			return
		}
		s := assembly.Stacks["Lookups"]
		fixture = &deploytime.Stack{Name: s.Name, Template: s.Template, AssemblyDir: filepath.Dir(s.TemplateFile)}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixture
}

// newDeployment is a fresh account offering the recommended version 6.11.0
// of branch and otherBranch.
func newDeployment(t *testing.T) *deploytime.Deployment {
	t.Helper()
	d := deploytime.NewDeployment(cdktest.LambdaRuntime(t), rehearsalAccount, rehearsalRegion,
		awsstandin.RecommendedPlatforms(rehearsalRegion, branch, otherBranch))
	t.Cleanup(d.Close)
	return d
}

// deployed deploys the fixture and returns its platform lookup.
func deployed(t *testing.T, d *deploytime.Deployment) *deploytime.CustomResourceRun {
	t.Helper()
	if err := d.Deploy(lookupStack(t)); err != nil {
		t.Fatal(deploytime.Explain(err))
	}
	return runOf(t, d, "Custom::PlatformVersion")
}

func runOf(t *testing.T, d *deploytime.Deployment, resourceType string) *deploytime.CustomResourceRun {
	t.Helper()
	for _, r := range d.Runs {
		if r.Type == resourceType {
			return r
		}
	}
	t.Fatalf("no %s ran", resourceType)
	return nil
}

// withBranch is the platform lookup's properties for another branch, as
// NewPlatformArn writes them.
func withBranch(run *deploytime.CustomResourceRun, b string) map[string]any {
	p := maps.Clone(run.Properties)
	p["Branch"] = b
	var filters []any
	for _, f := range ebplatform.RecommendedVersionFilters(b) {
		var values []any
		for _, v := range f.Values {
			values = append(values, v)
		}
		filters = append(filters, map[string]any{"Type": f.Type, "Operator": f.Operator, "Values": values})
	}
	p["Filters"] = filters
	return p
}

func with(run *deploytime.CustomResourceRun, key string, value any) map[string]any {
	p := maps.Clone(run.Properties)
	p[key] = value
	return p
}

func version(v string) string {
	return "arn:aws:elasticbeanstalk:" + rehearsalRegion + "::platform/" + branch + "/" + v
}

// assertKept fails unless every event answered SUCCESS, and the resource is
// still the one created, on the version created.
func assertKept(t *testing.T, run *deploytime.CustomResourceRun, createdID string, events []*deploytime.HandlerRun) {
	t.Helper()
	var seen []string
	for _, h := range events {
		if h.Response == nil {
			t.Fatalf("%s: no answer reached CloudFormation; logs %v", h.Event["RequestType"], h.Result.Logs)
		}
		seen = append(seen, fmt.Sprintf("%s→%s %s", h.Event["RequestType"], h.Response.Status, h.Response.PhysicalResourceID))
	}
	if run.PhysicalID != createdID || run.Attributes["PlatformArn"] != version("6.11.0") {
		t.Errorf("after %v the resource is %s answering %v; want it kept: %s answering %s", seen, run.PhysicalID, run.Attributes["PlatformArn"], createdID, version("6.11.0"))
	}
	last := events[len(events)-1]
	if last.Event["RequestType"] == "Update" && last.Response.Status != "SUCCESS" {
		t.Errorf("the rollback's Update answered %s: %s; CloudFormation would stop in UPDATE_ROLLBACK_FAILED", last.Response.Status, last.Response.Reason)
	}
}

// TestPlatformLookupRollbackOfABranchChangeKeepsThePlatform rehearses an
// update that changes the branch and rolls back, while AWS has released a
// newer version of the deployed branch since the Create: neither a typo
// (the lookup's own FAILED, then an Update back whose
// OldResourceProperties are the typo) nor a valid branch whose update
// another resource fails (a replacement, then a Delete of it) may move the
// platform; nor may the stack's deletion call AWS.
func TestPlatformLookupRollbackOfABranchChangeKeepsThePlatform(t *testing.T) {
	for name, newBranch := range map[string]string{"typo": "Node.js 24 running on 64bit Amazon Linux 2099", "another branch": otherBranch} {
		t.Run(name, func(t *testing.T) {
			d := newDeployment(t)
			run := deployed(t, d)
			created := run.PhysicalID
			d.Beanstalk.ReleaseVersion(branch, "6.99.0")
			events, err := d.UpdateRolledBack(run, withBranch(run, newBranch), nil)
			if err != nil {
				t.Fatal(err)
			}
			if newBranch == otherBranch && (events[0].Response.Status != "SUCCESS" || events[1].Event["RequestType"] != "Delete") {
				t.Errorf("the update to %s answered %s (%s), then %s; want a replacement, deleted by the rollback", newBranch, events[0].Response.Status, events[0].Response.Reason, events[1].Event["RequestType"])
			}
			assertKept(t, run, created, events)
			for _, h := range events[1:] {
				if len(h.Calls) > 0 {
					t.Errorf("the rollback's %s called %v; it answers what was deployed", h.Event["RequestType"], h.Calls[0].Action)
				}
			}
			deleted, err := d.Delete(run)
			if err != nil {
				t.Fatal(err)
			}
			if deleted.Response == nil || deleted.Response.Status != "SUCCESS" || deleted.Response.PhysicalResourceID != created || len(deleted.Calls) > 0 {
				t.Errorf("Delete: %+v, %d calls; want SUCCESS for %s without a call", deleted.Response, len(deleted.Calls), created)
			}
		})
	}
}

// TestPlatformLookupRollbackCausedByAnotherResourceKeepsThePlatform
// rehearses updates that keep the branch and fail elsewhere in the stack:
// one that changes only the lookup's filters (an update in place, then an
// Update back), and one that changes the refresh token while the version is
// still recommended, AWS releasing a newer one before the rollback. The
// platform must stay, and an update that keeps branch and token must not
// ask AWS.
func TestPlatformLookupRollbackCausedByAnotherResourceKeepsThePlatform(t *testing.T) {
	t.Run("filters", func(t *testing.T) {
		d := newDeployment(t)
		run := deployed(t, d)
		created := run.PhysicalID
		d.Beanstalk.ReleaseVersion(branch, "6.99.0")
		filters := append(run.Properties["Filters"].([]any), map[string]any{"Type": "PlatformStatus", "Operator": "=", "Values": []any{"Ready"}})
		events, err := d.UpdateRolledBack(run, with(run, "Filters", filters), nil)
		if err != nil {
			t.Fatal(err)
		}
		assertKept(t, run, created, events)
		for _, h := range events {
			if len(h.Calls) > 0 {
				t.Errorf("%s with the same branch and token called %s", h.Event["RequestType"], h.Calls[0].Action)
			}
		}
	})
	t.Run("refresh", func(t *testing.T) {
		d := newDeployment(t)
		run := deployed(t, d)
		created := run.PhysicalID
		events, err := d.UpdateRolledBack(run, with(run, "Refresh", "2026-12"), func() { d.Beanstalk.ReleaseVersion(branch, "6.99.0") })
		if err != nil {
			t.Fatal(err)
		}
		if got := events[0].Response; got == nil || got.Status != "SUCCESS" || got.Data["PlatformArn"] != version("6.11.0") {
			t.Fatalf("the refresh found %+v; want the recommended %s", got, version("6.11.0"))
		}
		assertKept(t, run, created, events)
	})
}

// TestPlatformLookupKeepsAnIdDeployedBeforeFingerprints rehearses a
// resource that an earlier lookup.js created, whose physical id is the bare
// ARN: an update that keeps branch and token answers that same id (another
// would be a replacement), and so does the rollback of a branch typo.
func TestPlatformLookupKeepsAnIdDeployedBeforeFingerprints(t *testing.T) {
	d := newDeployment(t)
	run := deployed(t, d)
	run.PhysicalID = version("6.11.0")
	d.Beanstalk.ReleaseVersion(branch, "6.99.0")
	filters := append(run.Properties["Filters"].([]any), map[string]any{"Type": "PlatformStatus", "Operator": "=", "Values": []any{"Ready"}})
	update, err := d.Update(run, with(run, "Filters", filters))
	if err != nil {
		t.Fatal(err)
	}
	assertKept(t, run, version("6.11.0"), []*deploytime.HandlerRun{update})
	events, err := d.UpdateRolledBack(run, withBranch(run, "Node.js 24 running on 64bit Amazon Linux 2099"), nil)
	if err != nil {
		t.Fatal(err)
	}
	assertKept(t, run, version("6.11.0"), events)
}

// TestLookupAnswerSurvivesItsTransport sends the answers to a response URL
// that resets the first connection, answers 503 once, or does not answer
// the first PUT at all (the PUT times out; the rehearsal counts its 10 s
// without waiting them): the handler must send its SUCCESS again, not turn
// it into FAILED. A 403, which no retry changes, must be logged with its
// status and S3's body, with no second, different answer.
func TestLookupAnswerSurvivesItsTransport(t *testing.T) {
	for name, fault := range map[string]deploytime.ResponseFault{"reset": deploytime.ResetConnection, "503": deploytime.Unavailable, "stall": deploytime.Stall} {
		t.Run(name, func(t *testing.T) {
			d := newDeployment(t)
			d.Responses.FailNext(fault)
			run := deployed(t, d)
			var statuses []int
			for _, p := range run.Create.Puts {
				statuses = append(statuses, p.Status)
			}
			if len(statuses) != 2 || statuses[1] != 200 || run.Create.Response.Status != "SUCCESS" {
				t.Errorf("the response URL saw %v and CloudFormation got %s; want the SUCCESS sent again after the %s", statuses, run.Create.Response.Status, name)
			}
			if len(run.Create.Result.Sleeps) == 0 {
				t.Error("the handler sent its answer again without a wait")
			}
			// The handler's own timeout of a PUT (lookup.js PUT_TIMEOUT_MS).
			if name == "stall" && run.Create.Result.ElapsedMs < 10000 {
				t.Errorf("the stalled PUT took %.0f ms of the function's time; want its 10 s timeout counted", run.Create.Result.ElapsedMs)
			}
		})
	}
	t.Run("403", func(t *testing.T) {
		d := newDeployment(t)
		d.Responses.FailNext(deploytime.Forbidden)
		err := d.Deploy(lookupStack(t))
		if err == nil || !strings.Contains(err.Error(), "never reached CloudFormation") {
			t.Fatalf("deploying with the answer refused: %v, want the lookup unanswered", err)
		}
		run := d.Runs[0]
		if len(run.Create.Puts) != 1 || run.Create.Puts[0].Status != 403 {
			t.Errorf("the response URL saw %d requests; want the one refused, not retried and not followed by another answer", len(run.Create.Puts))
		}
		logs := strings.Join(run.Create.Result.Logs, "\n")
		if !strings.Contains(logs, "status 403") || !strings.Contains(logs, "<Code>AccessDenied</Code>") {
			t.Errorf("the handler logged:\n%s\nwant the status and S3's body", logs)
		}
	})
}

// TestLookupsNameAMissingPermission denies, for good, what a lookup needs:
// ListPlatformVersions (which answers an empty list, API reference) must
// not blame the branch, and DescribeEnvironmentResources'
// InsufficientPrivileges must name Beanstalk's reads and the role.
func TestLookupsNameAMissingPermission(t *testing.T) {
	for _, c := range []struct {
		denied, lookup string
		want           []string
	}{
		{"elasticbeanstalk:ListPlatformVersions", "Custom::PlatformVersion", []string{"elasticbeanstalk:ListPlatformVersions", "service control policy"}},
		{"autoscaling:DescribeAutoScalingGroups", "Custom::EnvironmentLoadBalancer", []string{"autoscaling:DescribeAutoScalingGroups", "cloudformation:DescribeStackResources", "AWSElasticBeanstalkReadOnly"}},
	} {
		t.Run(c.denied, func(t *testing.T) {
			d := newDeployment(t)
			d.Denied = func(action, _ string) bool { return action == c.denied }
			err := d.Deploy(lookupStack(t))
			var failed *deploytime.FailedError
			if !errors.As(err, &failed) || failed.Run.Type != c.lookup {
				t.Fatalf("deploying with %s denied: %v; want %s to fail", c.denied, err, c.lookup)
			}
			role := "arn:aws:iam::" + rehearsalAccount + ":role/"
			for _, want := range append(c.want, role) {
				if !strings.Contains(failed.Reason, want) {
					t.Errorf("the failure says %q; want it to name %s", failed.Reason, want)
				}
			}
			if strings.Contains(failed.Reason, "branch name") {
				t.Errorf("the failure blames the branch: %q", failed.Reason)
			}
		})
	}
}

// TestLookupsThroughPagesAndThrottling deploys against stand-ins that page
// ListPlatformVersions one version at a time, starting with an empty page,
// and throttle each action's first call (the SDK retries Throttling).
func TestLookupsThroughPagesAndThrottling(t *testing.T) {
	d := newDeployment(t)
	d.Beanstalk.PageSize, d.Beanstalk.EmptyFirstPage = 1, true
	d.Beanstalk.ThrottleOncePerAction()
	d.LoadBalancing.ThrottleOncePerAction()
	run := deployed(t, d)
	if run.Create.Response.Data["PlatformArn"] != version("6.11.0") {
		t.Errorf("the lookup answered %v; want %s", run.Create.Response.Data["PlatformArn"], version("6.11.0"))
	}
	var tokens int
	for _, c := range run.Create.Calls {
		if c.Params.Has("NextToken") {
			tokens++
		}
	}
	if len(run.Create.Calls) != 3 || tokens != 1 {
		t.Errorf("the lookup made %d calls, %d with NextToken; want a throttled call, the empty first page and the next", len(run.Create.Calls), tokens)
	}
	lb := runOf(t, d, "Custom::EnvironmentLoadBalancer")
	if lb.Create.Response.Status != "SUCCESS" {
		t.Errorf("the load balancer lookup answered %s: %s", lb.Create.Response.Status, lb.Create.Response.Reason)
	}
}

// TestPlatformLookupCheckForAnyVersionFollowsPages hides only the branch's
// versions (ListPlatformVersions lists only what the caller may read, API
// reference) from a stand-in whose first page is empty: the check for any
// readable version must follow NextToken past that page, find others, and
// name the branch rather than the permission.
func TestPlatformLookupCheckForAnyVersionFollowsPages(t *testing.T) {
	d := newDeployment(t)
	d.Beanstalk.PageSize, d.Beanstalk.EmptyFirstPage = 1, true
	d.Denied = func(action, resource string) bool {
		return action == "elasticbeanstalk:ListPlatformVersions" && strings.Contains(resource, "/"+branch+"/")
	}
	err := d.Deploy(lookupStack(t))
	var failed *deploytime.FailedError
	if !errors.As(err, &failed) || failed.Run.Type != "Custom::PlatformVersion" {
		t.Fatalf("deploying with the branch's versions hidden: %v; want the platform lookup to fail", err)
	}
	if !strings.Contains(failed.Reason, "list-platform-branches") || strings.Contains(failed.Reason, "no platform version at all") {
		t.Errorf("the failure says %q; want the branch named, since other versions are readable", failed.Reason)
	}
	calls := failed.Run.Create.Calls
	if last := calls[len(calls)-1]; last.Params.Get("MaxRecords") != "1" || !last.Params.Has("NextToken") {
		t.Errorf("the last call was %v; want the check for any version to have followed NextToken", last.Params)
	}
}
