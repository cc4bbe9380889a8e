package model_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"privatebackend/config"
	"privatebackend/internal/model"
	_ "privatebackend/internal/testsupport/golden" // defines -update for "go test ./... -update"
)

var (
	_ = model.NewPattern(model.Pattern{Name: "test.word", Expr: `^[a-z]+$`, What: "a word", Want: `e.g. "blue"`})
	_ = model.NewEnum("test.color", "", "red", "green")
)

// item and box are a declaration exercising every tag.
type item struct {
	Color string `json:"color" default:"red" enum:"test.color"`
}

type box struct {
	Name   string           `json:"name" required:"true" pattern:"test.word"`
	Size   *int             `json:"size" default:"2" min:"1" max:"9"`
	Share  float64          `json:"share" above:"0" below:"1" default:"0.5"`
	Open   bool             `json:"open" default:"true"`
	Tags   []string         `json:"tags" minEntries:"1" pattern:"test.word"`
	Items  map[string]*item `json:"items" keys:"test.word"`
	Lid    *item            `json:"lid" requires:"name"`
	Hidden string           `json:"-"`
}

func (b box) Rules() model.Problems {
	var ps model.Problems
	if b.Size != nil && *b.Size == 7 {
		ps.Add("size", "7 is unlucky")
	}
	return ps
}

func TestLoadAppliesDefaultsAndReportsEveryProblemOnce(t *testing.T) {
	var b box
	if ps := model.Load(map[string]any{"name": "x", "items": map[string]any{"a": map[string]any{}}}, &b); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	if *b.Size != 2 || b.Share != 0.5 || !b.Open || b.Items["a"].Color != "red" || b.Lid != nil || b.Tags != nil {
		t.Errorf("defaults not applied: %+v", b)
	}
	b = box{}
	ps := model.Load(map[string]any{
		"size": 7.0, "share": 1.0, "open": false, "tags": []any{}, "lid": map[string]any{"color": "blue"},
		"items": map[string]any{"B": map[string]any{"colour": "red"}}, "extra": 1.0,
	}, &b)
	var got []string
	for _, p := range ps {
		got = append(got, p.Error())
	}
	want := []string{
		`: unknown key "extra"; valid keys are name, size, share, open, tags, items, lid`,
		`items.B: unknown key "colour"; did you mean "color"?`,
		`name: is missing`,
		`share: 1 is too large; want a number above 0 and below 1`,
		`tags: is empty; list at least one`,
		`items.B: "B" is not a word; want e.g. "blue"`,
		`lid.color: "blue" is not supported; use "red" or "green"`,
		`name: is missing; lid is set, which needs name too`,
		`size: 7 is unlucky`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if b.Open {
		t.Error("open: false was not taken as written")
	}
}

func TestAnUnreadableValueKeepsItsDefault(t *testing.T) {
	var b box
	ps := model.Load(map[string]any{"name": "x", "size": "3"}, &b)
	if len(ps) != 1 || ps[0].Error() != `size: is the string "3"; want a whole number` || *b.Size != 2 {
		t.Errorf("problems %v, size %d", ps, *b.Size)
	}
}

func TestNearestSuggestsOnlyPlausibleTypos(t *testing.T) {
	keys := []string{"cidr", "maxAzs", "egress", "natGateways"}
	for key, want := range map[string]string{"maxAzz": "maxAzs", "MaxAzs": "maxAzs", "natGateway": "natGateways", "colour": "", "x": ""} {
		if got := model.Nearest(key, keys); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", key, got, want)
		}
	}
}

// ruled and alsoRuled have cross-key rules; twoRulers embeds both, so
// neither's Rules is promoted.
type ruled struct {
	A int `json:"a"`
}

func (ruled) Rules() model.Problems { return nil }

type alsoRuled struct {
	B int `json:"b"`
}

func (alsoRuled) Rules() model.Problems { return nil }

type twoRulers struct {
	ruled
	alsoRuled
}

// TestTheConfigurationIsDeclaredValidly parses every tag of the app's
// configuration: an unknown pattern or enum, or a default of the wrong
// type, fails here rather than at run time.
func TestTheConfigurationIsDeclaredValidly(t *testing.T) {
	if err := model.Validate(reflect.TypeFor[config.File]()); err != nil {
		t.Fatal(err)
	}
	if err := model.Validate(reflect.TypeFor[box]()); err != nil {
		t.Fatal(err)
	}
	type badDefault struct {
		N int `json:"n" default:"\"two\""`
	}
	type badPattern struct {
		N string `json:"n" pattern:"nosuch"`
	}
	type badRequires struct {
		N string `json:"n" requires:"m"`
	}
	for typ, want := range map[reflect.Type]string{
		reflect.TypeFor[twoRulers]():   "whose Rules it does not have",
		reflect.TypeFor[badDefault]():  "default",
		reflect.TypeFor[badPattern]():  `no pattern "nosuch"`,
		reflect.TypeFor[badRequires](): `requires or excludes "m"`,
	} {
		if err := model.Validate(typ); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s gave %v; want it to say %s", typ, err, want)
		}
	}
}

// marked carries the Checked mark.
type marked struct {
	N       int           `json:"n" min:"1"`
	Checked model.Checked `json:"-"`
}

type markedTree struct {
	One  marked             `json:"one"`
	Many map[string]*marked `json:"many"`
	List []marked           `json:"list"`
}

// TestLoadMarksWhatItChecked checks that a valid configuration's settings
// carry the Checked mark everywhere, an invalid one's nowhere, and settings
// built by hand none, so constructs check exactly those config did not.
func TestLoadMarksWhatItChecked(t *testing.T) {
	raw := map[string]any{"one": map[string]any{"n": 1.0}, "many": map[string]any{"a": map[string]any{"n": 1.0}}, "list": []any{map[string]any{"n": 1.0}}}
	var good markedTree
	if ps := model.Load(raw, &good); len(ps) > 0 || !good.One.Checked.OK() || !good.Many["a"].Checked.OK() || !good.List[0].Checked.OK() {
		t.Errorf("problems %v; marks %+v", ps, good)
	}
	raw["one"] = map[string]any{"n": 0.0}
	var bad markedTree
	if ps := model.Load(raw, &bad); len(ps) != 1 || bad.Many["a"].Checked.OK() {
		t.Errorf("problems %v; marks %+v", ps, bad)
	}
	if (marked{N: 1}).Checked.OK() {
		t.Error("settings built by hand carry the mark")
	}
}
