package web

import (
	"bytes"
	"hash/maphash"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/strcache"
)

// A zone in a page's data keys the remembered part by its name, so
// viewers in different zones never share one: a *time.Location encodes
// as {} on its own, which would give every zone the first one's times.
func TestFragmentKeysTellZonesApart(t *testing.T) {
	f := &fragments{seed: maphash.MakeSeed(), cache: strcache.Cache[fragment]{Size: 10},
		csrfMark: "csrf-mark", onceMark: "once-mark", bodyMark: "body-mark"}
	renders := 0
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Europe/Berlin", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		fr, err := f.get("page", keyOf(fiber.Map{"Zone": loc, "Title": "Same"}), func(b *bytes.Buffer) error {
			renders++
			b.WriteString("times in " + zone)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(fr.parts, ""); got != "times in "+zone {
			t.Fatalf("the part for %s: %q", zone, got)
		}
	}
	if renders != 3 {
		t.Fatalf("%d renders for three zones, one of them twice; want 3", renders)
	}
}
