// Badgeons "Demander ce badge": prepares, in the browser, an email to the chosen issuer and a
// request file (demande-<badge>.json, schema build_tools/schemas/request.schema.json) that the
// learner attaches. The page sends nothing: no form is submitted (the CSP has form-action
// 'none') and no request is made; the file is a local Blob and the message a mailto: link.
"use strict";

(function () {
  const FORMAT = "badgeons-demande/1";
  // Tags and script URLs, refused here as `badgeons award --request` refuses them.
  const HTML = /<\s*\/?\s*[a-zA-Z][a-zA-Z0-9-]*|<\s*!|(?:java|vb)script\s*:/i;
  const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  function links(text) {
    return text.split(/\s+/).map((line) => line.trim()).filter((line) => line.length > 0);
  }

  function problems(values) {
    const found = [];
    if (!values.name) found.push(["bdg-req-name", "Indiquez votre nom."]);
    if (!EMAIL.test(values.email)) found.push(["bdg-req-email", "Indiquez une adresse e-mail valide."]);
    if (!values.narrative) found.push(["bdg-req-narrative", "Décrivez votre expérience."]);
    if (HTML.test(values.name) || HTML.test(values.narrative)) {
      found.push(["bdg-req-narrative", "Écrivez en texte simple, sans balise HTML (< >) ni script."]);
    }
    values.evidence.forEach((url) => {
      let ok = false;
      try {
        const parsed = new URL(url);
        ok = (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.host !== "";
      } catch (error) {
        ok = false;
      }
      if (!ok) found.push(["bdg-req-evidence", "« " + url + " » n'est pas une adresse https://."]);
    });
    return found;
  }

  function messageText(values, issuerName, badgeName, pageUrl, fileName) {
    const lines = [
      "Bonjour,",
      "",
      "Je souhaite obtenir le badge « " + badgeName + " » délivré par " + issuerName + ".",
      "Fiche du badge : " + pageUrl,
      "",
      "Mon expérience :",
      values.narrative,
      "",
    ];
    if (values.evidence.length) {
      lines.push("Mes preuves :");
      values.evidence.forEach((url) => lines.push("- " + url));
      lines.push("");
    }
    lines.push("Je joins le fichier de demande " + fileName + " (préparé sur le site du catalogue).");
    lines.push("", "Cordialement,", values.name, values.email);
    return lines.join("\n");
  }

  function setup() {
    const details = document.getElementById("bdg-request");
    if (!details || details.dataset.ready) return;
    details.dataset.ready = "1";
    const byId = (id) => document.getElementById(id);
    byId("bdg-request-noscript").hidden = true;
    byId("bdg-request-fields").hidden = false;
    const badge = details.dataset.badge;
    const fileName = "demande-" + badge + ".json";
    // The page's published address (its canonical link) rather than that of a mirror or copy.
    const canonical = document.querySelector('link[rel="canonical"]');
    const pageUrl = canonical ? canonical.href : new URL(details.dataset.page, window.location.href).href;
    let fileUrl = null;

    byId("bdg-req-prepare").addEventListener("click", () => {
      const values = {
        name: byId("bdg-req-name").value.trim(),
        email: byId("bdg-req-email").value.trim(),
        narrative: byId("bdg-req-narrative").value.trim(),
        evidence: links(byId("bdg-req-evidence").value),
      };
      const errors = byId("bdg-req-errors");
      const result = byId("bdg-req-result");
      const found = problems(values);
      document.querySelectorAll("#bdg-request [aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
      errors.replaceChildren();
      if (found.length) {
        result.hidden = true;
        const list = document.createElement("ul");
        found.forEach(([id, text]) => {
          byId(id).setAttribute("aria-invalid", "true");
          const item = document.createElement("li");
          item.textContent = text;
          list.appendChild(item);
        });
        errors.appendChild(list);
        byId(found[0][0]).focus();
        return;
      }
      const option = byId("bdg-req-issuer").selectedOptions[0];
      const request = {
        format: FORMAT,
        badge: badge,
        issuer: option.value,
        name: values.name,
        email: values.email,
        narrative: values.narrative,
        evidence: values.evidence,
        date: today(),
      };
      if (fileUrl) URL.revokeObjectURL(fileUrl);
      const blob = new Blob([JSON.stringify(request, null, 2) + "\n"], { type: "application/json" });
      fileUrl = URL.createObjectURL(blob);
      const download = byId("bdg-req-download");
      download.href = fileUrl;
      download.setAttribute("download", fileName);
      const subject = "Demande du badge « " + details.dataset.badgeName + " »";
      const body = messageText(values, option.dataset.name, details.dataset.badgeName, pageUrl, fileName);
      byId("bdg-req-mailto").href = "mailto:" + option.dataset.email +
        "?subject=" + encodeURIComponent(subject) + "&body=" + encodeURIComponent(body);
      byId("bdg-req-to").textContent = option.dataset.email;
      byId("bdg-req-subject").textContent = subject;
      byId("bdg-req-text").textContent = body;
      byId("bdg-req-copied").textContent = "";
      result.hidden = false;
      byId("bdg-req-ready").focus();
    });

    byId("bdg-req-copy").addEventListener("click", () => {
      const text = byId("bdg-req-text").textContent;
      const done = () => { byId("bdg-req-copied").textContent = "Message copié."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, () => {
          byId("bdg-req-copied").textContent = "Sélectionnez le texte et copiez-le (Ctrl+C).";
        });
      } else {
        byId("bdg-req-copied").textContent = "Sélectionnez le texte et copiez-le (Ctrl+C).";
      }
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
