package awsstandin

import (
	"path/filepath"
	"testing"
)

// UseOnlyStaticCredentials points the AWS SDK's default configuration, for
// the rest of test t, at static credentials in region and at the stand-ins
// named by endpoints (AWS_ENDPOINT_URL, or AWS_ENDPOINT_URL_<SERVICE>, to
// their URLs), and away from every other source of credentials or
// configuration on the machine: profiles, shared files, instance and
// container metadata, web identity.
func UseOnlyStaticCredentials(t testing.TB, region string, endpoints map[string]string) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for key, value := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": region, "AWS_PROFILE": "", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(key, value)
	}
	for key, url := range endpoints {
		t.Setenv(key, url)
	}
}
