package config

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"privatebackend/constructs/settings"
)

// The service a backend runs: its source, release label, environment
// variables, secrets and scaling trigger. Each AWS rule used here names its
// source; the file-system checks of a local source are in sourcefiles.go.

// DefaultSource is the source of a backend that names none: the sample
// application, relative to the project root.
const DefaultSource = "backend/app"

// SourceKind is where a backend's source bundle comes from.
type SourceKind string

// Kinds of source.
const (
	// SourceDirectory is a directory of the project, zipped as an asset.
	SourceDirectory SourceKind = "directory"
	// SourceZip is a .zip file of the project, uploaded as an asset.
	SourceZip SourceKind = "zip"
	// SourceS3 is an object a service's own pipeline uploaded to S3.
	SourceS3 SourceKind = "s3"
)

// Source is a backend's parsed source.
type Source struct {
	// Kind says which of the other fields are set.
	Kind SourceKind
	// Path is a directory or .zip file relative to the project root, in
	// slash form (SourceDirectory, SourceZip).
	Path string
	// Bucket and Key name the S3 object (SourceS3).
	Bucket, Key string
}

var (
	// "Bucket naming rules" (Amazon S3 user guide): 3 to 63 lowercase
	// letters, digits, dots and hyphens, starting and ending with a letter
	// or digit.
	s3BucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// VersionPattern is the form of a release label: it is also an
	// environment property value of the sample (BACKEND_VERSION), so it keeps
	// to characters Beanstalk allows there, and to the 100 characters of an
	// application version label (CreateApplicationVersion, VersionLabel).
	VersionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,99}$`)
)

// ParseSource reads a backend's source setting.
func ParseSource(s string) (Source, error) {
	if rest, ok := strings.CutPrefix(s, "s3://"); ok {
		bucket, key, _ := strings.Cut(rest, "/")
		switch {
		case !s3BucketName.MatchString(bucket) || strings.Contains(bucket, ".."):
			return Source{}, fmt.Errorf("%q does not name a valid S3 bucket; want \"s3://BUCKET/KEY\", e.g. \"s3://my-builds/orders/1.5.0.zip\"", s)
		// AWS::ElasticBeanstalk::ApplicationVersion SourceBundle: S3Key is
		// at most 1024 characters.
		case key == "" || len(key) > 1024:
			return Source{}, fmt.Errorf("%q has no object key (1 to 1024 characters); want \"s3://BUCKET/KEY\", e.g. \"s3://my-builds/orders/1.5.0.zip\"", s)
		}
		return Source{Kind: SourceS3, Bucket: bucket, Key: key}, nil
	}
	if strings.Contains(s, "://") {
		return Source{}, fmt.Errorf("%q is not a source; use a directory or .zip file relative to the project root, or \"s3://BUCKET/KEY\"", s)
	}
	clean := path.Clean(strings.ReplaceAll(s, `\`, "/"))
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || clean == "." {
		return Source{}, fmt.Errorf("%q is not inside the project; use a directory or .zip file relative to the project root, e.g. \"services/orders\"", s)
	}
	if strings.HasSuffix(strings.ToLower(clean), ".zip") {
		return Source{Kind: SourceZip, Path: clean}, nil
	}
	return Source{Kind: SourceDirectory, Path: clean}, nil
}

// ParsedSource is the backend's source, parsed; it is valid once the
// configuration is.
func (b *Backend) ParsedSource() Source {
	s, _ := ParseSource(b.Source)
	return s
}

func (b *Backend) replacedKeys() map[string]string {
	return map[string]string{
		"appVersion": `was removed: "version" is the release label of the backend's code and "source" the code itself; rename "appVersion" to "version"`,
	}
}

func (b *Backend) validateService(at string, e *Environment, p *problems) {
	if _, err := ParseSource(b.Source); err != nil {
		p.add(at+".source", "%v", err)
	}
	if !VersionPattern.MatchString(b.Version) {
		p.add(at+".version", "%q is not a release label; use 1 to 100 letters, digits or . _ + : @ / -, starting with a letter or digit, e.g. \"1.5.0\"", b.Version)
	}
	validateEnvironmentVariables(at+".environment", b.Environment, b.AppVariables(), p)
	validateSecrets(at, b, e, p)
	if b.Scaling != nil {
		b.Scaling.validate(at+".scaling", p)
	}
	for name := range b.Secrets {
		if _, ok := b.Environment[name]; ok {
			p.add(at+".secrets."+name, "is also set in environment; a variable is either a plain value or a secret")
		}
	}
}

// Environment property limits ("Environment properties and other software
// settings", Elastic Beanstalk developer guide): keys up to 128 and values up
// to 256 characters, of the characters listed there, and the combined size
// of all properties, stored as "key=value", at most 4,096 bytes (also "eb
// setenv", EB CLI reference).
const (
	maxPropertyKey   = 128
	maxPropertyValue = 256
	maxProperties    = 4096
)

// ReservedVariables are the environment variables the app sets itself.
var ReservedVariables = []string{"BACKEND_NAME", "BACKEND_VERSION"}

