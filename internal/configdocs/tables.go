package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
)

// keyTable renders the README's table of the keys of definition def, each
// key path starting with prefix: every key with its default and meaning,
// the keys inside an object, a map entry (NAME) or a list element ([])
// after it.
func keyTable(root *jsonschema.Schema, def, prefix string) string {
	var b strings.Builder
	b.WriteString("| key | default | meaning |\n|---|---|---|\n")
	var rows func(s *jsonschema.Schema, prefix string)
	rows = func(s *jsonschema.Schema, prefix string) {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			key, prop := pair.Key, pair.Value
			meaning, defaultText := splitDocComment(prop.Description, "")
			switch {
			case prop.Default != nil:
				data, _ := json.Marshal(prop.Default)
				defaultText = "`" + string(data) + "`"
			case slices.Contains(s.Required, key):
				defaultText = "required"
			case defaultText == "":
				defaultText = "—"
			}
			enum := prop.Enum
			if enum == nil && prop.Items != nil {
				enum = prop.Items.Enum
			}
			if values := mentions(meaning, enum); values != "" {
				meaning += " One of " + values + "."
			}
			if r := bounds(prop); r != "" {
				meaning += " " + r + "."
			}
			fmt.Fprintf(&b, "| `%s%s` | %s | %s |\n", prefix, key, defaultText, strings.ReplaceAll(meaning, "|", `\|`))
			switch {
			case prop.Ref != "":
				rows(definition(root, prop.Ref), prefix+key+".")
			case prop.AdditionalProperties != nil && prop.AdditionalProperties.Ref != "":
				rows(definition(root, prop.AdditionalProperties.Ref), prefix+key+".NAME.")
			case prop.Items != nil && prop.Items.Ref != "":
				rows(definition(root, prop.Items.Ref), prefix+key+"[].")
			}
		}
	}
	rows(root.Definitions[def], prefix)
	return b.String()
}

// definition resolves a "#/$defs/NAME" reference.
func definition(root *jsonschema.Schema, ref string) *jsonschema.Schema {
	return root.Definitions[strings.TrimPrefix(ref, "#/$defs/")]
}

// mentions lists the enum values as the table writes them, or "" when the
// meaning already names every one.
func mentions(meaning string, enum []any) string {
	var values []string
	missing := false
	for _, v := range enum {
		data, _ := json.Marshal(v)
		values = append(values, "`"+strings.Trim(string(data), `"`)+"`")
		if !strings.Contains(meaning, string(data)) {
			missing = true
		}
	}
	if !missing {
		return ""
	}
	return strings.Join(values, ", ")
}

// bounds says which numbers prop allows, e.g. "At least 1" or "From 2 to
// 6".
func bounds(prop *jsonschema.Schema) string {
	if prop.Minimum != "" && prop.Maximum != "" {
		return "From " + string(prop.Minimum) + " to " + string(prop.Maximum)
	}
	var parts []string
	for _, b := range []struct {
		limit json.Number
		words string
	}{{prop.Minimum, "at least"}, {prop.ExclusiveMinimum, "above"}, {prop.Maximum, "at most"}, {prop.ExclusiveMaximum, "below"}} {
		if b.limit != "" {
			parts = append(parts, b.words+" "+string(b.limit))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, " and ")
	return strings.ToUpper(s[:1]) + s[1:]
}
