// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  // Pre-select the browser's time zone where the user has not chosen one.
  document.querySelectorAll("select[data-default-tz=browser]").forEach(function (sel) {
    try {
      var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (tz && !sel.value) {
        for (var i = 0; i < sel.options.length; i++) {
          if (sel.options[i].value === tz) { sel.value = tz; break; }
        }
      }
    } catch (e) { /* old browser: the user picks by hand */ }
  });
  // Tell the server the browser's time zone, so times are local even
  // before signing in, and the first sign-in saves it to the profile
  // (a zone saved on the profile always wins).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl: times stay in the session's zone */ }
  // A second click on a submit button must not post the form twice.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset.submitted === "1") { ev.preventDefault(); return; }
    form.dataset.submitted = "1";
    // Disable after this event: a button disabled now would drop its own
    // name and value (Going / Not going) from the form being sent.
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Coming back to a page with the back button re-enables its forms.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (f) {
      delete f.dataset.submitted;
      f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
})();
