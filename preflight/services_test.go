package preflight

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// secretsActions are the Secrets Manager actions preflight calls (JSON 1.1,
// target secretsmanager.ACTION; Secrets Manager API reference).
var secretsActions = map[string]jsonAction{"DescribeSecret": {[]string{"SecretId"}, (*fakeAWS).describeSecret}}

// DescribeSecret: the secret's metadata, or ResourceNotFoundException.
func (f *fakeAWS) describeSecret(body map[string]any) (any, *fakeError) {
	id, _ := body["SecretId"].(string)
	if !f.secretArns[id] {
		return nil, &fakeError{"ResourceNotFoundException", "Secrets Manager can't find the specified secret."}
	}
	return map[string]any{"ARN": id, "Name": id[strings.LastIndex(id, ":")+1:]}, nil
}

// SSM GetParameter by ARN, without decryption: the parameter, or
// ParameterNotFound.
func (f *fakeAWS) secretParameter(arn string) (any, *fakeError) {
	if !f.secretArns[arn] {
		return nil, &fakeError{"ParameterNotFound", ""}
	}
	return map[string]any{"Parameter": map[string]any{"Name": arn, "Type": "SecureString", "Value": "AQICAH...", "ARN": arn, "Version": 1}}, nil
}

// s3 stands in for HeadObject (REST, HEAD /BUCKET/KEY in path style): 200
// with Content-Length, or 404 with no body (a HEAD has none; Amazon S3 API
// reference).
func (f *fakeAWS) s3(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodHead {
		f.t.Errorf("S3 %s %s, want only HEAD", r.Method, r.URL.Path)
	}
	if !f.record(r, "s3:HeadObject") {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if !f.objects[strings.TrimPrefix(r.URL.Path, "/")] {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Length", "1234")
	w.WriteHeader(http.StatusOK)
}

const (
	servicesSecret    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf"
	servicesParameter = "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/token"
)

// servicesJSON is dev with a backend on an S3 source with secrets.
var servicesJSON = fmt.Sprintf(`{"dev": {"network": {"egress": "nat"},
	"backends": {"blue": {"source": "s3://my-builds/orders/1.5.0.zip", "secrets": {"DB": "%s:password", "TOKEN": "%s"}}},
	"api": {"stages": {"live": {"backend": "blue"}}}}}`, servicesSecret, servicesParameter)

func TestPreflightFindsTheSourceObjectAndTheSecrets(t *testing.T) {
	f := passingAccount(t)
	f.objects = map[string]bool{"my-builds/orders/1.5.0.zip": true}
	f.secretArns = map[string]bool{servicesSecret: true, servicesParameter: true}
	r := runPreflight(t, f, servicesJSON, timeout)
	for _, name := range []string{"source blue", "secrets blue"} {
		if res := resultOf(t, r, name); res.Result != Pass {
			t.Errorf("%s: %+v, want a pass", name, res)
		}
	}
}

func TestPreflightFailsOnAMissingSourceOrSecret(t *testing.T) {
	f := passingAccount(t)
	f.secretArns = map[string]bool{servicesSecret: true}
	r := runPreflight(t, f, servicesJSON, timeout)
	if res := resultOf(t, r, "source blue"); res.Result != Fail || !strings.Contains(res.Detail, "s3://my-builds/orders/1.5.0.zip does not exist in eu-west-1") {
		t.Errorf("source blue: %+v", res)
	}
	if res := resultOf(t, r, "secrets blue"); res.Result != Fail || !strings.Contains(res.Detail, "TOKEN ("+servicesParameter+")") || strings.Contains(res.Detail, "DB (") {
		t.Errorf("secrets blue: %+v", res)
	}
}

// resultOf returns the result of the check called name.
func resultOf(t *testing.T, r Report, name string) Result {
	t.Helper()
	for _, res := range r.Checks {
		if res.Check == name {
			return res
		}
	}
	t.Fatalf("no check %s in %+v", name, r.Checks)
	return Result{}
}
