package verify

import (
	"net/url"
	"regexp"
	"strings"
)

// notInLogicalID are the characters a stage name may have that the CDK
// drops from the output's logical id ("Url-my_stage" becomes "Urlmystage").
var notInLogicalID = regexp.MustCompile(`[^A-Za-z0-9]`)

// stageURLsOf finds each stage's URL among the Api stack's outputs by the
// output's key, Url + the stage name: a stage served by a custom domain has
// a URL whose path is its base path (or the domain's root), not its name.
// Outputs of stages not found that way are read from their paths, as
// stageURLs does.
func stageURLsOf(outputs map[string]string, stages []string) map[string]string {
	urls := stageURLs(outputs)
	for _, stage := range stages {
		value, ok := outputs["Url"+notInLogicalID.ReplaceAllString(stage, "")]
		if u, err := url.Parse(value); ok && err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			urls[stage] = strings.TrimSuffix(value, "/") + "/"
		}
	}
	return urls
}
