// Badgeons verification page: re-check the badge in the visitor's browser.
// The VC-JWT signature is verified with WebCrypto against the issuer's published key, then the
// revocation list and the expiry date are read; every URL is relative to the page, so the check
// works from whatever origin serves the site. Nothing typed on the page is sent anywhere.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("bdg-data").textContent);
  const live = document.getElementById("bdg-live");
  const status = document.getElementById("bdg-status");

  function b64urlToBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const binary = atob(base64);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  function decodeJson(segment) {
    return JSON.parse(new TextDecoder().decode(b64urlToBytes(segment)));
  }

  // A signed document that could not be loaded proves nothing either way: the visitor may be
  // offline, or the page may be a copy served away from the issuer's site.
  class Unreachable extends Error {}

  async function fetchText(url) {
    let response;
    try {
      response = await fetch(url, { cache: "no-store", credentials: "omit" });
    } catch (error) {
      throw new Unreachable(url + " : pas de réponse");
    }
    if (!response.ok) throw new Unreachable(url + " : HTTP " + response.status);
    return response.text();
  }

  // signed: whether the issuer's signature was verified, so that what the build wrote under
  // the heading (who issued the badge, when) still holds.
  function setVerdict(kind, title, detail, signed) {
    status.className = "bdg-status bdg-status--" + kind;
    status.dataset.live = kind;
    const icon = status.querySelector(".bdg-status__icon");
    icon.textContent = { valid: "✓", revoked: "✗", expired: "!", invalid: "✗", unchecked: "?" }[kind];
    status.querySelector("h1").textContent = title;
    // What the build wrote under the heading no longer holds once the badge fails the check.
    for (const built of status.querySelectorAll(".bdg-status__detail")) built.hidden = !signed;
    live.textContent = detail;
  }

  class Mismatch extends Error {}

  // « 1er décembre 2026 », as the build writes dates on the page.
  const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre"];

  function longDate(value) {
    const day = Number(value.slice(8, 10));
    return (day === 1 ? "1er" : String(day)) + " " + MONTHS[Number(value.slice(5, 7)) - 1] + " " + value.slice(0, 4);
  }

  /** A text as the end of a sentence: with one full stop, whether or not it had its own. */
  function sentence(text) {
    return /[.!?…]$/.test(text) ? text : text + ".";
  }

  async function checkSignature() {
    // A badge signed with a key its issuer declared compromised is not to be trusted, whatever
    // its signature says: the key may sign anything now, and it is no longer published. The
    // built verdict stands, and no check could make it better.
    if (status.dataset.status === "compromised") {
      status.dataset.live = "compromised";
      return;
    }
    if (!window.crypto || !window.crypto.subtle) {
      live.textContent = "Ce navigateur ne sait pas vérifier les signatures : utilisez un vérificateur Open Badges avec les fichiers ci-dessous.";
      return;
    }
    const started = performance.now();
    live.hidden = false;
    // The three documents are independent: fetch them at once.
    const listText = fetchText(data.status).catch((error) => error);
    try {
      const [tokenText, jwkText] = await Promise.all([fetchText(data.jwt), fetchText(data.jwk)]);
      const token = tokenText.trim();
      const parts = token.split(".");
      if (parts.length !== 3) throw new Error("jeton mal formé");
      const header = decodeJson(parts[0]);
      if (header.alg !== "RS256") throw new Error("algorithme refusé : " + header.alg);
      const jwk = JSON.parse(jwkText);
      const key = await crypto.subtle.importKey(
        "jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true },
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
      const signed = new TextEncoder().encode(parts[0] + "." + parts[1]);
      const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, b64urlToBytes(parts[2]), signed);
      if (!ok) throw new Error("la signature ne correspond pas");
      const credential = decodeJson(parts[1]);
      const subject = credential.credentialSubject || {};
      const identifier = (subject.identifier || [])[0] || {};
      const same = credential.id === data.credentialId
        && (credential.issuer || {}).id === data.issuer
        && (subject.achievement || {}).name === data.name
        && credential.validFrom === data.validFrom
        && (credential.validUntil || null) === (data.validUntil || null)
        && identifier.identityHash === data.identityHash && identifier.salt === data.salt;
      if (!same) throw new Mismatch("la page ne correspond pas au badge signé");
      let revoked = null;
      let unreadable = "";
      const listed = await listText;
      try {
        if (listed instanceof Error) throw listed;
        const list = JSON.parse(listed);
        revoked = (list.revokedCredentials || []).find((r) => r.id === data.credentialId && r.revoked !== false) || null;
      } catch (error) {
        unreadable = error.message;
      }
      const elapsed = Math.round(performance.now() - started);
      const checked = "Revérifié à l'instant dans votre navigateur (" + elapsed + " ms) : signature de l'émetteur valide";
      const until = data.validUntil ? ", valable jusqu'au " + longDate(data.validUntil) : "";
      if (revoked) {
        // The page built as revoked already shows the reason; one revoked since shows it here.
        const reason = status.dataset.status === "revoked"
          ? "."
          : ". Motif : " + sentence(revoked.revocationReason || "non précisé");
        setVerdict("revoked", "Badge révoqué", checked + ", mais le badge figure dans sa liste de révocation" + reason, true);
      } else if (data.validUntil && new Date(data.validUntil) <= new Date()) {
        setVerdict("expired", "Badge expiré", checked + ", mais le badge a expiré le " + longDate(data.validUntil) + ".", true);
      } else if (unreadable) {
        // Genuine, but whether it was revoked since is unknown: not shown as valid.
        setVerdict("unchecked", "Badge authentique, révocation non vérifiée", checked + until + ", mais sa liste de révocation n'a pas pu être lue (" + unreadable + ") : rien ne dit ici s'il a été révoqué. Rechargez la page plus tard.", true);
      } else {
        setVerdict("valid", "Badge authentique et valide", checked + ", badge non révoqué" + (data.validUntil ? " et valable jusqu'au " + longDate(data.validUntil) : "") + ".", true);
      }
    } catch (error) {
      if (error instanceof Unreachable) {
        setVerdict("unchecked", "Vérification impossible", "Les fichiers signés de ce badge n'ont pas pu être chargés (" + error.message + "). Ne vous fiez pas à cette page avant de l'avoir vérifiée : rechargez-la une fois connecté, et vérifiez que son adresse est bien sur le site de l'émetteur.");
        return;
      }
      const title = error instanceof Mismatch ? "Page falsifiée" : "Signature invalide";
      setVerdict("invalid", title, "Ce badge n'a pas pu être vérifié : " + error.message + ". Ne vous y fiez pas.");
    }
  }

  async function checkOwner(event) {
    event.preventDefault();
    const result = document.getElementById("bdg-owner-result");
    const email = document.getElementById("bdg-email").value.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      result.textContent = "Saisissez une adresse e-mail complète.";
      result.className = "bdg-owner__result--no";
      return;
    }
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(email + data.salt));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    const yes = "sha256$" + hex === data.identityHash.toLowerCase();
    result.textContent = yes
      ? "Oui : ce badge a été délivré à cette adresse."
      : "Non : ce badge n'a pas été délivré à cette adresse.";
    result.className = yes ? "bdg-owner__result--yes" : "bdg-owner__result--no";
  }

  document.getElementById("bdg-owner-form").addEventListener("submit", checkOwner);
  const print = document.getElementById("bdg-print");
  if (print) print.addEventListener("click", () => window.print());
  checkSignature();
})();
