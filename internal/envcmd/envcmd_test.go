package envcmd

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"privatebackend/config"
)

func TestStaticCredentialsAreFound(t *testing.T) {
	cfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	if err := checkCredentials(context.Background(), cfg, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := checkCredentials(context.Background(), aws.Config{}, time.Second); err != ErrNoCredentials {
		t.Fatalf("no provider gave %v", err)
	}
}

// TestAnUnknownEnvironmentIsABadArgument checks issue #20's exit code: an
// environment the configuration does not define exits 2, with one line
// naming the defined ones.
func TestAnUnknownEnvironmentIsABadArgument(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := &config.UnknownEnvironmentError{Name: "staging", Known: []string{"qa", "uat"}, Path: "cdk.json"}
	if code := Finish("verify", nil, false, err, false, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if want := "verify: no environment \"staging\" in cdk.json; defined environments: qa, uat\n"; stderr.String() != want || stdout.Len() > 0 {
		t.Errorf("stdout %q, stderr %q; want %q", stdout.String(), stderr.String(), want)
	}
	if code := Finish("verify", nil, false, errors.New("no luck"), false, &stdout, &stderr); code != 1 {
		t.Errorf("another error: exit %d, want 1", code)
	}
}
