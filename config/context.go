package config

// ContextReader is the part of a construct node that reads CDK context
// (constructs.Node satisfies it).
type ContextReader interface {
	TryGetContext(key *string) any
}

// Context keys this package reads.
const (
	// EnvironmentsKey holds the configuration of every environment.
	EnvironmentsKey = "environments"
	// SelectKey ("-c env=NAME") narrows the app to one environment.
	SelectKey = "env"
)

// PipelineFromContext loads the optional deployment pipeline from the CDK
// context, checked against every configured environment (whatever
// "-c env" selects). No "pipeline" key means no pipeline (nil, nil).
func PipelineFromContext(ctx ContextReader) (*Pipeline, error) {
	pipelineKey, environments := PipelineKey, EnvironmentsKey
	raw := ctx.TryGetContext(&pipelineKey)
	if raw == nil {
		return nil, nil
	}
	envs, err := Load(ctx.TryGetContext(&environments), "")
	if err != nil {
		return nil, err
	}
	return LoadPipeline(raw, envs)
}

// FromContext loads the environments to build from the CDK context.
func FromContext(ctx ContextReader) ([]*Environment, error) {
	environments, selectKey := EnvironmentsKey, SelectKey
	selected := ""
	switch v := ctx.TryGetContext(&selectKey).(type) {
	case nil:
	case string:
		selected = v
	default:
		return nil, &Error{Problems: []string{"-c env: " + describe(v) + " is not an environment name"}}
	}
	return Load(ctx.TryGetContext(&environments), selected)
}
