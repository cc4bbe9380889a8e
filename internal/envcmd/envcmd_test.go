package envcmd

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
