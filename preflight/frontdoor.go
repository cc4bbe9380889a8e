package preflight

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"privatebackend/config"
)

// FrontDoorPlan is what the API's front door uses that must already exist
// in the account (issue 27): the domain's certificate, hosted zone and
// truststore, and the authorizers' user pools and functions.
type FrontDoorPlan struct {
	// DomainName is the custom domain; empty without one.
	DomainName string
	// CertificateArn is the domain's ACM certificate.
	CertificateArn string
	// HostedZoneID is the zone that gets the alias records; empty for none.
	HostedZoneID string
	// TruststoreURI and TruststoreVersion are the mutual TLS truststore;
	// empty without mutual TLS.
	TruststoreURI, TruststoreVersion string
	// UserPoolArns and FunctionArns are the authorizers' user pools and
	// Lambda functions, sorted.
	UserPoolArns, FunctionArns []string
}

// newFrontDoorPlan reads what the front door uses from the environment.
func newFrontDoorPlan(e *config.Environment) FrontDoorPlan {
	var p FrontDoorPlan
	if d := e.API.Domain; d != nil {
		p.DomainName, p.CertificateArn, p.HostedZoneID = d.Name, d.CertificateArn, d.HostedZoneID
		if d.MutualTLS != nil {
			p.TruststoreURI, p.TruststoreVersion = d.MutualTLS.TruststoreURI, d.MutualTLS.TruststoreVersion
		}
	}
	pools, functions := map[string]bool{}, map[string]bool{}
	for _, az := range e.API.Authorizers {
		for _, arn := range az.UserPoolArns {
			pools[arn] = true
		}
		if az.FunctionArn != "" {
			functions[az.FunctionArn] = true
		}
	}
	p.UserPoolArns, p.FunctionArns = slices.Sorted(maps.Keys(pools)), slices.Sorted(maps.Keys(functions))
	return p
}

// The calls the front door's checks make, one interface each, so that the
// tests can answer them.
type (
	certificateAPI interface {
		DescribeCertificate(context.Context, *acm.DescribeCertificateInput, ...func(*acm.Options)) (*acm.DescribeCertificateOutput, error)
	}
	hostedZoneAPI interface {
		GetHostedZone(context.Context, *route53.GetHostedZoneInput, ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error)
	}
	userPoolAPI interface {
		DescribeUserPool(context.Context, *cognitoidentityprovider.DescribeUserPoolInput, ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolOutput, error)
	}
	functionAPI interface {
		GetFunctionConfiguration(context.Context, *lambda.GetFunctionConfigurationInput, ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
	}
	objectAPI interface {
		HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	}
)

// frontDoorClients are the clients of the front door's checks.
type frontDoorClients struct {
	acm       certificateAPI
	route53   hostedZoneAPI
	cognito   userPoolAPI
	lambda    functionAPI
	s3        objectAPI
	checkedIn string // the region the checks run in
}

func newFrontDoorClients(cfg aws.Config) frontDoorClients {
	return frontDoorClients{
		acm: acm.NewFromConfig(cfg), route53: route53.NewFromConfig(cfg), cognito: cognitoidentityprovider.NewFromConfig(cfg),
		lambda: lambda.NewFromConfig(cfg), s3: s3.NewFromConfig(cfg), checkedIn: cfg.Region,
	}
}

// notFoundCodes are the error codes of a resource that does not exist:
// ResourceNotFoundException (ACM, Cognito, Lambda), NoSuchHostedZone (Route
// 53), NotFound and NoSuchKey (S3 HeadObject, which has no body, answers 404
// NotFound).
var notFoundCodes = []string{"ResourceNotFoundException", "NoSuchHostedZone", "NotFound", "NoSuchKey", "NoSuchVersion"}

func notFound(err error) bool { return slices.Contains(notFoundCodes, errorCode(err)) }

// frontDoorChecks are the checks of what the front door uses, in report
// order; none without a domain or authorizers.
func (r *runner) frontDoorChecks() []check {
	one := func(f func(ctx context.Context) Result) func(ctx context.Context) []Result {
		return func(ctx context.Context) []Result { return []Result{f(ctx)} }
	}
	p := r.plan.FrontDoor
	var checks []check
	if p.DomainName != "" {
		checks = append(checks, check{names: []string{"domain certificate"}, permissions: []string{"acm:DescribeCertificate"}, run: one(r.certificate)})
	}
	if p.HostedZoneID != "" {
		checks = append(checks, check{names: []string{"hosted zone"}, permissions: []string{"route53:GetHostedZone"}, run: one(r.hostedZone)})
	}
	if p.TruststoreURI != "" {
		permissions := []string{"s3:GetObject"}
		if p.TruststoreVersion != "" {
			permissions = append(permissions, "s3:GetObjectVersion")
		}
		checks = append(checks, check{names: []string{"truststore"}, permissions: permissions, run: one(r.truststore)})
	}
	if len(p.UserPoolArns) > 0 {
		checks = append(checks, check{names: []string{"user pools"}, permissions: []string{"cognito-idp:DescribeUserPool"}, run: one(r.userPools)})
	}
	if len(p.FunctionArns) > 0 {
		checks = append(checks, check{names: []string{"authorizer functions"}, permissions: []string{"lambda:GetFunctionConfiguration"}, run: one(r.authorizerFunctions)})
	}
	return checks
}

// certificate checks that the domain's certificate is in the region, issued
// and covers the domain name: a regional domain takes "a Region-specific
// ACM certificate ... in the same Region as your API", "signed by a
// publicly trusted Certificate Authority and cover the custom domain name"
// ("Set up a Regional custom domain name in API Gateway"; "Getting
// certificates ready in AWS Certificate Manager").
func (r *runner) certificate(ctx context.Context) Result {
	const name = "domain certificate"
	p := r.plan.FrontDoor
	if region := arnField(p.CertificateArn, 3); region != r.frontDoor.checkedIn {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s is in %s, but the API deploys to %s: request or import a certificate for %s in %s", p.CertificateArn, region, r.frontDoor.checkedIn, p.DomainName, r.frontDoor.checkedIn)}
	}
	out, err := r.frontDoor.acm.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(p.CertificateArn)})
	switch {
	case notFound(err):
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s does not exist in this account and region", p.CertificateArn)}
	case err != nil:
		return r.failed(ctx, name, "acm:DescribeCertificate", err)
	}
	c := out.Certificate
	if c.Status != acmtypes.CertificateStatusIssued {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s is %s, not ISSUED: finish its validation (DNS or email) before deploying", p.CertificateArn, c.Status)}
	}
	names := append([]string{aws.ToString(c.DomainName)}, c.SubjectAlternativeNames...)
	if !slices.ContainsFunc(names, func(n string) bool { return covers(n, p.DomainName) }) {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s covers %s, not %s", p.CertificateArn, strings.Join(names, ", "), p.DomainName)}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s is issued for %s in %s", p.CertificateArn, p.DomainName, r.frontDoor.checkedIn)}
}

