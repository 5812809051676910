package groups

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestValidateRefusesBadInput(t *testing.T) {
	t.Parallel()
	fifty := make([]string, 50)
	for i := range fifty {
		fifty[i] = "topic" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "corp" + string(rune('a'+i)) + ".example.com"
	}
	cases := []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"empty name", func(in *Input) { in.Name = "" }, "name"},
		{"blank name", func(in *Input) { in.Name = "   " }, "name"},
		{"two-letter name", func(in *Input) { in.Name = " Go " }, "name"},
		{"200-character name", func(in *Input) { in.Name = strings.Repeat("n", 200) }, "name"},
		{"81-character name", func(in *Input) { in.Name = strings.Repeat("é", 81) }, "name"},
		{"name with newline", func(in *Input) { in.Name = "Go\nBerlin" }, "name"},
		{"name with NUL", func(in *Input) { in.Name = "Go\x00Berlin" }, "name"},
		{"name with invalid UTF-8", func(in *Input) { in.Name = "Go Berlin\xff" }, "name"},
		{"description with NUL", func(in *Input) { in.Description = "We\x00meet." }, "description"},
		{"description with invalid UTF-8", func(in *Input) { in.Description = "caf\xe9" }, "description"},
		{"city with a tab", func(in *Input) { in.City = "Ber\tlin" }, "city"},
		{"question with NUL", func(in *Input) { in.JoinPolicy, in.Question = Approval, "Why\x00?" }, "question"},
		{"empty slug", func(in *Input) { in.Slug = "" }, "slug"},
		{"short slug", func(in *Input) { in.Slug = "go" }, "slug"},
		{"long slug", func(in *Input) { in.Slug = strings.Repeat("a", 41) }, "slug"},
		{"slug with underscore", func(in *Input) { in.Slug = "go_berlin" }, "slug"},
		{"slug with space", func(in *Input) { in.Slug = "go berlin" }, "slug"},
		{"slug starting with dash", func(in *Input) { in.Slug = "-goberlin" }, "slug"},
		{"slug ending with dash", func(in *Input) { in.Slug = "goberlin-" }, "slug"},
		{"slug with double dash", func(in *Input) { in.Slug = "go--berlin" }, "slug"},
		{"slug with unicode", func(in *Input) { in.Slug = "münchen" }, "slug"},
		{"slug with brace", func(in *Input) { in.Slug = "go{x}" }, "slug"},
		{"reserved slug new", func(in *Input) { in.Slug = "new" }, "slug"},
		{"reserved slug admin", func(in *Input) { in.Slug = "Admin" }, "slug"},
		{"reserved slug healthz", func(in *Input) { in.Slug = "healthz" }, "slug"},
		{"reserved slug groups", func(in *Input) { in.Slug = "groups" }, "slug"},
		{"description too long", func(in *Input) { in.Description = strings.Repeat("d", MaxDescriptionLen+1) }, "description"},
		{"50 topics", func(in *Input) { in.Topics = fifty }, "topics"},
		{"11 topics", func(in *Input) { in.Topics = fifty[:11] }, "topics"},
		{"topic too long", func(in *Input) { in.Topics = []string{strings.Repeat("t", 31)} }, "topics"},
		{"topic with markup", func(in *Input) { in.Topics = []string{"<script>"} }, "topics"},
		{"topic with slash", func(in *Input) { in.Topics = []string{"ci/cd"} }, "topics"},
		{"unknown career path", func(in *Input) { in.Paths = []string{"astrology"} }, "paths"},
		{"known and unknown path", func(in *Input) { in.Paths = []string{"devops", "wizardry"} }, "paths"},
		{"city too long", func(in *Input) { in.City = strings.Repeat("c", 81) }, "city"},
		{"neither city nor online", func(in *Input) { in.City, in.Online = " ", false }, "city"},
		{"cover word", func(in *Input) { in.Cover = "red" }, "cover"},
		{"cover short hex", func(in *Input) { in.Cover = "#fff" }, "cover"},
		{"cover bad hex", func(in *Input) { in.Cover = "#12345g" }, "cover"},
		{"cover http", func(in *Input) { in.Cover = "http://example.com/a.png" }, "cover"},
		{"cover javascript", func(in *Input) { in.Cover = "javascript:alert(1)" }, "cover"},
		{"cover https no host", func(in *Input) { in.Cover = "https:///a.png" }, "cover"},
		{"cover with quote", func(in *Input) { in.Cover = `https://example.com/a.png"onerror="x` }, "cover"},
		{"cover with credentials", func(in *Input) { in.Cover = "https://u:p@example.com/a.png" }, "cover"},
		{"visibility", func(in *Input) { in.Visibility = "secret" }, "visibility"},
		{"join policy", func(in *Input) { in.JoinPolicy = "maybe" }, "join_policy"},
		{"question too long", func(in *Input) {
			in.JoinPolicy, in.Question = Approval, strings.Repeat("q", MaxQuestionLen+1)
		}, "question"},
		{"domain without dot", func(in *Input) { in.Domains = []string{"localhost"} }, "domains"},
		{"domain with space", func(in *Input) { in.Domains = []string{"exa mple.com"} }, "domains"},
		{"domain label starting with dash", func(in *Input) { in.Domains = []string{"-corp.com"} }, "domains"},
		{"domain numeric tld", func(in *Input) { in.Domains = []string{"10.0.0.1"} }, "domains"},
		{"domain is an email", func(in *Input) { in.Domains = []string{"bob@example.com"} }, "domains"},
		{"domain with scheme", func(in *Input) { in.Domains = []string{"https://example.com"} }, "domains"},
		{"domain with empty label", func(in *Input) { in.Domains = []string{"example..com"} }, "domains"},
		{"eleven domains", func(in *Input) { in.Domains = eleven }, "domains"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := goodInput("go-berlin")
			c.edit(&in)
			_, err := in.Validate()
			ve := fieldErrors(t, err)
			if len(ve) != 1 || ve[c.field] == "" {
				t.Fatalf("want exactly an error on %q, got %v", c.field, ve)
			}
		})
	}
}

