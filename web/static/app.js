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
  // An error summary lists its fields in the order of the form, not of
  // the field names (the server knows no order); items whose field is not
  // found keep their place at the end.
  document.querySelectorAll(".error-summary ul").forEach(function (list) {
    var items = Array.prototype.slice.call(list.children).map(function (li, i) {
      var a = li.querySelector("a[href^='#']");
      return { li: li, at: i, field: a && document.getElementById(a.getAttribute("href").slice(1)) };
    });
    items.sort(function (x, y) {
      if (!x.field || !y.field) { return (x.field ? -1 : 0) + (y.field ? 1 : 0) || x.at - y.at; }
      return x.field.compareDocumentPosition(y.field) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    items.forEach(function (it) { list.appendChild(it.li); });
  });
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
  // RSVP card's own buttons (not its words: the bar says where the viewer
  // stands in its own), and steps aside while the card is on screen.
  var bar = document.querySelector("[data-rsvp-bar]"), card = document.getElementById("rsvp");
  if (bar && card) {
    var form = card.querySelector("form[action$='/rsvp']"), jump = bar.querySelector("[data-rsvp-jump]");
    if (form && jump) {
      var copy = form.cloneNode(false);
      copy.classList.add("rsvp-bar-form");
      form.querySelectorAll("input[type=hidden], button").forEach(function (el) { copy.appendChild(el.cloneNode(true)); });
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

  // Skill fields (data-skill-chips) become chips: each skill a chip, with
  // a 1-5 level picker where levels count ("levels"), and a field with the
  // known skills as suggestions to add more. The original field stays the
  // value sent ("Go:4, Rust:2" or "Go, Rust"), so the form works the same
  // without JavaScript.
  document.querySelectorAll("[data-skill-chips]").forEach(function (field) {
    var levels = field.dataset.skillChips === "levels";
    var parse = function () {
      return field.value.split(/[,;\n]/).map(function (part) {
        part = part.trim();
        if (!part) { return null; }
        var m = part.match(/^(.*?)[:\s]\s*([1-5])$/);
        return m ? { name: m[1].trim(), level: m[2] } : { name: part, level: "3" };
      }).filter(Boolean);
    };
    var write = function (items) {
      field.value = items.map(function (it) { return levels ? it.name + ":" + it.level : it.name; }).join(", ");
    };
    var box = document.createElement("div");
    box.className = "skill-chips";
    var list = document.createElement("ul");
    list.className = "chips";
    list.setAttribute("aria-label", "Skills");
    var adder = document.createElement("input");
    adder.type = "text";
    adder.setAttribute("list", "skill-names");
    adder.setAttribute("aria-label", "Add a skill");
    adder.placeholder = "Add a skill";
    var add = document.createElement("button");
    add.type = "button";
    add.className = "button small secondary";
    add.textContent = "Add";
    var render = function () {
      var items = parse();
      list.textContent = "";
      items.forEach(function (it, i) {
        var li = document.createElement("li");
        li.className = "chip";
        li.appendChild(document.createTextNode(it.name + " "));
        if (levels) {
          var pick = document.createElement("select");
          pick.setAttribute("aria-label", "Level of " + it.name);
          for (var l = 1; l <= 5; l++) {
            var o = document.createElement("option");
            o.value = String(l); o.textContent = l + "/5";
            if (String(l) === it.level) { o.selected = true; }
            pick.appendChild(o);
          }
          pick.addEventListener("change", function () { items[i].level = pick.value; write(items); });
          li.appendChild(pick);
        }
        var rm = document.createElement("button");
        rm.type = "button";
        rm.className = "chip-remove";
        rm.setAttribute("aria-label", "Remove " + it.name);
        rm.textContent = "×";
        rm.addEventListener("click", function () { items.splice(i, 1); write(items); render(); });
        li.appendChild(rm);
        list.appendChild(li);
      });
    };
    var addSkill = function () {
      var name = adder.value.trim();
      if (!name) { return; }
      var items = parse();
      if (!items.some(function (it) { return it.name.toLowerCase() === name.toLowerCase(); })) {
        items.push({ name: name, level: "3" });
      }
      write(items);
      adder.value = "";
      render();
      adder.focus();
    };
    add.addEventListener("click", addSkill);
    adder.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); addSkill(); }
    });
    box.appendChild(list);
    box.appendChild(adder);
    box.appendChild(add);
    field.hidden = true;
    field.parentNode.insertBefore(box, field.nextSibling);
    render();
  });
})();
