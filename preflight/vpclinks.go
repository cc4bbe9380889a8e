package preflight

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

var vpcLinkPermissions = append([]string{"apigateway:GET"}, quotaPermissions...)

// cfnStackTag is the tag CloudFormation puts on the resources it creates,
// naming their stack ("Tag your CloudFormation resources": aws:cloudformation:stack-name).
const cfnStackTag = "aws:cloudformation:stack-name"

// vpcLinks checks that the REST API VPC links already in the region, plus
// the ones this environment adds, fit the applied quota. Links the
// environment's own Api stack made are not counted twice.
func (r *runner) vpcLinks(ctx context.Context) Result {
	const name = "vpc links"
	others, own := 0, 0
	pages := apigateway.NewGetVpcLinksPaginator(r.apigateway, &apigateway.GetVpcLinksInput{Limit: aws.Int32(500)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return r.failed(ctx, name, "apigateway:GET /vpclinks", err)
		}
		for _, link := range page.Items {
			if link.Tags[cfnStackTag] == r.plan.APIStack {
				own++
			} else {
				others++
			}
		}
	}
	q, err := vpcLinkQuota.read(ctx, r.quotas)
	if err != nil {
		return r.failed(ctx, name, "servicequotas:GetServiceQuota", err)
	}
	after := others + r.plan.VpcLinks
	counted := fmt.Sprintf("VPC links: %d of other APIs + %d of %s", others, r.plan.VpcLinks, r.plan.APIStack)
	if own > 0 {
		counted += fmt.Sprintf(" (%d exist)", own)
	}
	if after > q.value {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s = %d, over the quota of %d (%s): delete unused VPC links (aws apigateway get-vpc-links) or request more (Service Quotas apigateway L-A4C7274F), then set environments.%s.api.vpcLinkQuota", counted, after, q.value, q.source, r.plan.Environment)}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s = %d, within the quota of %d (%s)", counted, after, q.value, q.source)}
}
