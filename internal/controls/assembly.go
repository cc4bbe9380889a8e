package controls

import (
	"cmp"

	"privatebackend/internal/cloudassembly"
)

// Templates lists the CloudFormation templates of the cloud assembly in
// dir (cdk.out) and of the assemblies nested in it (one per Stage), by the
// stacks' display names ("dev/Network").
func Templates(dir string) (map[string]string, error) {
	manifests, err := cloudassembly.ReadAll(dir)
	if err != nil {
		return nil, err
	}
	templates := map[string]string{}
	for _, m := range manifests {
		for id, art := range m.Artifacts {
			if art.Type == cloudassembly.Stack {
				templates[cmp.Or(art.DisplayName, id)] = m.Path(art.Properties.TemplateFile)
			}
		}
	}
	return templates, nil
}
