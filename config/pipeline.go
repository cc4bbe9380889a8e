package config

import (
	"fmt"
	"strings"

	"privatebackend/internal/model"
)

// PipelineKey is the context key of the optional deployment pipeline.
const PipelineKey = "pipeline"

// Pipeline configures the optional CDK Pipelines deployment pipeline, which
// deploys the environments' stages wave by wave from a source repository.
type Pipeline struct {
	// Account is the AWS account the pipeline lives in (12 digits).
	Account string `json:"account" required:"true" pattern:"accountId"`
	// Region is the region the pipeline lives in.
	Region string `json:"region" required:"true" pattern:"region"`
	// Source is the repository the pipeline builds.
	Source PipelineSource `json:"source" required:"true"`
	// Waves are the pipeline's waves, deployed in this order.
	Waves []*Wave `json:"waves" required:"true" minEntries:"1"`
}

// PipelineSource is a repository reached through an AWS CodeConnections
// connection (GitHub, GitLab, Bitbucket).
type PipelineSource struct {
	// ConnectionArn is the ARN of an AWS CodeConnections (or CodeStar
	// Connections) connection to GitHub, GitLab or Bitbucket.
	ConnectionArn string `json:"connectionArn" required:"true" pattern:"connectionArn"`
	// Repository is the repository, "owner/repo".
	Repository string `json:"repository" required:"true" pattern:"repository"`
	// Branch is the branch the pipeline follows.
	Branch string `json:"branch" default:"main" pattern:"branch"`
}

// Wave is one step of the pipeline: environments deployed in parallel.
type Wave struct {
	// Name names the wave's pipeline stage.
	Name string `json:"name" required:"true" pattern:"waveName"`
	// Environments are the environments the wave deploys together; each
	// environment is deployed by one wave only.
	Environments []string `json:"environments" required:"true" minEntries:"1" pattern:"environmentName"`
	// Approval makes the wave wait for a manual approval.
	Approval bool `json:"approval" default:"false"`
}

var (
	// CodeConnections ARNs; the older service prefix codestar-connections
	// names the same connections.
	_ = model.NewPattern(model.Pattern{Name: "connectionArn",
		Expr: `^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
		What: "a CodeConnections connection ARN", Want: `e.g. "arn:aws:codeconnections:eu-west-1:111111111111:connection/12345678-1234-1234-1234-123456789012"`})
	_ = model.NewPattern(model.Pattern{Name: "repository", Expr: `^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`,
		What: "a repository", Want: `"owner/repo"`})
	_ = model.NewPattern(model.Pattern{Name: "branch", Expr: `^[A-Za-z0-9._/-]+$`,
		What: "a branch name", Want: `e.g. "main"`})
	// A wave becomes a CodePipeline stage name.
	_ = model.NewPattern(model.Pattern{Name: "waveName", Expr: `^[A-Za-z0-9._-]{1,100}$`,
		What: "a wave name", Want: "up to 100 letters, digits, dots, dashes or underscores"})
)

// Rules are the pipeline's cross-key rules: each wave its own name, each
// environment in one wave.
func (pl *Pipeline) Rules() model.Problems {
	var ps model.Problems
	deployedIn := map[string]string{}
	waveNames := map[string]bool{}
	for i, w := range pl.Waves {
		wat := fmt.Sprintf("waves[%d]", i)
		if waveNames[w.Name] {
			ps.Add(wat+".name", "%q names two waves; give each wave its own name", w.Name)
		}
		waveNames[w.Name] = true
		for j, env := range w.Environments {
			if deployedIn[env] != "" {
				ps.Add(fmt.Sprintf("%s.environments[%d]", wat, j), "%q is already deployed by wave %q; list each environment once", env, deployedIn[env])
			} else {
				deployedIn[env] = w.Name
			}
		}
	}
	return ps
}

// environmentRules checks that the waves name defined environments.
func (pl *Pipeline) environmentRules(envs []*Environment) model.Problems {
	var ps model.Problems
	defined := map[string]bool{}
	var names []string
	for _, e := range envs {
		defined[e.Name] = true
		names = append(names, e.Name)
	}
	for i, w := range pl.Waves {
		for j, env := range w.Environments {
			if !defined[env] && environmentName.MatchString(env) {
				ps.Add(fmt.Sprintf("waves[%d].environments[%d]", i, j), "%q is not an environment; defined environments: %s", env, strings.Join(names, ", "))
			}
		}
	}
	return ps
}
