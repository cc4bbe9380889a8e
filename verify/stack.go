// Package verify proves that a deployed environment answers through every
// API stage: it finds the stages' invoke URLs in the Api stack's outputs,
// calls each stage (signed with SigV4 when the API requires it) and checks
// that the backend the stage's configuration names is the one answering.
package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

// StackOutputs reads the outputs of a deployed CloudFormation stack.
type StackOutputs interface {
	// Outputs returns the stack's outputs by key, or an error wrapping
	// ErrNotDeployed when the stack does not exist.
	Outputs(ctx context.Context, stackName string) (map[string]string, error)
}

// ErrNotDeployed says the stack does not exist.
var ErrNotDeployed = errors.New("not deployed")

// CloudFormationOutputs reads stack outputs with DescribeStacks, the one
// CloudFormation call the command needs (cloudformation:DescribeStacks).
type CloudFormationOutputs struct {
	// Client is the CloudFormation client.
	Client *cloudformation.Client
}

// Outputs implements StackOutputs.
func (c CloudFormationOutputs) Outputs(ctx context.Context, stackName string) (map[string]string, error) {
	out, err := c.Client.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &stackName})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" && strings.Contains(apiErr.ErrorMessage(), "does not exist") {
		return nil, fmt.Errorf("%s: %w", stackName, ErrNotDeployed)
	}
	if err != nil {
		return nil, err
	}
	if len(out.Stacks) == 0 {
		return nil, fmt.Errorf("%s: %w", stackName, ErrNotDeployed)
	}
	stack := out.Stacks[0]
	if status := string(stack.StackStatus); strings.HasSuffix(status, "_FAILED") || strings.HasPrefix(status, "DELETE") || status == "ROLLBACK_COMPLETE" {
		return nil, fmt.Errorf("%s is %s; deploy it again before verifying", stackName, status)
	}
	outputs := map[string]string{}
	for _, o := range stack.Outputs {
		if o.OutputKey != nil && o.OutputValue != nil {
			outputs[*o.OutputKey] = *o.OutputValue
		}
	}
	return outputs, nil
}
