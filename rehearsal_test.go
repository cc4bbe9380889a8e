//go:build heavy

package main

import (
	"path/filepath"
	"testing"

	"privatebackend/config"
	"privatebackend/internal/testsupport/awsstandin"
	"privatebackend/internal/testsupport/cdktest"
	"privatebackend/internal/testsupport/deploytime"
)

// The deploy-time rehearsal of every app: every stack of every environment
// deployed as CloudFormation would, every custom resource's handler run on
// the pinned Node.js with the AWS SDK against stand-ins of the AWS APIs. The lookups' faults are rehearsed on fixtures,
// in the stacks tests.

// deployment deploys every stack of e into a fresh simulated account: its
// own account and region when pinned, else an arbitrary pair.
func deployment(t *testing.T, a *app, e *config.Environment) (*deploytime.Deployment, error) {
	t.Helper()
	account, region := "222222222222", "eu-central-1"
	if e.Pinned() {
		account, region = e.Account, e.Region
	}
	var branches []string
	for _, b := range e.Backends {
		branches = append(branches, b.Beanstalk.WithDefaults().Platform)
	}
	d := deploytime.NewDeployment(cdktest.LambdaRuntime(t), account, region, awsstandin.RecommendedPlatforms(region, branches...))
	t.Cleanup(d.Close)
	var stacks []*deploytime.Stack
	for _, name := range expectedStacks(e) {
		s := a.stack(t, name)
		// A Stage's nested assembly keeps its assets in the root assembly.
		stacks = append(stacks, &deploytime.Stack{Name: s.Name, Template: s.Template, AssemblyDir: filepath.Dir(filepath.Dir(s.TemplateFile))})
	}
	return d, d.DeployAll(stacks)
}

// TestDeployTimeEveryCustomResourceSucceeds deploys each environment: every
// custom resource's handler must answer SUCCESS to its Create and Update
// events, with every attribute the templates read from it, in an answer
// CloudFormation accepts (at most 4,096 bytes: "Custom resource response
// objects"), having called only what its function's policy allows.
func TestDeployTimeEveryCustomResourceSucceeds(t *testing.T) {
	forEachApp(t, func(t *testing.T, a *app) {
		for _, e := range a.environments {
			t.Run(e.Name, func(t *testing.T) {
				d, err := deployment(t, a, e)
				if err != nil {
					t.Fatal(deploytime.Explain(err))
				}
				if len(d.Runs) == 0 {
					t.Fatal("no custom resource ran")
				}
				for _, run := range d.Runs {
					for _, h := range []*deploytime.HandlerRun{run.Create, run.Update} {
						if h.Size > 4096 {
							t.Errorf("%s/%s answered %d bytes to %s; CloudFormation accepts at most 4096", run.Stack, run.LogicalID, h.Size, h.Event["RequestType"])
						}
						for _, c := range h.Calls {
							if !run.Policy.Allows(c.Permission.Action, c.Permission.Resource) {
								t.Errorf("%s/%s called %s on %s, which its function's policy does not allow", run.Stack, run.LogicalID, c.Permission.Action, c.Permission.Resource)
							}
						}
					}
				}
				// An update that changes neither branch nor refresh keeps the
				// version found before, without asking AWS: a deploy never moves
				// the platform by itself.
				for _, run := range d.Runs {
					if run.Type != "Custom::PlatformVersion" {
						continue
					}
					created, updated := run.Create.Response, run.Update.Response
					if len(run.Update.Calls) > 0 || updated.Data["PlatformArn"] != created.Data["PlatformArn"] || updated.PhysicalResourceID != created.PhysicalResourceID {
						t.Errorf("%s/%s: an update with the same branch called %d times and answered %v (id %s), after %v (id %s)", run.Stack, run.LogicalID,
							len(run.Update.Calls), updated.Data["PlatformArn"], updated.PhysicalResourceID, created.Data["PlatformArn"], created.PhysicalResourceID)
					}
				}
				// The CDK's handler leaves each VPC's default security group
				// without rules (@aws-cdk/aws-ec2:restrictDefaultSecurityGroup).
				for _, group := range d.EC2.Groups() {
					if rules := d.EC2.Rules(group); len(rules) > 0 {
						t.Errorf("default security group %s keeps %v", group, rules)
					}
				}
			})
		}
	})
}
