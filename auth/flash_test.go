package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

// A flash cookie opens to the words sealed in it, and to nothing when
// anyone but the site made it or changed it, or sealed it with another
// secret.
func TestAFlashOpensOnlyAsSealed(t *testing.T) {
	m := &Sessions{flashKey: []byte("k1")}
	v := m.SealFlash("ok", "You are going. <b>See</b> you there!")
	if kind, text, ok := m.OpenFlash(v); !ok || kind != "ok" || text != "You are going. <b>See</b> you there!" {
		t.Fatalf("OpenFlash = %q %q %v", kind, text, ok)
	}
	body, sig, _ := strings.Cut(v, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte("error\nYour account is locked: call us")) + "." + sig
	other := &Sessions{flashKey: []byte("k2")}
	for name, bad := range map[string]string{
		"forged words":   forged,
		"no signature":   body,
		"bad signature":  body + ".AAAA",
		"other secret":   other.SealFlash("ok", "hello"),
		"not base64":     "!!!." + sig,
		"empty":          "",
		"signature only": "." + sig,
	} {
		if _, _, ok := m.OpenFlash(bad); ok {
			t.Errorf("%s: opened", name)
		}
	}
	long := m.SealFlash("ok", strings.Repeat("é", maxFlash))
	if _, text, ok := m.OpenFlash(long); !ok || len(text) > maxFlash || !strings.HasPrefix(text, "éé") || strings.ContainsRune(text, '\uFFFD') {
		t.Fatalf("a long flash: ok %v, %d bytes", ok, len(text))
	}
}
