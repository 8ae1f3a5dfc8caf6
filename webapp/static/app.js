/* Leadline's own script: live countdowns, queue alerts, the few handlers pages need.
   No framework, no CDN, nothing inline (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  var SOUND_KEY = "leadline.queue.sound";

  function labels() {
    var node = document.getElementById("countdown-labels");
    return node ? node.dataset : null;
  }

  function fill(template, key, value) {
    return template.replace("{" + key + "}", value);
  }

  /* "1d 2h", "2h 05m", "4m 09s", "12s": two units are enough to act on. */
  function span(ms, words) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var parts = [
      [Math.floor(s / 86400), words.days],
      [Math.floor(s / 3600) % 24, words.hours],
      [Math.floor(s / 60) % 60, words.minutes],
      [s % 60, words.seconds]
    ];
    var first = 0;
    while (first < 3 && parts[first][0] === 0) first++;
    return parts.slice(first, first + 2).map(function (p, i) {
      var n = i > 0 && p[0] < 10 ? "0" + p[0] : String(p[0]);
      return fill(p[1], "n", n);
    }).join(" ");
  }

  function urgency(el, left) {
    if (left <= 0) return "overdue";
    var start = Date.parse(el.dataset.start || "");
    var due = Date.parse(el.dataset.due);
    var whole = isNaN(start) ? 0 : due - start;
    var share = whole > 0 ? left / whole : (left > 3600000 ? 1 : 0.3);
    if (share < 0.2) return "critical";
    if (share < 0.5) return "warning";
    return "fine";
  }

  function tick() {
    var words = labels();
    if (!words) return;
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      if (isNaN(left)) return;
      var text = span(left, words);
      var ahead = el.dataset.words === "due-in" && words.dueIn ? words.dueIn : words.left;
      el.textContent = left > 0 ? fill(ahead, "t", text) : fill(words.overdue, "t", text);
      el.dataset.urgency = urgency(el, left);
    });
  }

  /* --- new leads: a notification and an optional beep ---------------------------------- */

  function leadIds(root) {
    var ids = {};
    if (!root) return ids;
    root.querySelectorAll("[data-lead-id]").forEach(function (row) {
      ids[row.dataset.leadId] = row.dataset.leadName;
    });
    return ids;
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    var ctx = new Context();
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = function () { ctx.close(); };
  }

  function announce(names) {
    var words = labels();
    var title = words ? words.newLead : "New lead";
    document.dispatchEvent(new CustomEvent("leadline:new-leads", { detail: names }));
    if (window.Notification && Notification.permission === "granted") {
      new Notification(title, { body: names.join(", "), tag: "leadline-queue" });
    }
    if (localStorage.getItem(SOUND_KEY) === "on") beep();
  }

  var before = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "queue-list") {
      before = leadIds(event.detail.target);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = document.getElementById("queue-list");
    if (!before || !list || event.detail.requestConfig.verb !== "get") return;
    var polled = /[?&]v=/.test(event.detail.pathInfo.requestPath || "");
    var now = leadIds(list);
    var fresh = Object.keys(now).filter(function (id) { return !(id in before); });
    before = null;
    if (polled && fresh.length) announce(fresh.map(function (id) { return now[id]; }));
    tick();
  });

  function setUpControls() {
    var enable = document.querySelector("[data-action=enable-notifications]");
    if (enable && window.Notification && Notification.permission === "default") {
      enable.hidden = false;
      enable.onclick = function () {
        Notification.requestPermission().then(function () { enable.hidden = true; });
      };
    }
    var sound = document.querySelector("[data-action=queue-sound]");
    if (sound) {
      sound.checked = localStorage.getItem(SOUND_KEY) === "on";
      sound.onchange = function () {
        localStorage.setItem(SOUND_KEY, sound.checked ? "on" : "off");
        if (sound.checked) beep();
      };
    }
  }

  /* --- behaviour that would otherwise be inline (the CSP forbids inline handlers) ------ */

  /* The language picker submits as soon as a language is chosen. */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-action=submit-on-change]") && el.form) {
      el.form.requestSubmit();
    }
  });

  /* The leads list: the header's box selects or clears every lead of the page. */
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-action=select-all]") || !box.form) return;
    box.form.querySelectorAll("input[type=checkbox][name=lead]").forEach(function (each) {
      each.checked = box.checked;
    });
  });

  /* The bell's panel loads when its <details> opens ("toggle" does not bubble: capture). */
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details.bell") || !details.open) return;
    var panel = details.querySelector(".bell-panel");
    if (panel && window.htmx) htmx.trigger(panel, "bell-opened");
  }, true);

  /* Never swap in an answer that a redirect fetched from another origin. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr && event.detail.xhr.responseURL;
    if (url && new URL(url, location.href).origin !== location.origin) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () { setUpControls(); tick(); });
  document.addEventListener("htmx:load", function () { setUpControls(); tick(); });
  setInterval(tick, 1000);
})();