// The forms of environment property names and values Beanstalk accepts,
// with their lengths; exported for the JSON Schema of the configuration.
var (
	// PropertyNamePattern is an environment property name.
	PropertyNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.:/+\\@-]{1,128}$`)
	// PropertyValuePattern is an environment property value.
	PropertyValuePattern = regexp.MustCompile(`^[A-Za-z0-9 _.:/=+\\@'"-]{0,256}$`)
	// SourcePattern is the form of a source; whether a path exists and stays
	// inside the project only the app can say.
	SourcePattern = regexp.MustCompile(`^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+|[^:]+)$`)
)

// PropertiesSize is the combined size of environment properties as
// Beanstalk counts it: each stored as "key=value".
func PropertiesSize(props map[string]string) int {
	size := 0
	for k, v := range props {
		size += len(k) + 1 + len(v)
	}
	return size
}

// AppVariables are the environment variables the app sets on a backend's
// instances itself: its name and release label, which the sample reports.
func (b *Backend) AppVariables() map[string]string {
	return map[string]string{"BACKEND_NAME": b.Name, "BACKEND_VERSION": b.Version}
}

func validateEnvironmentVariables(at string, vars, app map[string]string, p *problems) {
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		value := vars[name]
		switch {
		case slices.Contains(ReservedVariables, name):
			p.add(at+"."+name, "is set by the app itself (%s); choose another name", strings.Join(ReservedVariables, ", "))
		case !PropertyNamePattern.MatchString(name):
			p.add(at+"."+name, "%q is not an environment property name Beanstalk accepts: up to %d letters, digits or _ . : / + \\ - @ (for every platform, use [A-Z_][A-Z0-9_]*)", name, maxPropertyKey)
		case len(value) > maxPropertyValue:
			p.add(at+"."+name, "is %d characters; Beanstalk accepts values up to %d characters (store a longer value as a secret)", len(value), maxPropertyValue)
		case !PropertyValuePattern.MatchString(value):
			p.add(at+"."+name, "%q has a character Beanstalk does not accept in an environment property value: use letters, digits, spaces or _ . : / = + \\ - @ ' \"", value)
		}
	}
	// The app's own variables count towards the limit too.
	all := maps.Clone(app)
	maps.Copy(all, vars)
	if size := PropertiesSize(all); size > maxProperties {
		p.add(at, "holds %d bytes as \"key=value\" with the app's own %s; Beanstalk accepts %d bytes in all: move values to secrets", size, strings.Join(ReservedVariables, " and "), maxProperties)
	}
}

// ParsedSecrets are the backend's secrets by variable name; valid once the
// configuration is.
func (b *Backend) ParsedSecrets() map[string]settings.Secret {
	out := map[string]settings.Secret{}
	for name, value := range b.Secrets {
		if s, err := settings.ParseSecret(value); err == nil {
			out[name] = s
		}
	}
	return out
}

// SecretServices are the services the backend's secrets are in, sorted.
func (b *Backend) SecretServices() []settings.SecretService {
	var out []settings.SecretService
	for _, s := range b.ParsedSecrets() {
		if !slices.Contains(out, s.Service) {
			out = append(out, s.Service)
		}
	}
	slices.Sort(out)
	return out
}

func validateSecrets(at string, b *Backend, e *Environment, p *problems) {
	for _, name := range slices.Sorted(maps.Keys(b.Secrets)) {
		sat := at + ".secrets." + name
		if !PropertyNamePattern.MatchString(name) || slices.Contains(ReservedVariables, name) {
			p.add(sat, "%q is not a variable name a secret can have: up to %d letters, digits or _ . : / + \\ - @, not %s", name, maxPropertyKey, strings.Join(ReservedVariables, ", "))
			continue
		}
		s, err := settings.ParseSecret(b.Secrets[name])
		if err != nil {
			p.add(sat, "%v", err)
			continue
		}
		// Beanstalk fetches the values in the environment's region; an ARN
		// in another region is a mistake we can see when the environment is
		// pinned.
		if e.Pinned() && s.Region != e.Region {
			p.add(sat, "%q is in %s, but this environment deploys to %s; name the secret or parameter in %s", b.Secrets[name], s.Region, e.Region, e.Region)
		}
	}
	for i, key := range b.SecretsKmsKeys {
		kat := fmt.Sprintf("%s.secretsKmsKeys[%d]", at, i)
		if !settings.KmsKeyArnPattern.MatchString(key) {
			p.add(kat, "%q is not a KMS key ARN; want arn:aws:kms:REGION:ACCOUNT:key/KEY_ID (an alias cannot be granted)", key)
		} else if len(b.Secrets) == 0 {
			p.add(kat, "is set but the backend has no secrets; remove it or add secrets")
		}
	}
}

// Scaling is a backend's Auto Scaling trigger (aws:autoscaling:trigger).
type Scaling struct {
	// Metric is the trigger's measure, one of ScalingMetrics. Required.
	Metric string `json:"metric"`
	// Statistic is "Average", "Minimum", "Maximum" or "Sum".
	// Default: "Average".
	Statistic string `json:"statistic"`
	// Unit is the measure's unit, one of Beanstalk's units. Default: the
	// metric's own unit (ScalingMetrics).
	Unit string `json:"unit"`
	// Upper adds an instance when the measure is above it, 0 to 20000000.
	// Required.
	Upper *float64 `json:"upper"`
	// Lower removes an instance when the measure is below it, 0 to
	// 20000000, less than upper. Required.
	Lower *float64 `json:"lower"`
}

