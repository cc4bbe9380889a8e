package preflight

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"privatebackend/internal/envcmd"
)

// Error codes AWS services answer a call the identity may not make with:
// AccessDenied (Query services such as STS, Beanstalk, CloudFormation),
// AccessDeniedException (JSON services such as SSM, Service Quotas, the
// Price List API, and API Gateway), UnauthorizedOperation (EC2, "Error codes
// for the Amazon EC2 API").
var deniedCodes = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}

// Error codes for credentials a service does not accept ("Troubleshoot
// signing errors"; "Common Errors" of the API references).
var rejectedCodes = []string{"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "AuthFailure", "IncompleteSignature"}

// denied reports whether err is an AWS answer that the call is not allowed.
func denied(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && slices.Contains(deniedCodes, apiErr.ErrorCode()) {
		return true
	}
	var respErr *smithyhttp.ResponseError
	return errors.As(err, &respErr) && respErr.HTTPStatusCode() == 403 && !rejected(err)
}

func rejected(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && slices.Contains(rejectedCodes, apiErr.ErrorCode())
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// failed turns a call that failed into the check's result: a denied call
// names the permission that is missing, a timeout how long it waited,
// anything else the error's first line.
func (r *runner) failed(ctx context.Context, name, action string, err error) Result {
	res := Result{Check: name, Result: Error}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		res.Detail = fmt.Sprintf("%s did not answer within %s (-timeout); try again or raise -timeout", action, r.timeout)
	case denied(err):
		res.Detail = fmt.Sprintf("%s was denied: allow it to the identity preflight runs as (the preflight policy in docs/operations.md)", action)
	case rejected(err):
		res.Detail = fmt.Sprintf("%s rejected the credentials (%s): refresh them, e.g. aws sso login", action, errorCode(err))
	default:
		res.Detail = fmt.Sprintf("%s failed: %s", action, reason(err))
	}
	return res
}

// reason is the part of an SDK error that says what went wrong: the
// service's error code and message, or why the request could not be sent,
// without the operation and retry wrapping around them.
func reason(err error) string {
	var apiErr smithy.APIError
	var urlErr *url.Error
	switch {
	case errors.As(err, &apiErr):
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	case errors.As(err, &urlErr):
		return "could not reach AWS: " + urlErr.Error()
	}
	return envcmd.FirstLine(err)
}
