package preflight

import (
	"context"
	"strings"
	"testing"

	"privatebackend/config"
	"privatebackend/internal/testsupport/awsstandin"
)

const (
	fdCertificate = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-4900-8800-000000000001"
	fdPool        = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"
	fdFunction    = "arn:aws:lambda:eu-west-1:123456789012:function:partner-auth"
)

// frontDoorRunner is a runner of the front door's checks for an environment
// with a domain (alias records, mutual TLS) and both kinds of authorizer,
// against account.
func frontDoorRunner(t *testing.T, account *awsstandin.Account) *runner {
	t.Helper()
	envs, err := config.Load(map[string]any{"uat": map[string]any{
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
	return &runner{plan: plan, region: "eu-west-1", frontDoor: newFrontDoorClients(awsConfig(serve(t, account), account.Region))}
}

// healthyFrontDoor is an account where everything the front door uses exists.
func healthyFrontDoor(t *testing.T) *awsstandin.Account {
	t.Helper()
	a := passingAccount(t)
	a.Certificates = []awsstandin.Certificate{{Arn: fdCertificate, Status: "ISSUED", DomainName: "example.com", SubjectAlternativeNames: []string{"example.com", "*.example.com"}}}
	a.HostedZones = []awsstandin.HostedZone{{ID: "Z0123456789ABCDEFGHIJ", Name: "example.com."}}
	a.UserPools = map[string]bool{"eu-west-1_AbCdEf123": true}
	a.Functions = map[string]bool{fdFunction: true}
	a.Objects = map[string]bool{"example-truststores/api.pem@v3": true}
	return a
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
	account := healthyFrontDoor(t)
	for name, res := range runFrontDoor(t, frontDoorRunner(t, account)) {
		if res.Result != Pass {
			t.Errorf("%s: %s %s", name, res.Result, res.Detail)
		}
	}
	for _, call := range []string{"acm:DescribeCertificate", "route53:GetHostedZone", "cognito-idp:DescribeUserPool", "lambda:GetFunctionConfiguration", "s3:HeadObject"} {
		if account.Called(call) != 1 {
			t.Errorf("%s called %d times, want once; calls %v", call, account.Called(call), account.Calls())
		}
	}
}

func TestFrontDoorChecksFailOnWhatIsMissingOrWrong(t *testing.T) {
	account := healthyFrontDoor(t)
	account.Certificates[0].Status = "PENDING_VALIDATION"
	account.HostedZones[0].Name = "example.org."
	account.UserPools = nil
	account.Functions = nil
	account.Objects = map[string]bool{"example-truststores/api.pem@v2": true, "example-truststores/api.pem": true}
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
	account = healthyFrontDoor(t)
	account.Certificates[0].SubjectAlternativeNames = []string{"example.com", "*.api.example.com"}
	if res := frontDoorRunner(t, account).certificate(context.Background()); res.Result != Fail || !strings.Contains(res.Detail, "covers example.com, example.com, *.api.example.com, not api.example.com") {
		t.Errorf("uncovered name: %s %s", res.Result, res.Detail)
	}
	r := frontDoorRunner(t, healthyFrontDoor(t))
	r.frontDoor.checkedIn = "us-east-1"
	if res := r.certificate(context.Background()); res.Result != Fail || !strings.Contains(res.Detail, "is in eu-west-1, but the API deploys to us-east-1") {
		t.Errorf("other region: %s %s", res.Result, res.Detail)
	}
	denied := healthyFrontDoor(t)
	denied.Denied["acm:DescribeCertificate"] = true
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
