// Badgeons catalogue: filter the badge cards by words and by issuer, kind, level, tag and
// framework. Words are folded as build_tools/searchtext.py folds the cards' text (case,
// accents, ligatures and plurals forgiven), so "numerique" finds "Numériques". Without
// JavaScript every card stays visible and the form has no effect.
"use strict";

(function () {
  function fold(text) {
    return text.replace(/[œŒ]/g, "oe").replace(/[æÆ]/g, "ae").replace(/ß/g, "ss").replace(/’/g, "'")
      .toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function stem(word) {
    return word.length > 3 && /[sx]$/.test(word) && !/ss$/.test(word) ? word.slice(0, -1) : word;
  }

  function words(text) {
    return (fold(text).match(/[a-z0-9]+/g) || []).map(stem);
  }

  function setup() {
    const form = document.getElementById("bdg-filters");
    const list = document.getElementById("bdg-cards");
    if (!form || !list || form.dataset.ready) return;
    form.dataset.ready = "1";
    const cards = Array.from(list.querySelectorAll(".bdg-card"));
    const count = document.getElementById("bdg-count");
    const field = (name) => form.elements.namedItem(name);

    function apply() {
      const query = words(field("texte").value);
      const wanted = {};
      ["issuer", "kind", "level", "tag", "framework"].forEach((name) => {
        const element = field(name);
        wanted[name] = element ? element.value : "";
      });
      let shown = 0;
      cards.forEach((card) => {
        const text = card.dataset.text.split(" ");
        const match =
          query.every((q) => text.some((w) => w.startsWith(q))) &&
          (!wanted.issuer || card.dataset.issuers.split(" ").includes(wanted.issuer)) &&
          (!wanted.kind || card.dataset.kind === wanted.kind) &&
          (!wanted.level || card.dataset.level === wanted.level) &&
          (!wanted.tag || card.dataset.tags.split("|").includes(wanted.tag)) &&
          (!wanted.framework || card.dataset.frameworks.split("|").includes(wanted.framework));
        card.hidden = !match;
        if (match) shown += 1;
      });
      const template = shown === 0 ? count.dataset.none : shown === 1 ? count.dataset.one : count.dataset.many;
      count.textContent = template.replace("{n}", String(shown));
    }

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
    form.addEventListener("reset", () => setTimeout(apply, 0));
    const params = new URLSearchParams(window.location.search);
    params.forEach((value, key) => { const element = field(key); if (element) element.value = value; });
    apply();
  }

  // Material loads pages without a full reload when instant navigation is on; run on each page.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
