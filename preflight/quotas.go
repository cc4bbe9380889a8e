package preflight

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"privatebackend/internal/envcmd"
)

// quota is one Service Quotas quota: the service and quota codes, a name
// for messages, and the default AWS documents for it (0 when it documents
// none, because the default differs between accounts).
type quota struct {
	service, code, name string
	documented          float64
}

// Quotas the first deploy uses, with the defaults AWS documents for them.
var (
	// "VPC links: Each supported Region: 20" (AWS General Reference, Amazon
	// API Gateway endpoints and quotas; "Quotas for configuring and running
	// a REST API in API Gateway"). Its code in Service Quotas is L-A4C7274F.
	vpcLinkQuota = quota{"apigateway", "L-A4C7274F", "VPC links per Region", 20}
	// "VPCs per Region: 5" (Amazon VPC quotas, L-F678F1CE).
	vpcQuota = quota{"vpc", "L-F678F1CE", "VPCs per Region", 5}
	// "Elastic IP addresses per Region: 5" (Amazon EC2 Elastic IP address
	// quota, EC2-VPC Elastic IPs, L-0263D0A3); each NAT gateway takes one.
	elasticIPQuota = quota{"ec2", "L-0263D0A3", "EC2-VPC Elastic IPs", 5}
	// "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
	// counted in vCPUs (Amazon EC2 User Guide, On-Demand Instance quotas);
	// its default differs between accounts, so none is assumed.
	standardVCPUQuota = quota{"ec2", "L-1216C47A", "Running On-Demand Standard instances (vCPUs)", 0}
)

var quotaPermissions = []string{"servicequotas:GetServiceQuota", "servicequotas:GetAWSDefaultServiceQuota"}

// appliedQuota is a quota's value and where it came from.
type appliedQuota struct {
	value  int
	source string
}

// read returns the quota's applied value (GetServiceQuota); for a quota
// without one, AWS's default (GetAWSDefaultServiceQuota: "If the applied
// quota value is not available for a quota, the quota is not retrieved",
// GetServiceQuota API reference); when neither can be read, the documented
// default, saying so. err is set only when there is no value at all.
func (q quota) read(ctx context.Context, client *servicequotas.Client) (appliedQuota, error) {
	in := &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(q.service), QuotaCode: aws.String(q.code)}
	out, err := client.GetServiceQuota(ctx, in)
	if err == nil && out.Quota != nil && out.Quota.Value != nil {
		return appliedQuota{int(*out.Quota.Value), fmt.Sprintf("applied quota %s %s", q.service, q.code)}, nil
	}
	if err == nil {
		err = fmt.Errorf("GetServiceQuota %s %s answered without a value", q.service, q.code)
	}
	if errorCode(err) == "NoSuchResourceException" {
		def, derr := client.GetAWSDefaultServiceQuota(ctx, &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: in.ServiceCode, QuotaCode: in.QuotaCode})
		if derr == nil && def.Quota != nil && def.Quota.Value != nil {
			return appliedQuota{int(*def.Quota.Value), fmt.Sprintf("AWS default of %s %s", q.service, q.code)}, nil
		}
		err = derr
		if err == nil {
			err = fmt.Errorf("GetAWSDefaultServiceQuota %s %s answered without a value", q.service, q.code)
		}
	}
	if ctx.Err() != nil || q.documented == 0 {
		return appliedQuota{}, err
	}
	why := "could not be read: " + envcmd.FirstLine(err)
	if denied(err) {
		why = "servicequotas:GetServiceQuota was denied"
	}
	return appliedQuota{int(q.documented), fmt.Sprintf("documented default, as %s %s %s", q.service, q.code, why)}, nil
}
