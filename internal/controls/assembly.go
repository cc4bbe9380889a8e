package controls

import "path/filepath"

// Templates lists the CloudFormation templates of the cloud assembly in
// dir (cdk.out) and of the assemblies nested in it (one per Stage), by the
// stacks' display names ("dev/Network").
func Templates(dir string) (map[string]string, error) {
	templates := map[string]string{}
	return templates, readTemplates(dir, templates)
}

func readTemplates(dir string, templates map[string]string) error {
	var m struct {
		Artifacts map[string]struct {
			Type        string `json:"type"`
			DisplayName string `json:"displayName"`
			Properties  struct {
				TemplateFile  string `json:"templateFile"`
				DirectoryName string `json:"directoryName"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := readJSON(filepath.Join(dir, "manifest.json"), &m); err != nil {
		return err
	}
	for id, art := range m.Artifacts {
		switch art.Type {
		case "cdk:cloud-assembly":
			if err := readTemplates(filepath.Join(dir, art.Properties.DirectoryName), templates); err != nil {
				return err
			}
		case "aws:cloudformation:stack":
			name := art.DisplayName
			if name == "" {
				name = id
			}
			templates[name] = filepath.Join(dir, art.Properties.TemplateFile)
		}
	}
	return nil
}
