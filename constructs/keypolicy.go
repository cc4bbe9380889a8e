package constructs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
)

// GrantsOnlyForAWSServicesSid names the key policy statement that
// LimitGrantsToAWSServices adds.
const GrantsOnlyForAWSServicesSid = "DenyGrantsExceptForAWSServices"

// LimitGrantsToAWSServices adds to the policy of key, which must be a key
// of this app, a statement that denies kms:CreateGrant to every principal
// unless an AWS service integrated with KMS creates the grant on the
// caller's behalf (kms:GrantIsForAWSResource, "Controlling access to
// grants", AWS KMS developer guide) or the caller is itself an AWS service
// (aws:PrincipalIsAWSService, IAM global condition keys). No service this
// app encrypts with (SNS, S3, CodePipeline, CloudWatch Logs) needs a grant;
// EBS or RDS would create theirs through KMS and stay allowed. It is the
// statement AWS Control Tower's CT.KMS.PR.3 requires, word for word:
// Deny, all principals, kms:CreateGrant, resource "*", and both
// conditions "false" under BoolIfExists.
func LimitGrantsToAWSServices(key awskms.IKey) {
	added := key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(GrantsOnlyForAWSServicesSid),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}), jsii.Bool(false))
	if !*added.StatementAdded {
		panic(fmt.Sprintf("constructs.LimitGrantsToAWSServices: the policy of key %s cannot be changed here", *key.Node().Path()))
	}
}
