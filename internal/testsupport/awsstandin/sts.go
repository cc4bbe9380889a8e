package awsstandin

import (
	"fmt"
	"strings"
	"time"
)

// NewSTS returns a stand-in of AWS STS's API, version 2011-06-15 (Query
// protocol), answering GetCallerIdentity as a user of the account that
// account returns at the time, and AssumeRole with temporary credentials of
// the role named.
func NewSTS(account func() string) *QueryService {
	return &QueryService{
		SigningName: "sts",
		IAMPrefix:   "sts",
		Version:     "2011-06-15",
		Namespace:   "https://sts.amazonaws.com/doc/2011-06-15/",
		Actions: map[string]*Action{
			// GetCallerIdentity, AWS STS API reference: no parameters.
			"GetCallerIdentity": {
				Answer: func(Call) (any, *Error) {
					return raw(fmt.Sprintf(`<Arn>arn:aws:iam::%s:user/preflight</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>%s</Account>`, account(), account())), nil
				},
			},
			// AssumeRole, AWS STS API reference.
			"AssumeRole": {
				Params: []Param{{Name: "RoleArn", Required: true}, {Name: "RoleSessionName", Required: true}, {Name: "DurationSeconds"},
					{Name: "ExternalId"}, {Name: "Policy"}, {Name: "SourceIdentity"}},
				Answer: func(call Call) (any, *Error) {
					roleArn, session := call.Params.Get("RoleArn"), call.Params.Get("RoleSessionName")
					role := roleArn[strings.LastIndex(roleArn, "/")+1:]
					return raw(fmt.Sprintf(`<Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><SessionToken>session</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn><AssumedRoleId>AROA3XFRBF535PLBIFPI4:%s</AssumedRoleId></AssumedRoleUser>`,
						time.Now().Add(time.Hour).UTC().Format(time.RFC3339), account(), x(role), x(session), x(session))), nil
				},
			},
		},
	}
}

// rawXML is an answer written as it is, inside the response's result
// element (or, for EC2, its response element).
type rawXML struct {
	Inner string `xml:",innerxml"`
}

// raw makes an answer of XML text.
func raw(inner string) rawXML { return rawXML{inner} }
