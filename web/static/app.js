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
  // Share and copy-link buttons: the Web Share API where the browser has
  // it, the clipboard otherwise; without either the plain link stays.
  document.querySelectorAll("[data-share]").forEach(function (box) {
    var url = box.dataset.shareUrl, title = box.dataset.shareTitle;
    var native = box.querySelector("[data-share-native]");
    var copy = box.querySelector("[data-share-copy]");
    var status = box.querySelector("[data-share-status]");
    var canShare = typeof navigator.share === "function";
    var canCopy = !!(navigator.clipboard && window.isSecureContext);
    if (!canShare && !canCopy) { return; }
    box.querySelector("[data-share-buttons]").hidden = false;
    box.querySelector("[data-share-fallback]").hidden = true;
    var fallBack = function (text) {
      status.textContent = text;
      box.querySelector("[data-share-fallback]").hidden = false;
    };
    if (canShare) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function (e) {
          if (e && e.name !== "AbortError") { fallBack("Sharing did not work; copy the link below."); }
        });
      });
    }
    if (canCopy) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(function () {
          status.textContent = "Link copied.";
        }, function () {
          fallBack("Copying did not work; copy the link below.");
        });
      });
    }
  });
  // Actions that cannot be undone (forms with data-confirm, see
  // web/confirm.go) ask first in a native dialog; without JavaScript, or
  // without <dialog>, the server's confirm page asks instead.
  var confirmDialog = null;
  var askFirst = function (form) {
    if (!confirmDialog) {
      confirmDialog = document.createElement("dialog");
      confirmDialog.className = "confirm-dialog";
      confirmDialog.setAttribute("aria-labelledby", "confirm-dialog-q");
      confirmDialog.innerHTML = '<form method="dialog"><p id="confirm-dialog-q"></p>' +
        '<p class="actions"><button class="button danger" value="yes" data-confirm-yes></button>' +
        '<button class="button secondary" value="no" autofocus>Keep things as they are</button></p></form>';
      document.body.appendChild(confirmDialog);
    }
    confirmDialog.querySelector("#confirm-dialog-q").textContent = form.dataset.confirm;
    confirmDialog.querySelector("[data-confirm-yes]").textContent = form.dataset.confirmButton || "Yes, do it";
    confirmDialog.returnValue = "";
    confirmDialog.onclose = function () {
      if (confirmDialog.returnValue !== "yes") { return; }
      var field = document.createElement("input");
      field.type = "hidden"; field.name = "confirmed"; field.value = "yes";
      form.appendChild(field);
      form.dataset.confirmed = "1";
      form.requestSubmit();
    };
    confirmDialog.showModal();
  };
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.dataset.confirm || form.dataset.confirmed === "1") { return; }
    if (typeof HTMLDialogElement !== "function" || !form.requestSubmit) { return; }
    ev.preventDefault();
    askFirst(form);
  });
  // Discover's filters start open on wide screens (the template opens
  // them on any screen when a filter is on).
  if (window.matchMedia && window.matchMedia("(min-width: 761px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }
  // The RSVP bar at the foot of a session page on phones: it gets the
  // RSVP card's own buttons, and steps aside while the card is on screen.
  var bar = document.querySelector("[data-rsvp-bar]"), card = document.getElementById("rsvp");
  if (bar && card) {
    var form = card.querySelector("form[action$='/rsvp']"), jump = bar.querySelector("[data-rsvp-jump]");
    if (form && jump) {
      var copy = form.cloneNode(true);
      copy.classList.add("rsvp-bar-form");
      jump.replaceWith(copy);
    }
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        bar.classList.toggle("is-away", entries[0].isIntersecting);
      }).observe(card);
    }
  }
  // A second click on a submit button must not post the form twice.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || form.getAttribute("method") === "dialog") { return; }
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
