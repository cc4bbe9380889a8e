package settings

import (
	"fmt"
	"regexp"
)

// SecretService is the service that holds an environment secret.
type SecretService string

// Services of environment secrets ("Fetching secrets and parameters to
// Elastic Beanstalk environment variables", Beanstalk developer guide).
const (
	// SecretsManager is AWS Secrets Manager.
	SecretsManager SecretService = "secretsmanager"
	// ParameterStore is AWS Systems Manager Parameter Store.
	ParameterStore SecretService = "ssm"
)

// Secret is a parsed environment secret.
type Secret struct {
	// Service holds the value.
	Service SecretService
	// Arn is the secret's or parameter's ARN, without a JSON key: the
	// resource the instances may read.
	Arn string
	// Region is the ARN's region.
	Region string
	// JSONKey is the key of a Secrets Manager secret's JSON value, if any.
	JSONKey string
}

var (
	// arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX[:JSON_KEY];
	// secret names hold ASCII letters, digits and /_+=.@-, and the ARN ends
	// in a hyphen and six random characters (Secrets Manager API reference,
	// CreateSecret: Name). The suffix is required: the instance role is
	// granted exactly this ARN, and IAM compares a policy's resource with the
	// secret's complete ARN, while a partial ARN only finds a secret in API
	// calls (Secrets Manager API reference, SecretId: "Finding a secret from
	// a partial ARN"); a grant without it would deny Beanstalk's fetch when
	// an instance starts.
	// secretArn is a Secrets Manager secret ARN with an optional JSON key.
	secretArn = regexp.MustCompile(`^(arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})(?::([^:]+))?$`)
	// arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME.
	// parameterArn is an SSM parameter ARN.
	parameterArn = regexp.MustCompile(`^arn:aws[a-z-]*:ssm:([a-z0-9-]+):[0-9]{12}:parameter/[A-Za-z0-9/_.-]+$`)
	// KmsKeyArnPattern is a KMS key ARN,
	// arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID.
	KmsKeyArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`)
)

// ParseSecret reads a secrets value: the ARN of a Secrets Manager secret,
// optionally followed by ":JSON_KEY", or of an SSM parameter.
func ParseSecret(s string) (Secret, error) {
	if m := secretArn.FindStringSubmatch(s); m != nil {
		return Secret{Service: SecretsManager, Arn: m[1], Region: m[2], JSONKey: m[3]}, nil
	}
	if m := parameterArn.FindStringSubmatch(s); m != nil {
		return Secret{Service: ParameterStore, Arn: s, Region: m[1]}, nil
	}
	return Secret{}, fmt.Errorf("%q is neither a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX, optionally :JSON_KEY) nor an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)", s)
}
