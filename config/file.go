package config

import (
	"encoding/json"
	"fmt"
	"os"
)

// FromFile loads every environment of the "environments" context in a
// cdk.json file, for tools that run outside the CDK app.
func FromFile(path string) ([]*Environment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &cdkJSON); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Load(cdkJSON.Context[EnvironmentsKey], "")
}
