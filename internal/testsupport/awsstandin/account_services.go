package awsstandin

import (
	"net/http"
	"strings"
)

// addServiceReads makes the account's Secrets Manager (JSON 1.1, target
// secretsmanager.ACTION): DescribeSecret, the one call preflight makes of
// it (Secrets Manager API reference).
func (a *Account) addServiceReads() {
	a.SecretsManager = &JSONService{SigningName: "secretsmanager", TargetPrefix: "secretsmanager", Actions: map[string]*JSONAction{
		"DescribeSecret": {Members: []string{"SecretId"}, Answer: a.describeSecret},
	}}
}

// describeSecret answers the secret's metadata, or
// ResourceNotFoundException when it does not exist (DescribeSecret, Secrets
// Manager API reference).
func (a *Account) describeSecret(body map[string]any) (any, *Error) {
	id, _ := body["SecretId"].(string)
	if !a.Secrets[id] {
		return nil, &Error{Status: http.StatusBadRequest, Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
	}
	return map[string]any{"ARN": id, "Name": id[strings.LastIndex(id, ":")+1:]}, nil
}

// secretParameter answers SSM's GetParameter asked by ARN, as preflight
// asks of a secret kept in Parameter Store: the SecureString parameter, or
// ParameterNotFound (GetParameter, SSM API reference).
func (a *Account) secretParameter(arn string) (any, *Error) {
	if !a.Secrets[arn] {
		return nil, &Error{Status: http.StatusBadRequest, Code: "ParameterNotFound"}
	}
	return map[string]any{"Parameter": map[string]any{"Name": arn, "Type": "SecureString", "Value": "AQICAH...", "ARN": arn, "Version": 1, "DataType": "text"}}, nil
}

// s3 serves S3's HeadObject, the one call preflight makes of it (REST,
// HEAD /BUCKET/KEY in path style, as the SDK addresses a custom endpoint):
// 200 with Content-Length, or a status with no body, as a HEAD has none:
// 404 for a missing object (or version, ?versionId=), 403 when denied (HeadObject, Amazon S3 API
// reference). Any other method or a key-less path is a 400 stand-in error.
func (a *Account) s3(w http.ResponseWriter, r *http.Request, denied *Error) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case r.Method != http.MethodHead || bucket == "" || key == "":
		http.Error(w, "stand-in: S3 answers HEAD /BUCKET/KEY only, not "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
	case denied != nil && denied.Code == "AccessDenied":
		w.WriteHeader(http.StatusForbidden)
	case denied != nil:
		w.WriteHeader(denied.Status)
	case r.URL.Query().Has("versionId") && !a.Objects[bucket+"/"+key+"@"+r.URL.Query().Get("versionId")]:
		w.WriteHeader(http.StatusNotFound)
	case !r.URL.Query().Has("versionId") && !a.Objects[bucket+"/"+key]:
		w.WriteHeader(http.StatusNotFound)
	default:
		w.Header().Set("Content-Length", "1234")
		w.WriteHeader(http.StatusOK)
	}
}
