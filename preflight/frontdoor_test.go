package preflight

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"privatebackend/config"
)

// frontDoorAccount answers the front door's calls from its fields: what
// exists in one account and region.
type frontDoorAccount struct {
	certificate *acmtypes.CertificateDetail
	zone        *r53types.HostedZone
	pools       map[string]bool // user pool ids
	functions   map[string]bool // function ARNs
	objects     map[string]bool // "bucket/key@version"
	denied      bool
}

var errNotFound = &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "not found"}

func (f *frontDoorAccount) DescribeCertificate(_ context.Context, in *acm.DescribeCertificateInput, _ ...func(*acm.Options)) (*acm.DescribeCertificateOutput, error) {
	if f.denied {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"}
	}
	if f.certificate == nil || aws.ToString(f.certificate.CertificateArn) != aws.ToString(in.CertificateArn) {
		return nil, errNotFound
	}
	return &acm.DescribeCertificateOutput{Certificate: f.certificate}, nil
}

func (f *frontDoorAccount) GetHostedZone(_ context.Context, in *route53.GetHostedZoneInput, _ ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error) {
	if f.zone == nil || aws.ToString(f.zone.Id) != aws.ToString(in.Id) {
		return nil, &smithy.GenericAPIError{Code: "NoSuchHostedZone", Message: "No hosted zone found"}
	}
	return &route53.GetHostedZoneOutput{HostedZone: f.zone}, nil
}

func (f *frontDoorAccount) DescribeUserPool(_ context.Context, in *cognitoidentityprovider.DescribeUserPoolInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolOutput, error) {
	if !f.pools[aws.ToString(in.UserPoolId)] {
		return nil, errNotFound
	}
	return &cognitoidentityprovider.DescribeUserPoolOutput{}, nil
}

func (f *frontDoorAccount) GetFunctionConfiguration(_ context.Context, in *lambda.GetFunctionConfigurationInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error) {
	if !f.functions[aws.ToString(in.FunctionName)] {
		return nil, errNotFound
	}
	return &lambda.GetFunctionConfigurationOutput{}, nil
}

func (f *frontDoorAccount) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	if !f.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)+"@"+aws.ToString(in.VersionId)] {
		// HeadObject has no body: the SDK reports a 404 as NotFound.
		return nil, &smithy.GenericAPIError{Code: "NotFound", Message: "Not Found"}
	}
	return &s3.HeadObjectOutput{}, nil
}

const (
	fdCertificate = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-4900-8800-000000000001"
	fdPool        = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"
	fdFunction    = "arn:aws:lambda:eu-west-1:123456789012:function:partner-auth"
)

// frontDoorRunner is a runner of the front door's checks for an environment
// with a domain (alias records, mutual TLS) and both kinds of authorizer,
// against account.
func frontDoorRunner(t *testing.T, account *frontDoorAccount) *runner {
	t.Helper()
	envs, err := config.Load(map[string]any{"prod": map[string]any{
		"account": "123456789012", "region": "eu-west-1",
		"backends": map[string]any{"blue": map[string]any{}},
		"api": map[string]any{
			"domain": map[string]any{"name": "api.example.com", "certificateArn": fdCertificate, "hostedZoneId": "Z0123456789ABCDEFGHIJ",
				"mutualTls": map[string]any{"truststoreUri": "s3://example-truststores/api.pem", "truststoreVersion": "v3"}},
			"authorization": "users",
			"authorizers": map[string]any{
				"users":    map[string]any{"type": "cognito", "userPoolArns": []any{fdPool}},
				"partners": map[string]any{"type": "lambda", "functionArn": fdFunction},
			},
			"routes": []any{map[string]any{"path": "/partner", "authorization": "partners"}},
			"stages": map[string]any{"live": map[string]any{"backend": "blue"}},
		},
	}}, "")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(envs[0])
	if err != nil {
		t.Fatal(err)
	}
	return &runner{plan: plan, region: "eu-west-1", frontDoor: frontDoorClients{
		acm: account, route53: account, cognito: account, lambda: account, s3: account, checkedIn: "eu-west-1",
	}}
}

