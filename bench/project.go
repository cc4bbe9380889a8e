package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// generatedProject makes a project directory whose cdk.json holds n copies
// of its first environment (in name order), whatever cdk.json names it,
// sharing the repository's backend bundle.
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
	configured, _ := ctx["environments"].(map[string]any)
	if len(configured) == 0 {
		return "", fmt.Errorf("cdk.json configures no environment to copy")
	}
	first := configured[slices.Min(slices.Collect(maps.Keys(configured)))]
	envs := map[string]any{}
	for i := 0; i < n; i++ {
		envs[fmt.Sprintf("env%d", i)] = first
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
