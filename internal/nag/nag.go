// Package nag records accepted cdk-nag findings, each with its reason, on the
// constructs that raise them. The reasons end up in the nag reports in
// cdk.out, where a reviewer reads them.
package nag

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Suppress records that a finding (rule is its id, such as
// "AwsSolutions-IAM4") on one construct and its children is accepted, and
// why. appliesTo narrows a granular finding to the named policies or
// resources (strings, or *cdknag.RegexAppliesTo); empty, it covers the whole rule.
func Suppress(construct any, rule, reason string, appliesTo ...any) {
	cdknag.NagSuppressions_AddResourceSuppressions(construct, suppression(rule, reason, appliesTo), jsii.Bool(true))
}

// SuppressPath is Suppress for a construct nothing holds a reference to,
// such as a singleton the CDK creates; path is relative to stack.
func SuppressPath(stack awscdk.Stack, path, rule, reason string, appliesTo ...any) {
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

// ManagedPolicy is how cdk-nag names an AWS managed policy in appliesTo.
func ManagedPolicy(name string) string {
	return "Policy::arn:<AWS::Partition>:iam::aws:policy/" + name
}

// Regex is an appliesTo entry matching finding details by regular
// expression, written as /.../ the way cdk-nag expects.
func Regex(pattern string) *cdknag.RegexAppliesTo {
	return &cdknag.RegexAppliesTo{Regex: jsii.String("/" + pattern + "/")}
}
