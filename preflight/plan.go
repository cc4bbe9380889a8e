package preflight

import (
	"fmt"

	"privatebackend/config"
	"privatebackend/constructs/settings"
	"privatebackend/internal/ebplatform"
)

// Plan is what one environment would create, as far as the checks need to
// know: it is the only part of this package that reads the configuration,
// so a change to the config package is adapted here.
type Plan struct {
	// Environment is the environment's name.
	Environment string
	// Account and Region pin the environment; both are empty when it deploys
	// wherever the credentials point.
	Account, Region string
	// Backends are the environment's backends, sorted by name.
	Backends []BackendPlan
	// VpcID is the existing VPC the environment uses; empty when the Network
	// stack creates one.
	VpcID string
	// NatEgress is true when the instances reach AWS services through NAT
	// gateways, false when through VPC endpoints.
	NatEgress bool
	// InterfaceEndpointServices and GatewayEndpointServices are the short
	// names of the services the instances reach through VPC endpoints.
	InterfaceEndpointServices, GatewayEndpointServices []string
	// VpcLinks is the number of REST API VPC links the Api stack creates.
	VpcLinks int
	// NetworkStack and APIStack are the CloudFormation stack names of the
	// environment's network and API.
	NetworkStack, APIStack string
	// FrontDoor is what the API's domain and authorizers use.
	FrontDoor FrontDoorPlan

	pinned bool
}

// BackendPlan is one backend.
type BackendPlan struct {
	// Name is the backend's name.
	Name string
	// Branch is the platform branch whose recommended version is looked up
	// at deploy time; empty when PlatformArn pins a version.
	Branch string
	// PlatformArn is the pinned platform version; empty for a branch.
	PlatformArn string
	// InstanceType is the instance type Beanstalk launches.
	InstanceType string
	// Source is the S3 object of the backend's source; nil for a source the
	// app bundles as an asset.
	Source *SourceObject
	// Secrets are the backend's environment secrets by variable name.
	Secrets map[string]settings.Secret
	// MinInstances is the Auto Scaling group's minimum size: what a first
	// deploy starts.
	MinInstances int
	// Stack is the backend's CloudFormation stack name.
	Stack string
}

// LoadPlan reads the named environment from the cdk.json at path; an
// unknown name is a *config.UnknownEnvironmentError.
func LoadPlan(path, name string) (Plan, error) {
	e, err := config.EnvironmentFromFile(path, name)
	if err != nil {
		return Plan{}, err
	}
	return NewPlan(e)
}

// NewPlan turns a validated environment, with its defaults and names, into
// what to check.
func NewPlan(e *config.Environment) (Plan, error) {
	p := Plan{
		Environment:               e.Name,
		Account:                   e.Account,
		Region:                    e.Region,
		VpcID:                     e.Network.VpcID,
		NatEgress:                 e.Network.Egress == config.EgressNat,
		InterfaceEndpointServices: e.InterfaceEndpointServices(),
		GatewayEndpointServices:   e.Network.GatewayEndpointServices(),
		// The Api stack makes one VPC link per backend (stacks/api.go).
		VpcLinks:     len(e.Backends),
		NetworkStack: e.Stacks.Network.Name,
		APIStack:     e.Stacks.API.Name,
		pinned:       e.Pinned(),
		FrontDoor:    newFrontDoorPlan(e),
	}
	for _, name := range e.BackendNames() {
		b := e.Backends[name]
		platform, err := ebplatform.Parse(b.Platform)
		if err != nil {
			return Plan{}, fmt.Errorf("environments.%s.backends.%s.platform: %w", e.Name, name, err)
		}
		p.Backends = append(p.Backends, BackendPlan{
			Name:         name,
			Branch:       platform.Branch,
			PlatformArn:  platform.Arn,
			InstanceType: b.InstanceType,
			MinInstances: *b.MinInstances,
			Stack:        e.Stacks.Backends[name].Name,
			Source:       sourceObject(e.Backends[name]),
			Secrets:      e.Backends[name].ParsedSecrets(),
		})
	}
	return p, nil
}

// Pinned reports whether the environment names its account and region
// (config's Environment.Pinned).
func (p Plan) Pinned() bool { return p.pinned }
