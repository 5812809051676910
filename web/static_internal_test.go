package web

import "testing"

func TestPreferredEncoding(t *testing.T) {
	for header, want := range map[string]string{
		"":                          "",
		"identity":                  "",
		"deflate":                   "",
		"gzip, deflate, br, zstd":   "br",
		"GZIP":                      "gzip",
		"Br":                        "br",
		"br;q=0.5, gzip;q=0.8":      "gzip",
		"br;q=0.8, gzip;q=0.8":      "br",
		"gzip;q=0, br;q=0":          "",
		"*":                         "br",
		"*;q=0":                     "",
		"gzip;q=0.2, *;q=0.5":       "br",
		"br;q=0, *":                 "gzip",
		"br;q=nonsense, gzip":       "gzip",
		"gzip ; q=0.1 , br ; q=0.0": "gzip",
		"br;foo=1;q=0, gzip":        "gzip",
		"BR;Q=0, gzip":              "gzip",
		"gzip;q=0.5;x=1, br;q=0.4":  "gzip",
		"br;q= 0.9 , gzip;q=0.8":    "br",
	} {
		if got := preferredEncoding(header); got != want {
			t.Errorf("Accept-Encoding %q: %q, want %q", header, got, want)
		}
	}
}
