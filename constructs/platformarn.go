package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	cdkconstructs "github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"privatebackend/internal/ebplatform"
	"privatebackend/internal/nag"
)

// platformArnPath is where ListPlatformVersions puts the first matching
// platform version's ARN.
const platformArnPath = "PlatformSummaryList.0.PlatformArn"

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
// answer is kept by CloudFormation: the lookup runs again only when the
// custom resource's properties change (a new branch, a new Refresh), so a
// deploy never moves the platform silently.
func NewPlatformArn(scope cdkconstructs.Construct, id string, props *PlatformArnProps) PlatformArn {
	if props == nil {
		panic(fmt.Sprintf("constructs.NewPlatformArn %q: props are required", id))
	}
	if p, err := ebplatform.Parse(props.Branch); err != nil || p.Branch == "" {
		panic(fmt.Sprintf("constructs.NewPlatformArn %q: Branch %q is not a platform branch name, e.g. %q", id, props.Branch, ebplatform.DefaultBranch))
	}
	c := &platformArn{}
	cdkconstructs.NewConstruct_Override(c, scope, &id)
	stack := awscdk.Stack_Of(c)
	filter := func(attribute, value string) map[string]any {
		return map[string]any{"Type": attribute, "Operator": "=", "Values": []string{value}}
	}
	call := &customresources.AwsSdkCall{
		Service: jsii.String("ElasticBeanstalk"),
		Action:  jsii.String("listPlatformVersions"),
		// An environment can always be created on the recommended version of a
		// supported branch; an older one only if the account used it in the last
		// 30 days ("About Elastic Beanstalk platforms"). PlatformFilter accepts
		// PlatformBranchName and PlatformLifecycleState = "recommended".
		Parameters: map[string]any{"Filters": []any{
			filter("PlatformBranchName", props.Branch),
			filter("PlatformLifecycleState", "recommended"),
		}},
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(props.Branch)),
		OutputPaths:        jsii.Strings(platformArnPath),
	}
	resource := newLookup(c, "Resource", call,
		// ListPlatformVersions authorizes against the platform resource type
		// and returns only the versions the caller may read ("Resources and
		// conditions for Elastic Beanstalk actions"; ListPlatformVersions API
		// reference), so the branch's versions are all it needs.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("elasticbeanstalk:ListPlatformVersions"),
			Resources: jsii.Strings(platformVersionsArn(stack, props.Branch)),
		}),
	)
	if props.Refresh != "" {
		resource.Node().FindChild(jsii.String("Resource")).Node().DefaultChild().(awscdk.CfnResource).
			AddPropertyOverride(jsii.String("Refresh"), props.Refresh)
	}
	nag.Suppress(resource, "AwsSolutions-IAM5", "ListPlatformVersions reads platform versions by ARN; an AWS-managed platform's versions are arn:...:elasticbeanstalk:REGION::platform/BRANCH/VERSION, and the wildcard covers the versions of this one branch only.",
		nag.Regex(`^Resource::arn:.+:elasticbeanstalk:.+::platform/[^*]+/\*$`))
	c.arn = resource.GetResponseField(jsii.String(platformArnPath))
	return c
}

// platformVersionsArn is the IAM resource of every version of an
// AWS-managed platform branch in the stack's region: AWS-managed platform
// ARNs have no account ("Amazon resource name format for Elastic Beanstalk").
func platformVersionsArn(stack awscdk.Stack, branch string) string {
	return *stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("elasticbeanstalk"),
		Account:      jsii.String(""),
		Resource:     jsii.String("platform"),
		ResourceName: jsii.String(branch + "/*"),
	})
}