// healthyFrontDoor is an account where everything the front door uses exists.
func healthyFrontDoor() *frontDoorAccount {
	return &frontDoorAccount{
		certificate: &acmtypes.CertificateDetail{CertificateArn: aws.String(fdCertificate), Status: acmtypes.CertificateStatusIssued,
			DomainName: aws.String("example.com"), SubjectAlternativeNames: []string{"example.com", "*.example.com"}},
		zone:      &r53types.HostedZone{Id: aws.String("Z0123456789ABCDEFGHIJ"), Name: aws.String("example.com."), Config: &r53types.HostedZoneConfig{PrivateZone: false}},
		pools:     map[string]bool{"eu-west-1_AbCdEf123": true},
		functions: map[string]bool{fdFunction: true},
		objects:   map[string]bool{"example-truststores/api.pem@v3": true},
	}
}

// runFrontDoor runs every front door check and returns the results by check.
func runFrontDoor(t *testing.T, r *runner) map[string]Result {
	t.Helper()
	out := map[string]Result{}
	checks := r.frontDoorChecks()
	if len(checks) != 5 {
		t.Fatalf("%d front door checks, want 5", len(checks))
	}
	for _, c := range checks {
		if len(c.permissions) == 0 {
			t.Errorf("check %v names no permission", c.names)
		}
		for _, res := range c.run(context.Background()) {
			out[res.Check] = res
		}
	}
	return out
}

func TestFrontDoorChecksPassWhenEverythingExists(t *testing.T) {
	for name, res := range runFrontDoor(t, frontDoorRunner(t, healthyFrontDoor())) {
		if res.Result != Pass {
			t.Errorf("%s: %s %s", name, res.Result, res.Detail)
		}
	}
}

func TestFrontDoorChecksFailOnWhatIsMissingOrWrong(t *testing.T) {
	account := healthyFrontDoor()
	account.certificate.Status = acmtypes.CertificateStatusPendingValidation
	account.zone.Name = aws.String("example.org.")
	account.pools = nil
	account.functions = nil
	account.objects = map[string]bool{"example-truststores/api.pem@v2": true}
	results := runFrontDoor(t, frontDoorRunner(t, account))
	for check, want := range map[string]string{
		"domain certificate":   "is PENDING_VALIDATION, not ISSUED",
		"hosted zone":          "is example.org, which cannot hold api.example.com",
		"truststore":           "s3://example-truststores/api.pem (version v3) does not exist",
		"user pools":           "these user pools do not exist in this account and region: " + fdPool,
		"authorizer functions": "these functions do not exist in this account and region: " + fdFunction,
	} {
		if res := results[check]; res.Result != Fail || !strings.Contains(res.Detail, want) {
			t.Errorf("%s: %s %q, want FAIL saying %q", check, res.Result, res.Detail, want)
		}
	}
	// A certificate that does not cover the name, and one in another region.
	account = healthyFrontDoor()
	account.certificate.SubjectAlternativeNames = []string{"example.com", "*.api.example.com"}
	account.certificate.DomainName = aws.String("example.com")
	if res := frontDoorRunner(t, account).certificate(context.Background()); res.Result != Fail || !strings.Contains(res.Detail, "covers example.com, example.com, *.api.example.com, not api.example.com") {
		t.Errorf("uncovered name: %s %s", res.Result, res.Detail)
	}
	r := frontDoorRunner(t, healthyFrontDoor())
	r.frontDoor.checkedIn = "us-east-1"
	if res := r.certificate(context.Background()); res.Result != Fail || !strings.Contains(res.Detail, "is in eu-west-1, but the API deploys to us-east-1") {
		t.Errorf("other region: %s %s", res.Result, res.Detail)
	}
	denied := healthyFrontDoor()
	denied.denied = true
	if res := frontDoorRunner(t, denied).certificate(context.Background()); res.Result != Error || !strings.Contains(res.Detail, "acm:DescribeCertificate was denied") {
		t.Errorf("denied: %s %s", res.Result, res.Detail)
	}
}

func TestACertificateWildcardCoversOneLabel(t *testing.T) {
	for _, c := range []struct {
		name, host string
		want       bool
	}{
		{"api.example.com", "api.example.com", true},
		{"*.example.com", "api.example.com", true},
		{"*.example.com", "v1.api.example.com", false},
		{"*.example.com", "example.com", false},
		{"API.example.com", "api.example.com", true},
	} {
		if got := covers(c.name, c.host); got != c.want {
			t.Errorf("covers(%q, %q) = %t, want %t", c.name, c.host, got, c.want)
		}
	}
}