// covers reports whether a certificate name covers host: the same name, or
// a wildcard "*.parent" for exactly one label more.
func covers(name, host string) bool {
	name, host = strings.ToLower(name), strings.ToLower(host)
	if parent, ok := strings.CutPrefix(name, "*."); ok {
		label, rest, found := strings.Cut(host, ".")
		return found && label != "" && rest == parent
	}
	return name == host
}

// hostedZone checks that the hosted zone exists, is public and holds the
// domain name.
func (r *runner) hostedZone(ctx context.Context) Result {
	const name = "hosted zone"
	p := r.plan.FrontDoor
	out, err := r.frontDoor.route53.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(p.HostedZoneID)})
	switch {
	case notFound(err):
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("hosted zone %s does not exist in this account", p.HostedZoneID)}
	case err != nil:
		return r.failed(ctx, name, "route53:GetHostedZone", err)
	}
	zone := strings.TrimSuffix(aws.ToString(out.HostedZone.Name), ".")
	switch {
	case out.HostedZone.Config != nil && out.HostedZone.Config.PrivateZone:
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("hosted zone %s (%s) is private: clients on the Internet would not see the alias records", p.HostedZoneID, zone)}
	case p.DomainName != zone && !strings.HasSuffix(p.DomainName, "."+zone):
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("hosted zone %s is %s, which cannot hold %s", p.HostedZoneID, zone, p.DomainName)}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("hosted zone %s (%s) takes the alias records of %s", p.HostedZoneID, zone, p.DomainName)}
}

// truststore checks that the mutual TLS truststore object (and version)
// exists.
func (r *runner) truststore(ctx context.Context) Result {
	const name = "truststore"
	p := r.plan.FrontDoor
	bucket, key, _ := strings.Cut(strings.TrimPrefix(p.TruststoreURI, "s3://"), "/")
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if p.TruststoreVersion != "" {
		in.VersionId = aws.String(p.TruststoreVersion)
	}
	_, err := r.frontDoor.s3.HeadObject(ctx, in)
	switch {
	case notFound(err):
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s%s does not exist: upload the truststore (PEM CA certificates) before deploying", p.TruststoreURI, version(p.TruststoreVersion))}
	case err != nil:
		return r.failed(ctx, name, "s3:GetObject (HeadObject)", err)
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s%s exists", p.TruststoreURI, version(p.TruststoreVersion))}
}

func version(v string) string {
	if v == "" {
		return ""
	}
	return " (version " + v + ")"
}

// userPools checks that every Cognito authorizer's user pool exists.
func (r *runner) userPools(ctx context.Context) Result {
	const name = "user pools"
	var missing []string
	for _, arn := range r.plan.FrontDoor.UserPoolArns {
		_, id, _ := strings.Cut(arnField(arn, 5), "/")
		_, err := r.frontDoor.cognito.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(id)})
		switch {
		case notFound(err):
			missing = append(missing, arn)
		case err != nil:
			return r.failed(ctx, name, "cognito-idp:DescribeUserPool", err)
		}
	}
	if len(missing) > 0 {
		return Result{Check: name, Result: Fail, Detail: "these user pools do not exist in this account and region: " + strings.Join(missing, ", ")}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("the %d user pools of the Cognito authorizers exist", len(r.plan.FrontDoor.UserPoolArns))}
}

// authorizerFunctions checks that every Lambda authorizer's function
// exists.
func (r *runner) authorizerFunctions(ctx context.Context) Result {
	const name = "authorizer functions"
	var missing []string
	for _, arn := range r.plan.FrontDoor.FunctionArns {
		_, err := r.frontDoor.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(arn)})
		switch {
		case notFound(err):
			missing = append(missing, arn)
		case err != nil:
			return r.failed(ctx, name, "lambda:GetFunctionConfiguration", err)
		}
	}
	if len(missing) > 0 {
		return Result{Check: name, Result: Fail, Detail: "these functions do not exist in this account and region: " + strings.Join(missing, ", ")}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("the %d functions of the Lambda authorizers exist", len(r.plan.FrontDoor.FunctionArns))}
}

// arnField returns field i of an ARN (arn:partition:service:region:
// account:resource; 3 is the region, 5 the resource).
func arnField(arn string, i int) string {
	fields := strings.SplitN(arn, ":", 6)
	if i >= len(fields) {
		return ""
	}
	return fields[i]
}
