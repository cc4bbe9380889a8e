package preflight

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

var stacksPermissions = []string{"cloudformation:DescribeStacks"}

// stackLookup is one DescribeStacks answer, asked once and shared.
type stackLookup struct {
	done   chan struct{}
	status string // "" when the stack does not exist
	err    error
}

// stackStatus returns a stack's status, or "" when it does not exist; each
// stack is asked for once, whichever check asks first.
func (r *runner) stackStatus(ctx context.Context, name string) (string, error) {
	r.mu.Lock()
	l, asked := r.stacks[name]
	if !asked {
		l = &stackLookup{done: make(chan struct{})}
		r.stacks[name] = l
	}
	r.mu.Unlock()
	if asked {
		select {
		case <-l.done:
			return l.status, l.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	defer close(l.done)
	out, err := r.cloudformation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	var apiErr smithy.APIError
	switch {
	// A stack that does not exist is a ValidationError "Stack with id NAME
	// does not exist" (DescribeStacks API reference).
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" && strings.Contains(apiErr.ErrorMessage(), "does not exist"):
	case err != nil:
		l.err = err
	case len(out.Stacks) > 0:
		l.status = string(out.Stacks[0].StackStatus)
	}
	return l.status, l.err
}

// deployed reports whether a stack exists (in any state but deleted).
func (r *runner) deployed(ctx context.Context, name string) (bool, error) {
	status, err := r.stackStatus(ctx, name)
	return status != "" && status != "DELETE_COMPLETE", err
}

// stackStates checks that no stack of the environment is in a state a
// deploy cannot start from: an operation still in progress, or a failed
// rollback or deletion ("Stack status codes" and "Continue rolling back an
// update" in the CloudFormation User Guide). A stack whose creation failed
// (ROLLBACK_COMPLETE, ROLLBACK_FAILED) is deleted and created again by the
// CDK CLI itself (aws-cdk deploy-stack.ts, isCreationFailure).
func (r *runner) stackStates(ctx context.Context) Result {
	const name = "stacks"
	var blocked, notes []string
	existing := 0
	for _, stack := range r.asm.StackNames() {
		status, err := r.stackStatus(ctx, stack)
		if err != nil {
			return r.failed(ctx, name, "cloudformation:DescribeStacks "+stack, err)
		}
		if status != "" && status != "DELETE_COMPLETE" {
			existing++
		}
		switch {
		case strings.HasSuffix(status, "_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS":
			blocked = append(blocked, fmt.Sprintf("%s is %s: wait until that operation ends", stack, status))
		case status == "UPDATE_ROLLBACK_FAILED":
			blocked = append(blocked, fmt.Sprintf("%s is UPDATE_ROLLBACK_FAILED: fix what blocked the rollback, then `aws cloudformation continue-update-rollback --stack-name %s`", stack, stack))
		case status == "DELETE_FAILED" || status == "IMPORT_ROLLBACK_FAILED":
			blocked = append(blocked, fmt.Sprintf("%s is %s: fix what blocked it and delete the stack (`aws cloudformation delete-stack --stack-name %s`) or roll it back", stack, status, stack))
		case status == "ROLLBACK_COMPLETE" || status == "ROLLBACK_FAILED":
			notes = append(notes, fmt.Sprintf("%s failed creation (%s); cdk deploy deletes and re-creates it", stack, status))
		}
	}
	if len(blocked) > 0 {
		return Result{Check: name, Result: Fail, Detail: strings.Join(blocked, "; ")}
	}
	detail := fmt.Sprintf("%d of %d stacks exist, none is busy or stuck", existing, len(r.asm.Stacks))
	if existing == 0 {
		detail = fmt.Sprintf("none of the %d stacks exists yet: a first deploy", len(r.asm.Stacks))
	}
	if len(notes) > 0 {
		detail += "; " + strings.Join(notes, "; ")
	}
	return Result{Check: name, Result: Pass, Detail: detail}
}