// ScalingMetrics are the trigger measures a backend may use, with their
// units: Beanstalk's MeasureName values (aws:autoscaling:trigger, "General
// options for all environments") but for Latency, RequestCount and
// TargetResponseTime, which a Network Load Balancer does not publish
// ("CloudWatch metrics for your Network Load Balancer": flows and bytes, no
// requests).
var ScalingMetrics = map[string]string{
	"CPUUtilization":     "Percent",
	"NetworkIn":          "Bytes",
	"NetworkOut":         "Bytes",
	"DiskReadBytes":      "Bytes",
	"DiskWriteBytes":     "Bytes",
	"DiskReadOps":        "Count",
	"DiskWriteOps":       "Count",
	"HealthyHostCount":   "Count",
	"UnhealthyHostCount": "Count",
}

// The other values aws:autoscaling:trigger accepts ("General options for
// all environments"): Statistic, Unit, and the thresholds' range.
var (
	// ScalingStatistics are the statistics a trigger may use.
	ScalingStatistics = []string{"Average", "Minimum", "Maximum", "Sum"}
	// ScalingUnits are the units a trigger may use.
	ScalingUnits = []string{"Seconds", "Percent", "Bytes", "Bits", "Count", "Bytes/Second", "Bits/Second", "Count/Second", "None"}
)

// MaxScalingThreshold is the largest UpperThreshold and LowerThreshold.
const MaxScalingThreshold = 20000000

// WithDefaults returns the trigger with its statistic and unit filled in.
func (s Scaling) WithDefaults() Scaling {
	if s.Statistic == "" {
		s.Statistic = "Average"
	}
	if s.Unit == "" {
		s.Unit = ScalingMetrics[s.Metric]
	}
	return s
}

func (s *Scaling) validate(at string, p *problems) {
	d := s.WithDefaults()
	if _, ok := ScalingMetrics[s.Metric]; !ok {
		p.add(at+".metric", "%q is not a metric a backend can scale on; use one of %s", s.Metric, strings.Join(slices.Sorted(maps.Keys(ScalingMetrics)), ", "))
	}
	if !slices.Contains(ScalingStatistics, d.Statistic) {
		p.add(at+".statistic", "%q is not a statistic Beanstalk accepts; use one of %s", d.Statistic, strings.Join(ScalingStatistics, ", "))
	}
	if s.Unit != "" && !slices.Contains(ScalingUnits, s.Unit) {
		p.add(at+".unit", "%q is not a unit Beanstalk accepts; use one of %s", s.Unit, strings.Join(ScalingUnits, ", "))
	}
	for _, t := range []struct {
		key string
		v   *float64
	}{{"upper", s.Upper}, {"lower", s.Lower}} {
		key, v := t.key, t.v
		switch {
		case v == nil:
			p.add(at+"."+key, "is missing; a trigger needs both thresholds, e.g. {\"metric\": \"CPUUtilization\", \"upper\": 70, \"lower\": 30}")
		case *v < 0 || *v > MaxScalingThreshold:
			p.add(at+"."+key, "%v is out of range; Beanstalk accepts 0 to %d", *v, MaxScalingThreshold)
		}
	}
	if s.Upper != nil && s.Lower != nil && *s.Lower >= *s.Upper {
		p.add(at+".lower", "%v is not below upper (%v); the trigger would add and remove instances at once", *s.Lower, *s.Upper)
	}
}

// ECRRepositories are the ECR repositories the backend's images come from,
// as CheckSources found them in its source.
func (b *Backend) ECRRepositories() []ECRRepository { return b.ecr }

// InterfaceEndpointServices are the short names of the AWS services that
// the environment's instances reach through interface VPC endpoints: nil
// unless egress is "endpoints"; the network's own (Network's method), and
// what its backends' services need: Secrets Manager or SSM for environment
// secrets, which Beanstalk fetches from the instance ("Fetching secrets and
// parameters to Elastic Beanstalk environment variables"), and ecr.api and
// ecr.dkr for images in Amazon ECR, whose layers come from S3 through the
// gateway endpoint ("Amazon ECR interface VPC endpoints (AWS PrivateLink)").
func (e *Environment) InterfaceEndpointServices() []string {
	services := e.Network.InterfaceEndpointServices()
	if services == nil {
		return nil
	}
	need := map[string]bool{}
	for _, b := range e.Backends {
		for _, s := range b.SecretServices() {
			need[string(s)] = true
		}
		if len(b.ECRRepositories()) > 0 {
			need["ecr.api"], need["ecr.dkr"] = true, true
		}
	}
	for _, s := range []string{"secretsmanager", "ssm", "ecr.api", "ecr.dkr"} {
		if need[s] {
			services = append(services, s)
		}
	}
	return services
}
