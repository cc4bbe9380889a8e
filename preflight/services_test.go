package preflight

import (
	"fmt"
	"strings"
	"testing"
)

const (
	servicesSecret    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf"
	servicesParameter = "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/token"
)

// servicesJSON is edge with a backend on an S3 source with secrets.
var servicesJSON = fmt.Sprintf(`{"edge": {"network": {"egress": "nat"},
	"backends": {"blue": {"source": "s3://my-builds/orders/1.5.0.zip", "secrets": {"DB": "%s:password", "TOKEN": "%s"}}},
	"api": {"stages": {"live": {"backend": "blue"}}}}}`, servicesSecret, servicesParameter)

func TestPreflightFindsTheSourceObjectAndTheSecrets(t *testing.T) {
	f := passingAccount(t)
	f.Objects = map[string]bool{"my-builds/orders/1.5.0.zip": true}
	f.Secrets = map[string]bool{servicesSecret: true, servicesParameter: true}
	r := runPreflight(t, f, servicesJSON, timeout)
	for _, name := range []string{"source blue", "secrets blue"} {
		if res := result(t, r, name); res.Result != Pass {
			t.Errorf("%s: %+v, want a pass", name, res)
		}
	}
	if f.Called("s3:HeadObject") != 1 || f.Called("secretsmanager:DescribeSecret") != 1 || f.Called("ssm:GetParameter") < 2 {
		t.Errorf("calls %v: want one HeadObject, one DescribeSecret and GetParameter of the bootstrap version and the parameter", f.Calls())
	}
}

func TestPreflightFailsOnAMissingSourceOrSecret(t *testing.T) {
	f := passingAccount(t)
	f.Secrets = map[string]bool{servicesSecret: true}
	r := runPreflight(t, f, servicesJSON, timeout)
	if res := result(t, r, "source blue"); res.Result != Fail || !strings.Contains(res.Detail, "s3://my-builds/orders/1.5.0.zip does not exist in eu-west-1") {
		t.Errorf("source blue: %+v", res)
	}
	if res := result(t, r, "secrets blue"); res.Result != Fail || !strings.Contains(res.Detail, "TOKEN ("+servicesParameter+")") || strings.Contains(res.Detail, "DB (") {
		t.Errorf("secrets blue: %+v", res)
	}
}

func TestADeniedSourceReadNamesItsPermission(t *testing.T) {
	f := passingAccount(t)
	f.Objects = map[string]bool{"my-builds/orders/1.5.0.zip": true}
	f.Secrets = map[string]bool{servicesSecret: true, servicesParameter: true}
	f.Denied["s3:HeadObject"] = true
	r := runPreflight(t, f, servicesJSON, timeout)
	if res := result(t, r, "source blue"); res.Result == Pass || !strings.Contains(res.Detail, "s3:GetObject") {
		t.Errorf("source blue: %+v, want it not to pass and to name s3:GetObject", res)
	}
}
