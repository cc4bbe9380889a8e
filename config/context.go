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
