package verify

import "testing"

func TestStageURLsOfADomainAreFoundByOutputKey(t *testing.T) {
	outputs := map[string]string{
		"Urllive":      "https://api.example.com/",
		"Urlpreview":   "https://api.example.com/preview",
		"Urlmystage":   "https://api.example.com/beta/",
		"DomainTarget": "d-abc.execute-api.eu-west-1.amazonaws.com",
	}
	got := stageURLsOf(outputs, []string{"live", "my_stage", "preview"})
	for stage, want := range map[string]string{
		"live":     "https://api.example.com/",
		"preview":  "https://api.example.com/preview/",
		"my_stage": "https://api.example.com/beta/",
	} {
		if got[stage] != want {
			t.Errorf("stage %s: URL %q, want %q", stage, got[stage], want)
		}
	}
}
