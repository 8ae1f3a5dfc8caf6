/* The interaction screen without the mouse: 1..9 pick an offer, Y / N / T (Д / Н / П on a
   Russian layout) answer the picked one. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  var LAYOUT = { "y": "y", "n": "n", "t": "t", "д": "y", "н": "n", "п": "t" };

  function typing(target) {
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }

  function picked() {
    return document.querySelector(".offer.picked");
  }

  function pick(n) {
    var offer = document.querySelector('.offer[data-offer="' + n + '"]');
    if (!offer) return;
    document.querySelectorAll(".offer.picked").forEach(function (o) { o.classList.remove("picked"); });
    offer.classList.add("picked");
    offer.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-interaction]") || typing(event.target)) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key.toLowerCase();
    if (/^[1-9]$/.test(key)) {
      pick(key);
      event.preventDefault();
      return;
    }
    var offer = picked();
    var letter = LAYOUT[key];
    if (!offer || !letter) return;
    var button = offer.querySelector('button[data-key="' + letter + '"]:not([disabled])');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
