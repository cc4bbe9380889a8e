package config

import (
	"strings"
	"testing"

	"privatebackend/internal/model"
)

func TestParseSourceTellsTheKindsApart(t *testing.T) {
	for in, want := range map[string]Source{
		"backend/app":                  {Kind: SourceDirectory, Path: "backend/app"},
		"services/orders/":             {Kind: SourceDirectory, Path: "services/orders"},
		"build/orders.ZIP":             {Kind: SourceZip, Path: "build/orders.ZIP"},
		"s3://my-builds/orders/1.zip":  {Kind: SourceS3, Bucket: "my-builds", Key: "orders/1.zip"},
		"s3://my.builds/a/b/c/1.5.0.z": {Kind: SourceS3, Bucket: "my.builds", Key: "a/b/c/1.5.0.z"},
	} {
		got, err := ParseSource(in)
		if err != nil || got != want {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"/abs/path", "..", "../x", "a/../../x", ".", "s3://", "s3://ab/", "s3://Bad_Bucket/k", "s3://a..b/k", "https://example.com/app.zip"} {
		if got, err := ParseSource(in); err == nil {
			t.Errorf("ParseSource(%q) = %+v, want an error", in, got)
		}
	}
}

func TestCheckSourcesFindsDirectoriesAndZips(t *testing.T) {
	envs, err := Load(map[string]any{"qa": map[string]any{
		"backends": map[string]any{
			"sample": map[string]any{},
			"dir":    map[string]any{"source": "testdata/services/python"},
			"zip":    map[string]any{"source": "testdata/services/python.zip"},
			"s3":     map[string]any{"source": "s3://my-builds/x.zip"},
		},
		"api": map[string]any{"stages": map[string]any{"live": map[string]any{"backend": "sample"}}},
	}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSources(envs, ".."); err != nil {
		t.Errorf("CheckSources: %v", err)
	}
	err = CheckSources(envs, "/nonexistent")
	for _, want := range []string{"environments.qa.backends.dir.source", "environments.qa.backends.sample.source", "environments.qa.backends.zip.source"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckSources in an empty root: %v; want a problem at %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "backends.s3") {
		t.Errorf("an S3 source is preflight's to check: %v", err)
	}
}

func TestEnvironmentSizeCountsKeysValuesAndTheAppsOwn(t *testing.T) {
	if got := propertiesSize(map[string]string{"A": "bc", "DE": ""}); got != 4+3 {
		t.Errorf("propertiesSize = %d, want 7 (\"A=bc\" and \"DE=\")", got)
	}
	var p model.Problems
	// 15 variables of 10+1+256 bytes, 4005, fit; the app's two make them
	// 4154.
	vars := map[string]string{}
	for i := range 15 {
		vars[string(rune('A'+i))+"_VARIABLE"] = strings.Repeat("v", 256)
	}
	validateEnvironmentVariables("x", vars, map[string]string{"BACKEND_NAME": "orders-blue", "BACKEND_VERSION": strings.Repeat("9", 100)}, &p)
	if len(p) != 1 || !strings.Contains(p[0].Message, "4096 bytes") {
		t.Errorf("problems %v, want the size limit", p)
	}
}
