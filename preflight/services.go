package preflight

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"privatebackend/config"
	"privatebackend/constructs/settings"
)

// SourceObject is a backend's source bundle in S3.
type SourceObject struct {
	// Bucket and Key name the object.
	Bucket, Key string
}

func sourceObject(b *config.Backend) *SourceObject {
	src := b.ParsedSource()
	if src.Kind != config.SourceS3 {
		return nil
	}
	return &SourceObject{Bucket: src.Bucket, Key: src.Key}
}

// newS3Client is the S3 client of the checks. With an endpoint of its own
// (AWS_ENDPOINT_URL, a stand-in) it addresses buckets by path, as such an
// endpoint has no bucket subdomains.
func newS3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	})
}

// The actions of the service checks: HeadObject needs s3:GetObject ("HeadObject",
// Amazon S3 API reference), DescribeSecret reads a secret's metadata, not
// its value, and GetParameter without decryption returns a SecureString
// still encrypted.
var (
	sourcePermissions = []string{"s3:GetObject"}
	secretPermissions = []string{"secretsmanager:DescribeSecret", "ssm:GetParameter"}
)

// serviceChecks are the checks of the backends' services: each S3 source
// exists ("source NAME"), each secret and parameter exists in the
// environment's region ("secrets NAME").
func (r *runner) serviceChecks() []check {
	var checks []check
	for _, b := range r.plan.Backends {
		if b.Source != nil {
			checks = append(checks, check{names: []string{"source " + b.Name}, permissions: sourcePermissions,
				run: func(ctx context.Context) []Result { return []Result{r.sourceExists(ctx, b)} }})
		}
		if len(b.Secrets) > 0 {
			checks = append(checks, check{names: []string{"secrets " + b.Name}, permissions: secretPermissions,
				run: func(ctx context.Context) []Result { return []Result{r.secretsExist(ctx, b)} }})
		}
	}
	return checks
}

// sourceExists checks that a backend's S3 source object exists in the
// environment's region: "The Amazon S3 bucket must be in the same region
// as the environment" (AWS::ElasticBeanstalk::ApplicationVersion,
// SourceBundle). S3 answers a HeadObject for a bucket of another region
// with 301, which the SDK reports as an error naming the bucket's region.
func (r *runner) sourceExists(ctx context.Context, b BackendPlan) Result {
	name, at := "source "+b.Name, "s3://"+b.Source.Bucket+"/"+b.Source.Key
	out, err := r.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.Source.Bucket, Key: &b.Source.Key})
	var respErr *smithyhttp.ResponseError
	switch {
	case errors.As(err, &respErr) && respErr.HTTPStatusCode() == 404:
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("%s does not exist in %s: upload the bundle there, or correct backends.%s.source", at, r.region, b.Name)}
	case errors.As(err, &respErr) && respErr.HTTPStatusCode() == 301:
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("bucket %s is not in %s; Beanstalk needs the source bundle in the environment's region: copy it to a bucket there", b.Source.Bucket, r.region)}
	case err != nil:
		return r.failed(ctx, name, "s3:GetObject (HeadObject) on "+at, err)
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%s exists (%d bytes)", at, aws.ToInt64(out.ContentLength))}
}

// secretsExist checks that each of a backend's secrets and parameters
// exists: Beanstalk fetches them when an instance starts, and a missing one
// fails the instance's bootstrap ("Fetching secrets and parameters to
// Elastic Beanstalk environment variables").
func (r *runner) secretsExist(ctx context.Context, b BackendPlan) Result {
	name := "secrets " + b.Name
	var missing []string
	for _, variable := range slices.Sorted(maps.Keys(b.Secrets)) {
		s := b.Secrets[variable]
		var err error
		switch s.Service {
		case settings.SecretsManager:
			_, err = r.secrets.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &s.Arn})
		case settings.ParameterStore:
			_, err = r.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: &s.Arn, WithDecryption: aws.Bool(false)})
		}
		switch code := errorCode(err); {
		case err == nil:
		case code == "ResourceNotFoundException" || code == "ParameterNotFound":
			missing = append(missing, variable+" ("+s.Arn+")")
		default:
			return r.failed(ctx, name, "reading "+s.Arn, err)
		}
	}
	if len(missing) > 0 {
		return Result{Check: name, Result: Fail, Detail: fmt.Sprintf("not found in %s: %s; create them, or correct backends.%s.secrets", r.region, strings.Join(missing, ", "), b.Name)}
	}
	return Result{Check: name, Result: Pass, Detail: fmt.Sprintf("%d found in %s", len(b.Secrets), r.region)}
}