func TestValidateNormalises(t *testing.T) {
	t.Parallel()
	in := Input{
		Name:        "  Cloud Native Leipzig ",
		Slug:        " Cloud-Native-Leipzig ",
		Description: "Hello\r\n<script>alert(1)</script>",
		Topics:      []string{" K8s", "Golang", "System Design", "go", "", "#Rust", "C#", "machine_learning"},
		Paths:       []string{"Developer Advocacy", "business_development", "devops", "DevOps"},
		City:        "  Leipzig   Mitte ",
		Cover:       "#AABBCC",
		Visibility:  "unlisted",
		JoinPolicy:  Open,
		Question:    "ignored unless approval",
		Domains:     []string{"@Example.COM", "example.com.", " eng.example.co.uk "},
	}
	out, err := in.Validate()
	if err != nil {
		t.Fatal(err)
	}
	want := Input{
		Name:        "Cloud Native Leipzig",
		Slug:        "cloud-native-leipzig",
		Description: "Hello\n<script>alert(1)</script>",
		Topics:      []string{"kubernetes", "go", "system-design", "rust", "c#", "machine-learning"},
		Paths:       []string{"developer-advocacy", "business-development", "devops"},
		City:        "Leipzig Mitte",
		Cover:       "#aabbcc",
		Visibility:  Unlisted,
		JoinPolicy:  Open,
		Domains:     []string{"example.com", "eng.example.co.uk"},
	}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("got  %+v\nwant %+v", out, want)
	}

	def, err := Input{Name: "Remote Rust", Slug: "remote-rust", Online: true}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if def.Visibility != Public || def.JoinPolicy != Open || def.Cover != DefaultCover {
		t.Fatalf("defaults: %+v", def)
	}
	img := goodInput("img-cover")
	img.Cover = "https://images.example.com/cover.png?w=800"
	if _, err := img.Validate(); err != nil {
		t.Fatalf("image cover refused: %v", err)
	}
	ask := goodInput("ask-group")
	ask.JoinPolicy, ask.Question = Approval, "  What do you want to learn? "
	if out, err := ask.Validate(); err != nil || out.Question != "What do you want to learn?" {
		t.Fatalf("question: %q, %v", out.Question, err)
	}
}

func TestSuggestSlug(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Go & Kubernetes Berlin":      "go-and-kubernetes-berlin",
		"  Système Design   Zürich! ": "systeme-design-zuerich",
		"C++ Meetup":                  "c-plus-plus-meetup",
		"Go":                          "go-group",
		"Admin":                       "admin-group",
		"!!!":                         "",
		"The very long name of a group that keeps going on and on": "the-very-long-name-of-a-group-that-keeps",
	}
	for name, want := range cases {
		got := SuggestSlug(name)
		if got != want {
			t.Errorf("SuggestSlug(%q) = %q, want %q", name, got, want)
		}
		if got != "" && slugProblem(got) != "" {
			t.Errorf("SuggestSlug(%q) = %q is not a valid slug: %s", name, got, slugProblem(got))
		}
	}
}

func TestSplitListAndEmailDomain(t *testing.T) {
	t.Parallel()
	if got := SplitList(" go, system design\nk8s;;, "); !reflect.DeepEqual(got, []string{"go", "system design", "k8s"}) {
		t.Fatalf("SplitList: %q", got)
	}
	for in, want := range map[string]string{"Ann@Example.COM": "example.com", "nobody": "", "x@": "", "a@b@corp.io": "corp.io"} {
		if got := EmailDomain(in); got != want {
			t.Errorf("EmailDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCreateStoresNothingOnBadInput(t *testing.T) {
	t.Parallel()
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	bad := goodInput("bad-group")
	bad.Topics = make([]string, 50)
	for i := range bad.Topics {
		bad.Topics[i] = strings.Repeat("t", i+1)
	}
	if _, err := s.Create(ctx, newUser(), bad); err == nil {
		t.Fatal("50 topics accepted")
	}
	if _, err := s.Create(ctx, "", goodInput("anon-group")); err == nil {
		t.Fatal("signed-out visitor created a group")
	}
	if keys := keysUnder(t, rdb, prefix); len(keys) != 0 {
		t.Fatalf("bad input stored keys: %v", keys)
	}
}
