package awsstandin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Certificate is an ACM certificate of the account.
type Certificate struct {
	Arn, DomainName, Status string
	SubjectAlternativeNames []string
}

// HostedZone is a Route 53 hosted zone of the account; Name ends in a dot,
// as Route 53 answers it.
type HostedZone struct {
	ID, Name string
	Private  bool
}

// addFrontDoorReads makes the account's JSON 1.1 services the front door's
// checks call: ACM's DescribeCertificate (target
// CertificateManager.ACTION) and Cognito's DescribeUserPool (target
// AWSCognitoIdentityProviderService.ACTION), with the members their API
// references list.
func (a *Account) addFrontDoorReads() {
	a.ACM = &JSONService{SigningName: "acm", TargetPrefix: "CertificateManager", Actions: map[string]*JSONAction{
		"DescribeCertificate": {Members: []string{"CertificateArn"}, Answer: a.describeCertificate},
	}}
	a.Cognito = &JSONService{SigningName: "cognito-idp", TargetPrefix: "AWSCognitoIdentityProviderService", Actions: map[string]*JSONAction{
		"DescribeUserPool": {Members: []string{"UserPoolId"}, Answer: a.describeUserPool},
	}}
}

// describeCertificate answers {"Certificate": {...}}, or
// ResourceNotFoundException (DescribeCertificate, ACM API reference).
func (a *Account) describeCertificate(body map[string]any) (any, *Error) {
	arn, _ := body["CertificateArn"].(string)
	for _, c := range a.Certificates {
		if c.Arn == arn {
			return map[string]any{"Certificate": map[string]any{
				"CertificateArn": c.Arn, "DomainName": c.DomainName, "Status": c.Status,
				"SubjectAlternativeNames": c.SubjectAlternativeNames, "Type": "AMAZON_ISSUED", "KeyAlgorithm": "RSA-2048",
			}}, nil
		}
	}
	return nil, &Error{Status: http.StatusBadRequest, Code: "ResourceNotFoundException", Message: fmt.Sprintf("Could not find certificate %s.", arn)}
}

// describeUserPool answers {"UserPool": {...}}, or
// ResourceNotFoundException (DescribeUserPool, Amazon Cognito user pools
// API reference).
func (a *Account) describeUserPool(body map[string]any) (any, *Error) {
	id, _ := body["UserPoolId"].(string)
	if !a.UserPools[id] {
		return nil, &Error{Status: http.StatusBadRequest, Code: "ResourceNotFoundException", Message: "User pool " + id + " does not exist."}
	}
	return map[string]any{"UserPool": map[string]any{"Id": id, "Name": id, "Arn": "arn:aws:cognito-idp:" + a.Region + ":" + a.Account + ":userpool/" + id}}, nil
}

// restAction names a REST call of Route 53 or Lambda by its method and
// path: GET /2013-04-01/hostedzone/ID is GetHostedZone (Route 53 API
// reference), GET /2015-03-31/functions/NAME/configuration
// GetFunctionConfiguration (Lambda API reference); "" for any other.
func restAction(service string, r *http.Request) (action, id string) {
	if r.Method != http.MethodGet {
		return "", ""
	}
	switch service {
	case "route53":
		if id, ok := strings.CutPrefix(r.URL.Path, "/2013-04-01/hostedzone/"); ok && id != "" && !strings.Contains(id, "/") {
			return "GetHostedZone", id
		}
	case "lambda":
		rest, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
		if name, ok2 := strings.CutSuffix(rest, "/configuration"); ok && ok2 && name != "" {
			return "GetFunctionConfiguration", name
		}
	}
	return "", ""
}

// route53 answers GetHostedZone in REST-XML: the zone, or 404
// NoSuchHostedZone in an ErrorResponse (Route 53 API reference).
func (a *Account) route53(w http.ResponseWriter, id string, denied *Error) {
	w.Header().Set("Content-Type", "text/xml")
	fail := func(status int, code, message string) {
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>standin</RequestId></ErrorResponse>`, x(code), x(message))
	}
	switch {
	case id == "":
		fail(http.StatusBadRequest, "InvalidInput", "stand-in: Route 53 answers GET /2013-04-01/hostedzone/ID only")
		return
	case denied != nil && denied.Code == "AccessDenied":
		fail(http.StatusForbidden, "AccessDenied", fmt.Sprintf("User: arn:aws:iam::%s:user/preflight is not authorized to perform: route53:GetHostedZone", a.Account))
		return
	case denied != nil:
		fail(denied.Status, denied.Code, denied.Message)
		return
	}
	for _, z := range a.HostedZones {
		if z.ID == id {
			fmt.Fprintf(w, `<?xml version="1.0"?>
<GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZone><Id>/hostedzone/%s</Id><Name>%s</Name><CallerReference>standin</CallerReference><Config><PrivateZone>%t</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone></GetHostedZoneResponse>`, x(z.ID), x(z.Name), z.Private)
			return
		}
	}
	fail(http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: "+id)
}

// lambda answers GetFunctionConfiguration in REST-JSON: the function's
// configuration, or 404 ResourceNotFoundException named in
// X-Amzn-ErrorType (Lambda API reference). A function is named by its ARN.
func (a *Account) lambda(w http.ResponseWriter, name string, denied *Error) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(status int, code, message string) {
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": message})
	}
	switch {
	case name == "":
		fail(http.StatusBadRequest, "InvalidParameterValueException", "stand-in: Lambda answers GET /2015-03-31/functions/NAME/configuration only")
	case denied != nil && denied.Code == "AccessDenied":
		fail(http.StatusForbidden, "AccessDeniedException", fmt.Sprintf("User: arn:aws:iam::%s:user/preflight is not authorized to perform: lambda:GetFunctionConfiguration on resource: %s", a.Account, name))
	case denied != nil:
		fail(denied.Status, denied.Code, denied.Message)
	case !a.Functions[name]:
		fail(http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
	default:
		_ = json.NewEncoder(w).Encode(map[string]any{"FunctionName": name[strings.LastIndex(name, ":")+1:], "FunctionArn": name, "Runtime": "nodejs22.x", "State": "Active"})
	}
}
