package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppress records that a cdk-nag finding (rule is its id, such as
// "AwsSolutions-IAM4") on one construct and its children is accepted, and
// why. appliesTo narrows a granular finding to the named policies or
// resources; empty, it covers the whole rule. The reason ends up in the nag
// reports in cdk.out.
func suppress(construct any, rule, reason string, appliesTo ...any) {
	cdknag.NagSuppressions_AddResourceSuppressions(construct, suppression(rule, reason, appliesTo), jsii.Bool(true))
}

// suppressPath is suppress for a construct the stack does not hold a
// reference to, such as a singleton the CDK creates.
func suppressPath(stack awscdk.Stack, path, rule, reason string, appliesTo ...any) {
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String("/"+*stack.Node().Path()+"/"+path),
		suppression(rule, reason, appliesTo), jsii.Bool(true))
}

func suppression(rule, reason string, appliesTo []any) *[]*cdknag.NagPackSuppression {
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		s.AppliesTo = &appliesTo
	}
	return &[]*cdknag.NagPackSuppression{s}
}

// managedPolicy is how cdk-nag names an AWS managed policy in appliesTo.
func managedPolicy(name string) any {
	return "Policy::arn:<AWS::Partition>:iam::aws:policy/" + name
}
