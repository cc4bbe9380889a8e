package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// generatedProject makes a project directory whose cdk.json holds n copies
// of the dev environment, sharing the repository's backend bundle.
func generatedProject(root, work, appBinary string, n int) (string, error) {
	var cdk map[string]any
	data, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(data, &cdk); err != nil {
		return "", err
	}
	ctx := cdk["context"].(map[string]any)
	dev := ctx["environments"].(map[string]any)["dev"]
	envs := map[string]any{}
	for i := 0; i < n; i++ {
		envs[fmt.Sprintf("env%d", i)] = dev
	}
	ctx["environments"] = envs
	delete(ctx, "pipeline") // its waves name the repository's environments
	cdk["app"] = appBinary
	dir := filepath.Join(work, fmt.Sprintf("project-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.Symlink(filepath.Join(root, "backend"), filepath.Join(dir, "backend")); err != nil {
		return "", err
	}
	out, err := json.Marshal(cdk)
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "cdk.json"), out, 0o644)
}
