package auth

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A flash cookie opens to the words sealed in it, and to nothing when
// anyone but the site made it or changed it, sealed it with another
// secret, or sealed it more than flashTTL ago.
func TestAFlashOpensOnlyAsSealed(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	m := &Sessions{flashKey: []byte("k1"), Now: clock}
	v := m.SealFlash("ok", "You are going. <b>See</b> you there!")
	if kind, text, ok := m.OpenFlash(v); !ok || kind != "ok" || text != "You are going. <b>See</b> you there!" {
		t.Fatalf("OpenFlash = %q %q %v", kind, text, ok)
	}
	body, sig, _ := strings.Cut(v, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte("error\n"+strconv.FormatInt(now.Unix(), 10)+"\nYour account is locked: call us")) + "." + sig
	other := &Sessions{flashKey: []byte("k2"), Now: clock}
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
	now = now.Add(flashTTL + time.Second)
	if _, _, ok := m.OpenFlash(v); ok {
		t.Error("a flash sealed more than flashTTL ago opened")
	}
	long := m.SealFlash("ok", strings.Repeat("é", maxFlash))
	if _, text, ok := m.OpenFlash(long); !ok || len(text) > maxFlash || !strings.HasPrefix(text, "éé") || strings.ContainsRune(text, '\uFFFD') {
		t.Fatalf("a long flash: ok %v, %d bytes", ok, len(text))
	}
}
