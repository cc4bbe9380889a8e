package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// PipelineKey is the context key of the optional deployment pipeline.
const PipelineKey = "pipeline"

// Pipeline configures the optional CDK Pipelines deployment pipeline, which
// deploys the environments' stages wave by wave from a source repository.
type Pipeline struct {
	// Account is the AWS account the pipeline lives in (12 digits). Required.
	Account string `json:"account"`
	// Region is the region the pipeline lives in. Required.
	Region string `json:"region"`
	// Source is the repository the pipeline builds. Required.
	Source PipelineSource `json:"source"`
	// Waves are the pipeline's waves, deployed in this order. Required.
	Waves []*Wave `json:"waves"`
}

// PipelineSource is a repository reached through an AWS CodeConnections
// connection (GitHub, GitLab, Bitbucket).
type PipelineSource struct {
	// ConnectionArn is the ARN of an AWS CodeConnections (or CodeStar
	// Connections) connection to GitHub, GitLab or Bitbucket. Required.
	ConnectionArn string `json:"connectionArn"`
	// Repository is the repository, "owner/repo". Required.
	Repository string `json:"repository"`
	// Branch is the branch the pipeline follows. Default: "main".
	Branch string `json:"branch"`
}

// Wave is one step of the pipeline: environments deployed in parallel.
type Wave struct {
	// Name names the wave's pipeline stage. Required.
	Name string `json:"name"`
	// Environments are the environments the wave deploys together; each
	// environment is deployed by one wave only. Required.
	Environments []string `json:"environments"`
	// Approval makes the wave wait for a manual approval. Default: false.
	Approval bool `json:"approval"`
}

func (s *PipelineSource) setDefaults() {
	s.Branch = "main"
}

func (p *Pipeline) setDefaults() {
	p.Source.setDefaults()
}

var (
	// CodeConnections ARNs; the older service prefix codestar-connections
	// names the same connections.
	connectionArn = regexp.MustCompile(`^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	repository    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	branch        = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	// A wave becomes a CodePipeline stage name.
	waveName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// LoadPipeline decodes and validates the "pipeline" context value against
// the environments it deploys; raw nil means no pipeline (nil, nil).
func LoadPipeline(raw any, envs []*Environment) (*Pipeline, error) {
	if raw == nil {
		return nil, nil
	}
	p := &problems{}
	const at = PipelineKey
	if _, ok := raw.(map[string]any); !ok {
		p.add(at, "is %s; want an object with account, region, source and waves", describe(raw))
		return nil, p.err()
	}
	pipeline := &Pipeline{}
	pipeline.setDefaults()
	decode(raw, reflect.ValueOf(pipeline).Elem(), at, p)
	pipeline.validate(at, envs, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return pipeline, nil
}

func (pl *Pipeline) validate(at string, envs []*Environment, p *problems) {
	if !accountID.MatchString(pl.Account) {
		p.add(at+".account", "%q is not an AWS account id; want 12 digits, e.g. \"111111111111\"", pl.Account)
	}
	if !regionName.MatchString(pl.Region) {
		p.add(at+".region", "%q is not a region name; want e.g. \"eu-west-1\"", pl.Region)
	}
	if !connectionArn.MatchString(pl.Source.ConnectionArn) {
		p.add(at+".source.connectionArn", "%q is not a CodeConnections connection ARN; want e.g. \"arn:aws:codeconnections:eu-west-1:111111111111:connection/12345678-1234-1234-1234-123456789012\"", pl.Source.ConnectionArn)
	}
	if !repository.MatchString(pl.Source.Repository) {
		p.add(at+".source.repository", "%q is not a repository; want \"owner/repo\"", pl.Source.Repository)
	}
	if !branch.MatchString(pl.Source.Branch) {
		p.add(at+".source.branch", "%q is not a branch name; want e.g. \"main\"", pl.Source.Branch)
	}
	if len(pl.Waves) == 0 {
		p.add(at+".waves", "is missing or empty; list the waves in deployment order, e.g. [{\"name\": \"dev\", \"environments\": [\"dev\"]}]")
	}
	defined := map[string]bool{}
	var names []string
	for _, e := range envs {
		defined[e.Name] = true
		names = append(names, e.Name)
	}
	deployedIn := map[string]string{}
	waveNames := map[string]bool{}
	for i, w := range pl.Waves {
		wat := fmt.Sprintf("%s.waves[%d]", at, i)
		switch {
		case !waveName.MatchString(w.Name):
			p.add(wat+".name", "%q is not a wave name; use letters, digits, dots, dashes or underscores", w.Name)
		case waveNames[w.Name]:
			p.add(wat+".name", "%q names two waves; give each wave its own name", w.Name)
		}
		waveNames[w.Name] = true
		if len(w.Environments) == 0 {
			p.add(wat+".environments", "is empty; list the environments this wave deploys")
		}
		for j, env := range w.Environments {
			eat := fmt.Sprintf("%s.environments[%d]", wat, j)
			switch {
			case !defined[env]:
				p.add(eat, "%q is not an environment; defined environments: %s", env, strings.Join(names, ", "))
			case deployedIn[env] != "":
				p.add(eat, "%q is already deployed by wave %q; list each environment once", env, deployedIn[env])
			default:
				deployedIn[env] = w.Name
			}
		}
	}
}
