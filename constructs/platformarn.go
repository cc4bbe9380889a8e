package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/ebplatform"
)

// PlatformArnProps configures a PlatformArn lookup.
type PlatformArnProps struct {
	// Branch is the platform branch, as ListPlatformVersions reports it in
	// PlatformBranchName, e.g. "Node.js 24 running on 64bit Amazon Linux 2023".
	// Required.
	Branch string
	// Refresh is any value; changing it looks the recommended version up
	// again on the next deploy. Default: "" (look up only when the lookup is
	// created and when Branch changes).
	Refresh string
	// LookupFunction answers the lookup. Default: the stack's own
	// LookupFunction, created on first use.
	LookupFunction awslambda.IFunction
}

// PlatformArn resolves, at deploy time, the ARN of the recommended platform
// version of an Elastic Beanstalk platform branch in the stack's region.
type PlatformArn interface {
	cdkconstructs.IConstruct
	// PlatformArn is the platform version's ARN (a token).
	PlatformArn() *string
}

type platformArn struct {
	cdkconstructs.Construct
	arn *string
}

func (p *platformArn) PlatformArn() *string { return p.arn }

// NewPlatformArn adds a custom resource that calls Beanstalk's
// ListPlatformVersions for the recommended version of props.Branch. Its
// answer is kept: its physical id is the version's ARN, and an update that
// changes neither the branch nor Refresh answers that again without a
// call, so a deploy never moves the platform silently. A branch with no
// recommended version in the region fails the stack, before the
// environment is created, naming the branch and the region.
func NewPlatformArn(scope cdkconstructs.Construct, id string, props *PlatformArnProps) PlatformArn {
	if props == nil {
		panic(fmt.Sprintf("constructs.NewPlatformArn %q: props are required", id))
	}
	if p, err := ebplatform.Parse(props.Branch); err != nil || p.Branch == "" {
		panic(fmt.Sprintf("constructs.NewPlatformArn %q: Branch %q is not a platform branch name, e.g. %q", id, props.Branch, ebplatform.DefaultBranch))
	}
	c := &platformArn{}
	cdkconstructs.NewConstruct_Override(c, scope, &id)
	var filters []any
	for _, f := range ebplatform.RecommendedVersionFilters(props.Branch) {
		filters = append(filters, map[string]any{"Type": f.Type, "Operator": f.Operator, "Values": f.Values})
	}
	properties := map[string]any{"Branch": props.Branch, "Filters": filters}
	if props.Refresh != "" {
		properties["Refresh"] = props.Refresh
	}
	resource := newLookup(c, "Resource", "Custom::PlatformVersion", properties, props.LookupFunction)
	c.arn = resource.GetAttString(jsii.String("PlatformArn"))
	return c
}
