// Badgeons "Vérifier un badge" page: read and verify any Open Badges 2.0 or 3.0 badge in the
// visitor's browser. Nothing the visitor drops, pastes or types is uploaded anywhere.
//
// The rules mirror build_tools/checker.py (the `badgeons verify` command) check for check, with
// the same names and the same verdicts:
// - Open Badges 3.0 with a Data Integrity proof (DataIntegrityProof, eddsa-rdfc-2022 only): the
//   credential and the proof configuration are canonicalised with RDFC-1.0 by the vendored
//   jsonld.js bundle (loaded only when needed, with the JSON-LD contexts from this site), each
//   hashed with SHA-256 (proof configuration first), and the Ed25519 signature is checked with
//   WebCrypto against the key of the issuer's did:web document (or its did:key);
// - Open Badges 3.0 as a VC-JWT, and Open Badges 2.0 signed assertions: compact JWS, RS256 only
//   (the token's header never chooses the algorithm), with the key the format designates;
// - Open Badges 2.0 hosted assertions: the badge must be the assertion its issuer serves;
// - then the validity dates, the issuer's revocation list and, if an address is given, the
//   salted hash of the recipient's email address.
// URLs below the site's own `site_url` are read from the origin that serves this page (so that
// the demo on 127.0.0.1 checks badges of badgeons.example.org); any other issuer's documents are
// fetched from its own site over HTTPS, as the page explains.
// Every message exists in French (verifier.html) and in English (en/verifier.html): the page's
// `lang` attribute chooses, and the French words stay those of `badgeons verify`.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("bdg-verifier-data").textContent);
  const $ = (id) => document.getElementById(id);
  const EN = document.documentElement.lang === "en";
  /** The French or the English words, by the page's language. */
  const say = (fr, en) => (EN ? en : fr);

  // Limits, as in build_tools/fetching.py and build_tools/signing.py.
  const MAX_BYTES = 5 * 1024 * 1024;
  const FETCH_TIMEOUT_MS = 15000;
  const MIN_RSA_BITS = 2048;

  const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const OB3_PNG_KEYWORD = "openbadgecredential";
  const OB2_PNG_KEYWORD = "openbadges";
  const SVG_NAMESPACE = "http://www.w3.org/2000/svg";
  const OB2_SVG_NAMESPACE = "http://openbadges.org";
  const OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0";

  const PROOF_TYPE = "DataIntegrityProof";
  const CRYPTOSUITE = "eddsa-rdfc-2022";
  const ED25519_MULTICODEC = [0xed, 0x01];
  const VC_JWT_HEADERS = ["alg", "kid", "jwk", "typ"];
  const JWT_CLAIMS = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

  const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:/;
  const DATE_TIME_STAMP =
    /^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
  const DATE_TIME = /^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/;
  const B64URL = /^[A-Za-z0-9_-]+$/;
  // The address rule of build_tools/identity.py.
  const EMAIL =
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

  // Errors. Each kind decides which check fails, as the Python exceptions do in checker.py.

  /** The input cannot be read as a badge (the "lecture" check). */
  class Unreadable extends Error {}
  /** A signature, key or claim check failed (the "signature" check). */
  class VerifyError extends Error {}
  /** A document could not be fetched; the message names its URL. */
  class FetchError extends Error {}
  /** This browser cannot make a check (an old one without Ed25519 in WebCrypto): not a verdict. */
  class Unsupported extends VerifyError {}
  /** The issuer's key could not be fetched: the signature is neither proven nor disproven. */
  class KeyUnreachable extends VerifyError {}

  /** Whether a failed check only means that a document was out of reach. */
  function unreachable(error) {
    return error instanceof KeyUnreachable || error instanceof FetchError;
  }

  // Bytes and encodings.

  const utf8 = new TextEncoder();

  function decodeUtf8(bytes, what) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (error) {
      throw new Unreadable(what + say(" : le texte n'est pas en UTF-8", ": the text is not UTF-8"));
    }
  }

  function bytesToBase64url(bytes) {
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function base64ToBytes(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  /** Strict base64url without padding, refused unless canonical (as signing._b64url_decode). */
  function base64urlToBytes(segment, part) {
    if (!B64URL.test(segment) || segment.length % 4 === 1) {
      throw new VerifyError(say("la partie « " + part + " » du JWS n'est pas du base64url sans remplissage", "the JWS " + part + " is not base64url without padding"));
    }
    const bytes = base64ToBytes(segment.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((segment.length + 3) % 4));
    if (bytesToBase64url(bytes) !== segment) {
      throw new VerifyError(say("la partie « " + part + " » du JWS n'est pas du base64url canonique", "the JWS " + part + " is not canonical base64url"));
    }
    return bytes;
  }

  const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  function base58btcDecode(text) {
    const digits = [];
    for (const char of text) {
      let carry = BASE58.indexOf(char);
      if (carry < 0) throw new VerifyError(say("caractère base58 invalide : « " + char + " »", "invalid base58 character: “" + char + "”"));
      for (let i = 0; i < digits.length; i++) {
        carry += digits[i] * 58;
        digits[i] = carry & 0xff;
        carry >>= 8;
      }
      while (carry > 0) {
        digits.push(carry & 0xff);
        carry >>= 8;
      }
    }
    let zeros = 0;
    while (zeros < text.length && text[zeros] === "1") zeros++;
    const out = new Uint8Array(zeros + digits.length);
    digits.reverse().forEach((byte, i) => (out[zeros + i] = byte));
    return out;
  }

  /** A multibase base58btc value ("z..."); every other multibase prefix is refused. */
  function multibaseDecode(value, what) {
    if (typeof value !== "string" || value.length < 2 || value[0] !== "z") {
      throw new VerifyError(what + say(" n'est pas une valeur multibase base58btc (« z… »)", " is not a multibase base58btc value (“z…”)"));
    }
    return base58btcDecode(value.slice(1));
  }

  function concatBytes(a, b) {
    const out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  async function sha256(text) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The JSON object inside bytes, or the given error. */
  function jsonObject(bytes, what, ErrorType) {
    let value;
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch (error) {
      throw new ErrorType(what + say(" n'est pas du JSON en UTF-8", " is not JSON in UTF-8"));
    }
    if (!isObject(value)) throw new ErrorType(what + say(" n'est pas un objet JSON", " is not a JSON object"));
    return value;
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  /** Deep equality of two JSON values (member order does not matter). */
  function sameJson(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) {
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
    }
    if (isObject(a) && isObject(b)) {
      const keys = Object.keys(a);
      return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
    }
    return a === b;
  }

  function idOf(value) {
    return isObject(value) ? value.id : value;
  }

  // Dates: parsed on purpose, written in words in the page's language.

  function parseTime(value) {
    if (typeof value !== "string" || !DATE_TIME.test(value)) return null;
    const time = Date.parse(value);
    return Number.isNaN(time) ? null : new Date(time);
  }

  function writtenDate(value) {
    const date = value instanceof Date ? value : parseTime(value);
    if (!date) return String(value);
    // "1 December 2026", as the English catalogue writes it.
    if (EN) return new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(date);
    // « 1er décembre », as the pages built by Badgeons write it.
    return new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "UTC" }).format(date)
      .replace(/^1 /, "1er ");
  }

  /** A text as the end of a sentence: with one full stop, whether or not it had its own. */
  function sentence(text) {
    return /[.!?…]$/.test(text) ? text : text + ".";
  }

  // Fetching: our own site from this page's origin, any other issuer over HTTPS.

  const fetched = [];

  /** The URL to fetch for an absolute URL of a badge (ours: relative to this page). */
  function fetchableUrl(url) {
    const prefixes = [data.siteUrl];
    // A did:web always resolves over HTTPS, even for a site_url in plain http (a local test).
    if (data.siteUrl.startsWith("http://")) prefixes.push("https://" + data.siteUrl.slice(7));
    for (const prefix of prefixes) {
      if (!url.startsWith(prefix)) continue;
      // A path of the built site: no empty, "." or ".." segment, no query, so that a crafted
      // identifier cannot lead this page's origin (or, with "//", another host) to answer for us.
      const path = url.slice(prefix.length).split("#")[0];
      const segments = path.split("/");
      if (/[?\\%]/.test(path) || segments.some((s, i) => s === "." || s === ".." || (s === "" && i < segments.length - 1))) {
        throw new FetchError(say("adresse refusée (chemin invalide) : ", "address refused (invalid path): ") + url);
      }
      return new URL(data.root + path, document.baseURI).href;
    }
    if (!url.startsWith("https://")) {
      throw new FetchError(say("adresse refusée (seules les adresses https:// sont suivies) : ", "address refused (only https:// addresses are followed): ") + url);
    }
    return url.split("#")[0];
  }

  async function fetchBytes(url) {
    const target = fetchableUrl(url);
    // The list shown to the visitor names each document by its address in the badge, and says
    // when a copy served by this page's own origin answered for it (a mirror, a local demo).
    fetched.push(target === url.split("#")[0] ? url : url + say(" (lu sur ce site : ", " (read from this site: ") + target + ")");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(target, {
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
        signal: controller.signal,
        headers: { Accept: "application/json, application/ld+json, */*" },
      });
    } catch (error) {
      throw new FetchError(url + say(" : le site ne répond pas, ou n'autorise pas la lecture depuis cette page", ": the site does not answer, or does not let this page read it"));
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw new FetchError(url + say(" : erreur HTTP ", ": HTTP error ") + response.status);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_BYTES) throw new FetchError(url + say(" : document trop gros", ": document too large"));
    return bytes;
  }

  async function fetchJson(url) {
    const bytes = await fetchBytes(url);
    try {
      return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch (error) {
      throw new FetchError(url + say(" n'est pas un document JSON", " is not a JSON document"));
    }
  }

  // The JSON-LD bundle, loaded the first time a Data Integrity proof is checked.

  let jsonldLoading = null;

  function loadJsonld() {
    if (!jsonldLoading) {
      jsonldLoading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = data.jsonld;
        script.integrity = data.jsonldIntegrity;
        script.onload = () => (window.BadgeonsJsonld ? resolve(window.BadgeonsJsonld) : reject(new Error(say("bundle vide", "empty bundle"))));
        script.onerror = () => {
          jsonldLoading = null;
          reject(new VerifyError(say("impossible de charger le module JSON-LD de cette page (", "cannot load the JSON-LD module of this page (") + data.jsonld + ")"));
        };
        document.head.appendChild(script);
      });
    }
    return jsonldLoading;
  }

  const contextCache = new Map();

  /** The document loader of jsonld.js: our own copies of the contexts, and nothing else. */
  async function documentLoader(url) {
    const path = data.contexts[url];
    if (!path) throw new VerifyError(say("contexte JSON-LD inconnu, refusé (aucun chargement par le réseau) : ", "unknown JSON-LD context, refused (nothing is loaded from the network): ") + url);
    if (!contextCache.has(url)) {
      contextCache.set(url, fetch(path, { credentials: "omit" }).then((r) => {
        if (!r.ok) throw new VerifyError(say("contexte JSON-LD " + url + " introuvable sur ce site", "JSON-LD context " + url + " not found on this site"));
        return r.json();
      }));
    }
    return { contextUrl: null, documentUrl: url, document: await contextCache.get(url) };
  }

  async function canonize(document) {
    const jsonld = await loadJsonld();
    try {
      return await jsonld.canonize(document, documentLoader);
    } catch (error) {
      throw jsonldError(error);
    }
  }

  /** A jsonld.js failure said in words: an unknown context, or what safe mode refused. */
  function jsonldError(error) {
    const details = (error && error.details) || {};
    if (error instanceof VerifyError) return error;
    if (details.cause instanceof VerifyError) return details.cause;
    const event = details.event;
    if (event) {
      const what = event.details || {};
      const named = what.property || what.type || what.id || what.language || "";
      const kinds = {
        "invalid property": say("terme non défini par les contextes du badge", "term not defined by the badge's contexts"),
        "relative @type reference": say("type non défini par les contextes du badge", "type not defined by the badge's contexts"),
        "relative @id reference": say("identifiant relatif", "relative identifier"),
        "relative @vocab reference": say("vocabulaire relatif", "relative vocabulary"),
      };
      return new VerifyError((kinds[event.code] || say("JSON-LD refusé (", "JSON-LD refused (") + event.code + ")") +
        (named ? say(" : ", ": ") + named : "") + say(" (un ajout non signé ?)", " (an unsigned addition?)"));
    }
    return new VerifyError(say("JSON-LD invalide : ", "invalid JSON-LD: ") + (error && error.message ? error.message : error));
  }

  // Reading what the visitor gave: a baked PNG or SVG, JSON, a compact JWS, or an address.

  const CRC_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    let crc = 0xffffffff;
    for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  /** The chunks of a PNG, checking the layout and every CRC (as bake._png_chunks). */
  function pngChunks(png) {
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    const chunks = [];
    let offset = PNG_SIGNATURE.length;
    while (offset < png.length) {
      if (offset + 12 > png.length) throw new Unreadable(say("PNG illisible : bloc tronqué à l'octet ", "unreadable PNG: chunk cut short at byte ") + offset);
      const length = view.getUint32(offset);
      const kind = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
      if (offset + 12 + length > png.length) throw new Unreadable(say("PNG illisible : le bloc " + kind + " dépasse la fin du fichier", "unreadable PNG: the " + kind + " chunk runs past the end of the file"));
      if (!/^[A-Za-z]{4}$/.test(kind)) throw new Unreadable(say("PNG illisible : type de bloc invalide à l'octet ", "unreadable PNG: invalid chunk type at byte ") + offset);
      const body = png.subarray(offset + 8, offset + 8 + length);
      if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) {
        throw new Unreadable(say("PNG illisible : somme de contrôle fausse dans le bloc ", "unreadable PNG: wrong checksum in the chunk ") + kind);
      }
      chunks.push({ kind, body });
      offset += 12 + length;
      if (kind === "IEND") break;
    }
    if (!chunks.length || chunks[0].kind !== "IHDR") throw new Unreadable(say("PNG illisible : pas de bloc IHDR en tête", "unreadable PNG: no IHDR chunk first"));
    if (chunks[chunks.length - 1].kind !== "IEND") throw new Unreadable(say("PNG illisible : pas de bloc IEND", "unreadable PNG: no IEND chunk"));
    if (offset !== png.length) throw new Unreadable(say("PNG illisible : données après le bloc IEND", "unreadable PNG: data after the IEND chunk"));
    return chunks;
  }

  /** The text of the first iTXt chunk with this keyword, or null (Open Badges baking). */
  function pngText(chunks, keyword) {
    const prefix = utf8.encode(keyword + "\0");
    for (const { kind, body } of chunks) {
      if (kind !== "iTXt" || body.length < prefix.length || !prefix.every((b, i) => body[i] === b)) continue;
      const rest = body.subarray(prefix.length);
      if (rest.length < 2) throw new Unreadable(say("PNG illisible : bloc iTXt tronqué", "unreadable PNG: iTXt chunk cut short"));
      if (rest[0] !== 0) throw new Unreadable(say("PNG illisible : bloc iTXt compressé (Open Badges l'interdit)", "unreadable PNG: compressed iTXt chunk (Open Badges forbids it)"));
      let start = 2;
      for (let field = 0; field < 2; field++) {
        const end = rest.indexOf(0, start);
        if (end < 0) throw new Unreadable(say("PNG illisible : bloc iTXt sans langue ni mot-clé traduit", "unreadable PNG: iTXt chunk without language or translated keyword"));
        start = end + 1;
      }
      return decodeUtf8(rest.subarray(start), say("PNG illisible", "unreadable PNG"));
    }
    return null;
  }

  /** The `verify` attribute and text of the first baked element of an SVG (as bake._read_svg). */
  function svgBaked(text) {
    if (/<!ENTITY/i.test(text)) throw new Unreadable(say("SVG refusé : les déclarations d'entités sont refusées", "SVG refused: entity declarations are refused"));
    const svg = new DOMParser().parseFromString(text, "image/svg+xml");
    if (svg.getElementsByTagName("parsererror").length) throw new Unreadable(say("SVG illisible : XML mal formé", "unreadable SVG: malformed XML"));
    const root = svg.documentElement;
    if (root.namespaceURI !== SVG_NAMESPACE || root.localName !== "svg") {
      throw new Unreadable(say("SVG illisible : l'élément racine n'est pas <svg>", "unreadable SVG: the root element is not <svg>"));
    }
    const found = [];
    for (const [namespace, local] of [[OB3_SVG_NAMESPACE, "credential"], [OB2_SVG_NAMESPACE, "assertion"]]) {
      const element = svg.getElementsByTagNameNS(namespace, local)[0];
      if (element) found.push({ verify: element.getAttribute("verify"), text: element.textContent.trim() });
    }
    return found;
  }

  function startsWithBytes(bytes, prefix) {
    return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
  }

  const NOT_A_BADGE = () => say("ni JSON, ni JWS, ni image PNG ou SVG", "neither JSON, nor JWS, nor a PNG or SVG image");

  /** What the input holds: {kind: "jws", content: token} or {kind: "json", content: document}. */
  async function unwrap(bytes, depth) {
    if (depth > 3) throw new Unreadable(say("trop de renvois d'une adresse à l'autre", "too many redirections from one address to another"));
    if (startsWithBytes(bytes, PNG_SIGNATURE)) {
      const chunks = pngChunks(bytes);
      for (const keyword of [OB3_PNG_KEYWORD, OB2_PNG_KEYWORD]) {
        const text = pngText(chunks, keyword);
        if (text !== null) return unwrap(utf8.encode(text), depth + 1);
      }
      throw new Unreadable(say("cette image PNG ne contient aucun badge (pas de bloc openbadges) : c'est peut-être seulement l'image du badge, sans le badge signé ; demandez le lien de sa page de vérification, son QR code ou l'image téléchargée depuis cette page",
        "this PNG image holds no badge (no openbadges chunk): it may be only the picture of the badge, without the signed badge; ask for the link to its verification page, its QR code, or the image downloaded from that page"));
    }
    const head = new TextDecoder("utf-8").decode(bytes.subarray(0, 2048)).replace(/^\uFEFF/, "").trimStart();
    if (head.startsWith("<svg") || head.startsWith("<?xml") || head.startsWith("<!--")) {
      for (const { verify, text } of svgBaked(decodeUtf8(bytes, say("SVG illisible", "unreadable SVG")))) {
        if (text) return unwrap(utf8.encode(text), depth + 1);
        if (verify) return unwrap(utf8.encode(verify), depth + 1);
      }
      throw new Unreadable(say("cette image SVG ne contient aucun badge : c'est peut-être seulement l'image du badge, sans le badge signé ; demandez le lien de sa page de vérification, son QR code ou l'image téléchargée depuis cette page",
        "this SVG image holds no badge: it may be only the picture of the badge, without the signed badge; ask for the link to its verification page, its QR code, or the image downloaded from that page"));
    }
    const text = decodeUtf8(bytes, NOT_A_BADGE()).replace(/^\uFEFF/, "").trim();
    if (text.startsWith("https://") || text.startsWith("http://")) {
      // The address of one of our verification pages (printed, or in a QR code) stands for its
      // Open Badges 3.0 credential.
      const page = /^(.*\/a\/[a-z2-7]{26})\.html$/.exec(text);
      const url = page && text.startsWith(data.siteUrl) ? page[1] + ".vc.json" : text;
      return unwrap(await fetchBytes(url), depth + 1);
    }
    if (text.startsWith("{")) {
      try {
        return { kind: "json", content: JSON.parse(text) };
      } catch (error) {
        throw new Unreadable(say("JSON invalide : ", "invalid JSON: ") + error.message);
      }
    }
    if (text.split(".").length === 3) return { kind: "jws", content: text };
    throw new Unreadable(NOT_A_BADGE());
  }

  /** The payload of a compact JWS, read unchecked, to choose how to check it. */
  function jwsPayload(token) {
    const part = token.split(".")[1] || "";
    let payload;
    try {
      payload = JSON.parse(decodeUtf8(base64ToBytes(part.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((part.length + 3) % 4)), "JWS"));
    } catch (error) {
      throw new Unreadable(say("JWS tronqué ou mal formé", "truncated or malformed JWS"));
    }
    if (!isObject(payload)) throw new Unreadable(say("JWS dont le contenu n'est pas un objet JSON", "JWS whose payload is not a JSON object"));
    return payload;
  }

  // The report: one entry per check, never "passed" when it could not be made.

  class Report {
    constructor() {
      this.format = say("inconnu", "unknown");
      this.badge = null;
      this.issuer = null;
      this.issuerName = null;
      this.issued = null;
      this.expires = null;
      this.id = null;
      this.identities = [];
      this.checks = [];
      this.unsupported = false;
      // Whether the validity check failed because the badge is not valid yet (not expired).
      this.notYet = false;
    }

    add(name, outcome, message, unsupported, outOfReach) {
      this.unsupported = this.unsupported || Boolean(unsupported);
      this.checks = this.checks.filter((check) => check.name !== name || name === "lecture");
      this.checks.push({ name, outcome, message, unreachable: Boolean(outOfReach) });
    }

    failed(name) {
      return this.checks.find((check) => check.name === name && check.outcome === "failed");
    }

    /** The verdict, in the order of checker.Report.verdict. */
    verdict() {
      if (!this.checks.length || this.failed("lecture")) return "unreadable";
      if (this.unsupported) return "unsupported";
      const signature = this.failed("signature");
      // A key out of reach proves nothing: "invalid" would call a genuine badge forged.
      if (signature) return signature.unreachable ? "unreachable" : "invalid";
      if (this.failed("révocation")) return "revoked";
      if (this.failed("validité")) return "expired";
      if (this.failed("destinataire")) return "recipient";
      return this.checks.some((check) => check.outcome === "failed") ? "invalid" : "valid";
    }
  }

  // Open Badges 3.0: keys of the issuer.

  /** The did:web DID document URL (did:web method; ``/.well-known`` for a bare host). */
  function didWebUrl(did) {
    let parts;
    try {
      parts = did.slice("did:web:".length).split("#")[0].split(":").map(decodeURIComponent);
    } catch (error) {
      throw new VerifyError(say("identifiant did:web mal formé : ", "malformed did:web identifier: ") + did);
    }
    const [host, ...path] = parts;
    return path.length ? "https://" + host + "/" + path.join("/") + "/did.json" : "https://" + host + "/.well-known/did.json";
  }

  function importEd25519(multibase) {
    const bytes = multibaseDecode(multibase, say("la clé publique", "the public key"));
    if (bytes.length !== 34 || bytes[0] !== ED25519_MULTICODEC[0] || bytes[1] !== ED25519_MULTICODEC[1]) {
      throw new VerifyError(say("une clé Ed25519 Multikey est le préfixe 0xed01 suivi de 32 octets", "an Ed25519 Multikey is the prefix 0xed01 followed by 32 bytes"));
    }
    return crypto.subtle.importKey("raw", bytes.subarray(2), { name: "Ed25519" }, false, ["verify"]).catch((error) => {
      if (error.name !== "NotSupportedError") throw new VerifyError(say("clé Ed25519 illisible (", "unreadable Ed25519 key (") + error.name + ")");
      throw new Unsupported(say("ce navigateur ne sait pas vérifier les signatures Ed25519 : utilisez un " +
        "navigateur récent, ou la commande badgeons verify",
        "this browser cannot check Ed25519 signatures: use a recent browser, or the badgeons verify command"));
    });
  }

  /** The Ed25519 key of a verification method, which must belong to the issuer. */
  async function resolveDidKey(method, issuerId) {
    const did = method.split("#")[0];
    if (did !== issuerId) throw new VerifyError(say("la clé " + method + " n'appartient pas à l'émetteur ", "the key " + method + " does not belong to the issuer ") + issuerId);
    if (did.startsWith("did:key:")) {
      const value = did.slice("did:key:".length);
      const fragment = method.includes("#") ? method.split("#")[1] : value;
      if (fragment !== value) throw new VerifyError(say("fragment de did:key incohérent", "inconsistent did:key fragment"));
      return importEd25519(value);
    }
    if (!did.startsWith("did:web:")) throw new VerifyError(say("méthode DID non prise en charge : ", "unsupported DID method: ") + did);
    let documentDid;
    try {
      documentDid = await fetchJson(didWebUrl(did));
    } catch (error) {
      throw new KeyUnreachable(say("document DID introuvable : ", "DID document not found: ") + error.message);
    }
    if (!isObject(documentDid) || documentDid.id !== did) throw new VerifyError(say("le document DID ne décrit pas cet identifiant", "the DID document does not describe this identifier"));
    const allowed = (Array.isArray(documentDid.assertionMethod) ? documentDid.assertionMethod : []).map(idOf);
    if (!allowed.includes(method)) {
      throw new VerifyError(say("la clé " + method + " n'est pas (ou plus) autorisée à signer (assertionMethod)", "the key " + method + " is not (or no longer) allowed to sign (assertionMethod)"));
    }
    for (const entry of Array.isArray(documentDid.verificationMethod) ? documentDid.verificationMethod : []) {
      if (isObject(entry) && entry.id === method) {
        if (entry.controller !== did) throw new VerifyError(say("la clé n'est pas contrôlée par l'émetteur", "the key is not controlled by the issuer"));
        return importEd25519(entry.publicKeyMultibase);
      }
    }
    throw new VerifyError(say("clé " + method + " absente du document DID", "key " + method + " missing from the DID document"));
  }

  /** Check an eddsa-rdfc-2022 proof (W3C Data Integrity EdDSA Cryptosuites, section 3.2). */
  async function verifyDataIntegrity(credential, issuerId, timing) {
    const proof = credential.proof;
    if (Array.isArray(proof)) throw new VerifyError(say("plusieurs preuves (proof set) : non pris en charge", "several proofs (proof set): not supported"));
    if (!isObject(proof)) throw new VerifyError(say("le document n'a pas de preuve", "the document has no proof"));
    if (proof.type !== PROOF_TYPE || proof.cryptosuite !== CRYPTOSUITE) {
      throw new VerifyError(say("preuve " + proof.type + "/" + proof.cryptosuite + " : seule " + PROOF_TYPE + "/" + CRYPTOSUITE + " est acceptée",
        "proof " + proof.type + "/" + proof.cryptosuite + ": only " + PROOF_TYPE + "/" + CRYPTOSUITE + " is accepted"));
    }
    if (proof.proofPurpose !== "assertionMethod") {
      throw new VerifyError(say("but de la preuve « " + proof.proofPurpose + " », « assertionMethod » attendu", "proof purpose “" + proof.proofPurpose + "”, “assertionMethod” expected"));
    }
    const method = proof.verificationMethod;
    if (typeof method !== "string" || !ABSOLUTE_IRI.test(method)) throw new VerifyError(say("verificationMethod doit être une adresse absolue", "verificationMethod must be an absolute address"));
    const signature = multibaseDecode(proof.proofValue, "proofValue");
    if (signature.length !== 64) throw new VerifyError(say("une signature Ed25519 a 64 octets, proofValue en a ", "an Ed25519 signature has 64 bytes, proofValue has ") + signature.length);
    if ("created" in proof && !(typeof proof.created === "string" && DATE_TIME_STAMP.test(proof.created))) {
      throw new VerifyError(say("la date « created » de la preuve est illisible", "the proof's “created” date is unreadable"));
    }
    if (proof["@context"] !== undefined) {
      const expected = [].concat(proof["@context"]);
      const actual = [].concat(credential["@context"]);
      if (!expected.every((context, i) => sameJson(context, actual[i]))) {
        throw new VerifyError(say("le @context de la preuve ne commence pas celui du document", "the proof's @context does not begin the document's"));
      }
    }
    const key = await resolveDidKey(method, issuerId);
    const started = performance.now();
    const unsecured = Object.fromEntries(Object.entries(credential).filter(([k]) => k !== "proof"));
    const config = Object.fromEntries(Object.entries(proof).filter(([k]) => k !== "proofValue"));
    config["@context"] = credential["@context"];
    const hashData = concatBytes(await sha256(await canonize(config)), await sha256(await canonize(unsecured)));
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, hashData);
    timing.signature = performance.now() - started;
    if (!ok) throw new VerifyError(say("la signature " + CRYPTOSUITE + " ne correspond pas : le badge a été modifié, ou n'a pas été signé par cette clé",
      "the " + CRYPTOSUITE + " signature does not match: the badge has been changed, or was not signed by this key"));
  }

  function describeOb3(report, credential) {
    const issuer = credential.issuer;
    const issuerId = String(idOf(issuer));
    const name = isObject(issuer) ? issuer.name : null;
    report.issuer = name ? name + " (" + issuerId + ")" : issuerId;
    report.issuerName = name || null;
    const achievement = (isObject(credential.credentialSubject) && credential.credentialSubject.achievement) || {};
    report.badge = achievement.name || credential.name || null;
    report.badgeId = achievement.id || null;
    report.issued = credential.validFrom || credential.issuanceDate || null;
    report.expires = credential.validUntil || credential.expirationDate || null;
    report.id = credential.id || null;
    return issuerId;
  }

  async function ob3DataIntegrity(report, credential, timing) {
    report.format = say("Open Badges 3.0, preuve Data Integrity eddsa-rdfc-2022", "Open Badges 3.0, Data Integrity proof eddsa-rdfc-2022");
    const issuerId = describeOb3(report, credential);
    try {
      await verifyDataIntegrity(credential, issuerId, timing);
      report.add("signature", "ok", say("preuve vérifiée avec la clé ", "proof verified with the key ") + credential.proof.verificationMethod);
    } catch (error) {
      if (!(error instanceof VerifyError || error instanceof FetchError)) throw error;
      report.add("signature", "failed", error.message, error instanceof Unsupported, unreachable(error));
    }
    await ob3Status(report, credential);
  }

  // Compact JWS, RS256 only (as signing.verify_jws).

  async function verifyJws(token, resolveKey) {
    if (token.length > MAX_BYTES) throw new VerifyError(say("le JWS est trop long", "the JWS is too long"));
    const parts = token.trim().split(".");
    if (parts.length !== 3) throw new VerifyError(say("un JWS compact a trois parties base64url séparées par des points", "a compact JWS has three base64url parts separated by dots"));
    const header = jsonObject(base64urlToBytes(parts[0], say("en-tête", "header")), say("l'en-tête du JWS", "the JWS header"), VerifyError);
    if (header.alg !== "RS256") throw new VerifyError(say("algorithme " + JSON.stringify(header.alg) + " refusé : seul RS256 est accepté", "algorithm " + JSON.stringify(header.alg) + " refused: only RS256 is accepted"));
    if ("crit" in header) throw new VerifyError(say("les en-têtes critiques (crit) ne sont pas pris en charge", "critical headers (crit) are not supported"));
    if (!parts[1] || !parts[2]) throw new VerifyError(say("le contenu ou la signature du JWS est vide", "the JWS payload or signature is empty"));
    const payload = base64urlToBytes(parts[1], say("contenu", "payload"));
    const signature = base64urlToBytes(parts[2], "signature");
    const key = await resolveKey(header);
    if (key.algorithm.modulusLength < MIN_RSA_BITS) {
      throw new VerifyError(say("clé RSA de " + key.algorithm.modulusLength + " bits, au moins " + MIN_RSA_BITS + " exigés",
        "RSA key of " + key.algorithm.modulusLength + " bits, at least " + MIN_RSA_BITS + " required"));
    }
    const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, utf8.encode(parts[0] + "." + parts[1]));
    if (!ok) throw new VerifyError(say("la signature RS256 ne correspond pas : le badge a été modifié, ou n'a pas été signé par cette clé",
      "the RS256 signature does not match: the badge has been changed, or was not signed by this key"));
    return { header, payload: jsonObject(payload, say("le contenu du JWS", "the JWS payload"), VerifyError) };
  }

  const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

  async function importRsaJwk(jwk) {
    if (!isObject(jwk) || jwk.kty !== "RSA" || typeof jwk.n !== "string" || typeof jwk.e !== "string") {
      throw new VerifyError(say("la clé publiée n'est pas une clé RSA au format JWK", "the published key is not an RSA key in JWK format"));
    }
    try {
      return await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true }, RSA, false, ["verify"]);
    } catch (error) {
      throw new VerifyError(say("clé RSA (JWK) illisible", "unreadable RSA key (JWK)"));
    }
  }

  async function importRsaPem(pem) {
    const match = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(String(pem));
    if (!match) throw new VerifyError(say("la clé publiée n'est pas une clé publique PEM (SubjectPublicKeyInfo)", "the published key is not a PEM public key (SubjectPublicKeyInfo)"));
    try {
      return await crypto.subtle.importKey("spki", base64ToBytes(match[1].replace(/\s+/g, "")), RSA, false, ["verify"]);
    } catch (error) {
      throw new VerifyError(say("clé RSA (PEM) illisible", "unreadable RSA key (PEM)"));
    }
  }

  /** The RSA key a VC-JWT's `kid` designates, which must be published by the issuer's site. */
  async function jwkFor(kid, issuerId) {
    const base = issuerId.startsWith("did:web:") ? didWebUrl(issuerId).replace(/\/[^/]*$/, "") : issuerId;
    let origin = "";
    try {
      origin = new URL(base).origin;
    } catch (error) {
      throw new VerifyError(say("émetteur sans adresse web : ", "issuer without a web address: ") + issuerId);
    }
    if (typeof kid !== "string" || !/^https?:\/\//.test(kid) || !kid.startsWith(origin + "/")) {
      throw new VerifyError(say("la clé " + kid + " n'est pas publiée par l'émetteur (", "the key " + kid + " is not published by the issuer (") + origin + ")");
    }
    let found = await fetchJson(kid);
    if (isObject(found) && Array.isArray(found.keys)) found = found.keys.find((k) => isObject(k) && k.kid === kid);
    if (!isObject(found)) throw new VerifyError(say("aucune clé JWK à l'adresse ", "no JWK key at the address ") + kid);
    return importRsaJwk(found);
  }

  /** The VC-JWT rules of Open Badges 3.0 section 8.2 (as signing.decode_vc_jwt, expiry apart). */
  function checkVcJwtClaims(header, payload) {
    const extra = Object.keys(header).filter((name) => !VC_JWT_HEADERS.includes(name));
    if (extra.length) throw new VerifyError(say("en-têtes JOSE non autorisés par Open Badges 3.0 : ", "JOSE headers not allowed by Open Badges 3.0: ") + extra.join(", "));
    if (!("kid" in header) && !("jwk" in header)) throw new VerifyError(say("l'en-tête JOSE doit porter kid ou jwk", "the JOSE header must carry kid or jwk"));
    if ("typ" in header && header.typ !== "JWT") throw new VerifyError(say("l'en-tête typ doit valoir « JWT »", "the typ header must be “JWT”"));
    const embedded = isObject(payload.vc);
    const credential = embedded
      ? payload.vc
      : Object.fromEntries(Object.entries(payload).filter(([k]) => !JWT_CLAIMS.includes(k)));
    const [start, end] = embedded ? ["issuanceDate", "expirationDate"] : ["validFrom", "validUntil"];
    for (const [claim, expected] of [["iss", idOf(credential.issuer)], ["sub", idOf(credential.credentialSubject)], ["jti", credential.id]]) {
      if (claim === "sub" && expected === undefined) {
        if ("sub" in payload) throw new VerifyError(say("revendication sub pour un sujet sans identifiant", "sub claim for a subject without an identifier"));
        continue;
      }
      if (!(claim in payload)) throw new VerifyError(say("le VC-JWT n'a pas de revendication " + claim, "the VC-JWT has no " + claim + " claim"));
      if (payload[claim] !== expected) throw new VerifyError(say("la revendication " + claim + " ne correspond pas au badge", "the " + claim + " claim does not match the badge"));
    }
    const seconds = (value) => (typeof value === "string" && DATE_TIME_STAMP.test(value) ? Date.parse(value) / 1000 : NaN);
    if (typeof payload.nbf !== "number") throw new VerifyError(say("le VC-JWT n'a pas de revendication nbf", "the VC-JWT has no nbf claim"));
    if (payload.nbf !== seconds(credential[start])) throw new VerifyError(say("la revendication nbf ne correspond pas à ", "the nbf claim does not match ") + start);
    if ("exp" in payload && end in credential && payload.exp !== seconds(credential[end])) {
      throw new VerifyError(say("la revendication exp ne correspond pas à ", "the exp claim does not match ") + end);
    }
  }

  async function ob3Jwt(report, token) {
    report.format = "Open Badges 3.0, VC-JWT (RS256)";
    const payload = jwsPayload(token);
    const credential = isObject(payload.vc) ? payload.vc : payload;
    const issuerId = describeOb3(report, credential);
    if (!report.expires && typeof payload.exp === "number") report.expires = new Date(payload.exp * 1000).toISOString();
    try {
      const verified = await verifyJws(token, (header) => jwkFor(header.kid, issuerId));
      checkVcJwtClaims(verified.header, verified.payload);
      report.add("signature", "ok", say("signature RS256 vérifiée avec la clé publiée par l'émetteur", "RS256 signature verified with the key the issuer publishes"));
    } catch (error) {
      if (!(error instanceof VerifyError || error instanceof FetchError)) throw error;
      report.add("signature", "failed", error.message, false, unreachable(error));
    }
    await ob3Status(report, credential);
  }

  // Validity, revocation and recipient.

  function validity(report, start, end) {
    const now = new Date();
    const begins = start ? parseTime(start) : null;
    const ends = end ? parseTime(end) : null;
    if ((start && !begins) || (end && !ends)) report.add("validité", "failed", say("dates illisibles", "unreadable dates"));
    else if (begins && begins > now) {
      report.notYet = true;
      report.add("validité", "failed", say("pas encore valide (à partir du ", "not valid yet (from ") + writtenDate(begins) + ")");
    } else if (ends && ends <= now) report.add("validité", "failed", say("expiré depuis le ", "expired on ") + writtenDate(ends));
    else report.add("validité", "ok", ends ? say("valide jusqu'au ", "valid until ") + writtenDate(ends) : say("sans date d'expiration", "no expiry date"));
  }

  async function ob3Status(report, credential) {
    validity(report, credential.validFrom || credential.issuanceDate, credential.validUntil || credential.expirationDate);
    const status = credential.credentialStatus;
    if (!status) {
      report.add("révocation", "warning", say("aucune liste de révocation déclarée par l'émetteur", "no revocation list declared by the issuer"));
    } else if (isObject(status) && status.type === "1EdTechRevocationList") {
      try {
        const listing = await fetchJson(String(status.id));
        const revoked = (Array.isArray(listing.revokedCredentials) ? listing.revokedCredentials : []).filter(
          (entry) => isObject(entry) && entry.id === credential.id && (entry.revoked === undefined || entry.revoked)
        );
        if (revoked.length) report.add("révocation", "failed", say("révoqué — motif : ", "revoked — reason: ") + (revoked[0].revocationReason || say("non précisé", "not given")));
        else report.add("révocation", "ok", say("absent de la liste de révocation de l'émetteur", "not on the issuer's revocation list"));
      } catch (error) {
        report.add("révocation", "warning", say("liste de révocation illisible : ", "unreadable revocation list: ") + error.message);
      }
    } else {
      report.add("révocation", "warning", say("méthode de statut ", "status method ") + (isObject(status) ? status.type : "?") + say(" non vérifiée", " not checked"));
    }
    const subject = isObject(credential.credentialSubject) ? credential.credentialSubject : {};
    report.identities = (Array.isArray(subject.identifier) ? subject.identifier : [])
      .filter((i) => isObject(i) && i.identityType === "emailAddress")
      .map((i) => ({ identity: i.identityHash, salt: i.salt, hashed: i.hashed }));
    await recipient(report, $("bdg-email").value);
  }

  /** Compare an address with the badge's identities: sha256/sha512 of the address + salt. */
  async function recipient(report, email) {
    if (!email.trim()) {
      report.add("destinataire", "warning", say("non vérifié : saisissez l'adresse e-mail de la personne pour le vérifier", "not checked: enter the person's email address to check it"));
      return;
    }
    const wanted = email.trim().toLowerCase();
    if (wanted.length > 254 || !EMAIL.test(wanted)) {
      report.add("destinataire", "failed", say("adresse e-mail invalide : « " + email.trim() + " »", "invalid email address: “" + email.trim() + "”"));
      return;
    }
    for (const { identity, salt, hashed } of report.identities) {
      if (typeof identity !== "string") continue;
      if (!hashed) {
        if (identity.trim().toLowerCase() === wanted) return report.add("destinataire", "ok", say("délivré à cette adresse", "issued to this address"));
        continue;
      }
      const [algorithm, digest] = identity.split("$", 2);
      const name = { sha256: "SHA-256", sha512: "SHA-512" }[algorithm.toLowerCase()];
      if (!name || !digest) continue;
      const computed = hex(await crypto.subtle.digest(name, utf8.encode(wanted + (salt || ""))));
      if (computed === digest.toLowerCase()) return report.add("destinataire", "ok", say("délivré à cette adresse", "issued to this address"));
    }
    report.add("destinataire", "failed", say("ce badge n'a pas été délivré à cette adresse", "this badge was not issued to this address"));
  }

  // Open Badges 2.0.

  async function linked(value) {
    const document = typeof value === "string" ? await fetchJson(value) : value;
    if (!isObject(document)) throw new FetchError(say("document lié illisible", "unreadable linked document"));
    return document;
  }

  /** Fetch the badge class and issuer of a 2.0 assertion, and name them in the report. */
  async function ob2Context(report, assertion) {
    const badge = await linked(assertion.badge);
    const issuer = await linked(badge.issuer);
    report.badge = badge.name || null;
    report.badgeId = badge.id || null;
    report.issuer = issuer.name + " (" + issuer.id + ")";
    report.issuerName = issuer.name || null;
    return issuer;
  }

  async function ob2Status(report, assertion) {
    report.issued = assertion.issuedOn || null;
    report.expires = assertion.expires || null;
    validity(report, assertion.issuedOn, assertion.expires);
    const person = isObject(assertion.recipient) ? assertion.recipient : {};
    report.identities = (person.type || "email") === "email" ? [{ identity: person.identity, salt: person.salt, hashed: person.hashed }] : [];
    await recipient(report, $("bdg-email").value);
  }

  async function ob2Hosted(report, assertion) {
    report.format = say("Open Badges 2.0, assertion hébergée", "Open Badges 2.0, hosted assertion");
    const url = String(assertion.id || "");
    report.id = url;
    let hosted;
    try {
      hosted = await fetchJson(url);
    } catch (error) {
      report.add("signature", "failed", say("l'assertion n'est pas servie à son adresse : ", "the assertion is not served at its address: ") + error.message, false, true);
      return;
    }
    const withoutStatus = (value) =>
      isObject(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== "revoked" && k !== "revocationReason")) : value;
    if (!sameJson(withoutStatus(hosted), withoutStatus(assertion))) {
      report.add("signature", "failed", say("le badge ne correspond pas à l'assertion servie par l'émetteur (modifié ?)", "the badge does not match the assertion the issuer serves (changed?)"));
      return;
    }
    const issuer = await ob2Context(report, hosted);
    const host = (address) => {
      try {
        return new URL(address).host;
      } catch (error) {
        return null;
      }
    };
    const sameSite = host(url) !== null && host(url) === host(String(issuer.id || ""));
    report.add("signature", sameSite ? "ok" : "failed", sameSite
      ? say("assertion servie par le site de l'émetteur", "assertion served by the issuer's site")
      : say("assertion servie hors du site de l'émetteur", "assertion served outside the issuer's site"));
    if (hosted.revoked) report.add("révocation", "failed", say("révoqué — motif : ", "revoked — reason: ") + (hosted.revocationReason || say("non précisé", "not given")));
    else report.add("révocation", "ok", say("l'émetteur ne l'a pas révoqué", "the issuer has not revoked it"));
    await ob2Status(report, hosted);
  }

  async function ob2Signed(report, token, payload) {
    report.format = say("Open Badges 2.0, assertion signée (JWS RS256)", "Open Badges 2.0, signed assertion (JWS RS256)");
    report.id = payload.id || null;
    const creator = String((isObject(payload.verification) && payload.verification.creator) || "");
    const issuer = await ob2Context(report, payload);
    try {
      // Nothing to fetch: the badge itself is malformed, not out of reach.
      if (!/^https?:\/\//.test(creator)) throw new VerifyError(say("l'assertion ne désigne pas la clé qui l'a signée (verification.creator)", "the assertion does not name the key that signed it (verification.creator)"));
      const key = await fetchJson(creator);
      const declared = [].concat(issuer.publicKey);
      if (!declared.includes(creator)) throw new VerifyError(say("la clé n'est pas déclarée dans le profil de l'émetteur", "the key is not declared in the issuer's profile"));
      if (!isObject(key) || key.owner !== issuer.id) throw new VerifyError(say("la clé n'appartient pas à l'émetteur", "the key does not belong to the issuer"));
      const publicKey = await importRsaPem(key.publicKeyPem);
      await verifyJws(token, () => publicKey);
      report.add("signature", "ok", say("signature RS256 vérifiée avec la clé ", "RS256 signature verified with the key ") + creator);
    } catch (error) {
      if (!(error instanceof VerifyError || error instanceof FetchError)) throw error;
      report.add("signature", "failed", error.message, false, unreachable(error));
    }
    try {
      const listing = issuer.revocationList ? await linked(issuer.revocationList) : {};
      const revoked = (Array.isArray(listing.revokedAssertions) ? listing.revokedAssertions : []).filter(
        (entry) => idOf(entry) === payload.id
      );
      if (revoked.length) {
        report.add("révocation", "failed", say("révoqué — motif : ", "revoked — reason: ") + ((isObject(revoked[0]) && revoked[0].revocationReason) || say("non précisé", "not given")));
      } else if (Object.keys(listing).length) {
        report.add("révocation", "ok", say("absent de la liste de révocation de l'émetteur", "not on the issuer's revocation list"));
      } else {
        report.add("révocation", "warning", say("l'émetteur ne publie pas de liste de révocation", "the issuer publishes no revocation list"));
      }
    } catch (error) {
      if (!(error instanceof FetchError)) throw error;
      report.add("révocation", "warning", say("liste de révocation illisible : ", "unreadable revocation list: ") + error.message);
    }
    await ob2Status(report, payload);
  }

  /** Check a badge and return the report; a bad badge never throws (as checker.verify). */
  async function verify(bytes) {
    const report = new Report();
    const timing = { signature: null };
    fetched.length = 0;
    try {
      const { kind, content } = await unwrap(bytes, 0);
      if (kind === "jws") {
        const payload = jwsPayload(content);
        if (payload.type === "Assertion" || "verification" in payload) await ob2Signed(report, content, payload);
        else await ob3Jwt(report, content);
      } else if (isObject(content) && "proof" in content) {
        await ob3DataIntegrity(report, content, timing);
      } else if (isObject(content) && content.type === "Assertion") {
        await ob2Hosted(report, content);
      } else if (isObject(content) && "credentialSubject" in content) {
        report.format = say("Open Badges 3.0 (sans preuve)", "Open Badges 3.0 (no proof)");
        describeOb3(report, content);
        report.add("signature", "failed", say("le credential ne porte aucune preuve : il n'est pas vérifiable", "the credential carries no proof: it cannot be verified"));
      } else {
        report.add("lecture", "failed", say("ce document n'est pas un badge Open Badges 2.0 ou 3.0", "this document is not an Open Badges 2.0 or 3.0 badge"));
      }
    } catch (error) {
      if (error instanceof Unreadable || error instanceof FetchError || error instanceof VerifyError) {
        report.add("lecture", "failed", error.message);
      } else {
        report.add("lecture", "failed", say("erreur inattendue : ", "unexpected error: ") + (error && error.message ? error.message : error));
      }
    }
    report.fetched = fetched.slice();
    return { report, timing };
  }

  // The page: status first, in words and with an icon, then the facts and every check.

  const VERDICTS = {
    valid: ["valid", "✓", say("Badge authentique et valide", "Genuine and valid badge")],
    revoked: ["revoked", "✗", say("Badge révoqué", "Badge revoked")],
    expired: ["expired", "!", say("Badge expiré", "Badge expired")],
    invalid: ["invalid", "✗", say("Signature invalide", "Invalid signature")],
    recipient: ["invalid", "✗", say("Badge délivré à une autre adresse", "Badge issued to another address")],
    unreadable: ["unreadable", "?", say("Badge illisible", "Unreadable badge")],
    unsupported: ["unreadable", "?", say("Vérification impossible dans ce navigateur", "Cannot verify in this browser")],
    // As on the badges' own pages (verify.js): amber, since nothing was proven either way.
    unreachable: ["unchecked", "?", say("Vérification impossible", "Could not verify")],
  };
  const NOT_YET = say("Badge pas encore valide", "Badge not valid yet");
  // The checks keep their French names in the report (as checker.py); these are the words shown.
  const CHECK_NAMES = {
    lecture: say("Lecture du badge", "Reading the badge"),
    signature: say("Signature et émetteur", "Signature and issuer"),
    révocation: say("Révocation", "Revocation"),
    validité: say("Dates de validité", "Validity dates"),
    destinataire: say("Destinataire", "Recipient"),
  };
  const OUTCOMES = {
    ok: ["✓", say("réussi", "passed")],
    failed: ["✗", say("échec", "failed")],
    warning: ["!", say("attention", "warning")],
  };

  const result = $("bdg-result");
  const live = $("bdg-live");
  let last = null;

  function setText(id, text) {
    $(id).textContent = text;
  }

  /** The sentence under the verdict: who issued the badge, or which check failed and why. */
  function summary(report, verdict) {
    const failed = report.checks.find((check) => check.outcome === "failed");
    const issuer = report.issuerName || report.issuer || say("l'émetteur", "the issuer");
    const revocation = report.checks.find((check) => check.name === "révocation");
    const message = failed ? failed.message : "";
    switch (verdict) {
      case "valid":
        return say("Délivré par ", "Issued by ") + issuer +
          (report.issued ? say(" le ", " on ") + writtenDate(report.issued) : "") +
          (report.expires ? say(", valable jusqu'au ", ", valid until ") + writtenDate(report.expires) : "") +
          (revocation && revocation.outcome === "ok"
            ? say(". Il est authentique et n'a pas été révoqué.", ". It is genuine and has not been revoked.")
            : say(". Il est authentique ; sa révocation n'a pas pu être vérifiée (voir ci-dessous).",
              ". It is genuine; its revocation could not be checked (see below)."));
      case "revoked":
        return say("Le badge est authentique, mais " + issuer + " a révoqué ce badge. Motif : ",
          "The badge is genuine, but " + issuer + " has revoked it. Reason: ") +
          sentence(message.replace(say(/^révoqué — motif : /, /^revoked — reason: /), ""));
      case "expired":
        return say("Le badge est authentique, mais il " + (report.notYet ? "n'est " : "est "),
          "The badge is genuine, but it " + (report.notYet ? "is " : "")) + message + ".";
      case "recipient":
        return say("Le badge est authentique, mais ", "The badge is genuine, but ") + message + ".";
      case "unsupported":
        return message.charAt(0).toUpperCase() + message.slice(1) +
          say(". Cela ne dit rien du badge lui-même.", ". This says nothing about the badge itself.");
      case "unreadable":
        return say("Impossible de lire un badge dans ce que vous avez donné : ", "No badge could be read in what you gave: ") + message + ".";
      case "unreachable":
        return say("Un document de l'émetteur n'a pas pu être lu (", "A document of the issuer could not be read (") +
          report.failed("signature").message +
          say("). Le badge n'est ni confirmé ni réfuté : réessayez plus tard, et ne vous y fiez pas tant qu'il n'a pas été vérifié.",
            "). The badge is neither confirmed nor disproved: try again later, and do not rely on it until it has been verified.");
      default:
        return say("Contrôle en échec (", "Failed check (") + CHECK_NAMES[failed.name] + say(") : ", "): ") + message +
          say(". Ne vous fiez pas à ce badge.", ". Do not rely on this badge.");
    }
  }

  function render(report, timing, elapsed) {
    let verdict = report.verdict();
    const [kind, icon, title] = VERDICTS[verdict];
    const notYet = verdict === "expired" && report.notYet;
    result.hidden = false;
    result.removeAttribute("aria-busy");
    result.dataset.verdict = verdict;
    result.dataset.elapsedMs = String(Math.round(elapsed));
    result.dataset.signatureMs = timing.signature === null ? "" : String(Math.round(timing.signature));
    $("bdg-status").className = "bdg-status bdg-status--" + kind;
    setText("bdg-status-icon", icon);
    setText("bdg-status-title", notYet ? NOT_YET : title);
    setText("bdg-status-detail", summary(report, verdict));
    const facts = [
      ["bdg-fact-badge", report.badge],
      ["bdg-fact-issuer", report.issuer],
      ["bdg-fact-format", report.format],
      ["bdg-fact-issued", report.issued ? writtenDate(report.issued) : null],
      ["bdg-fact-expires", report.expires ? writtenDate(report.expires) : report.checks.length > 1 ? say("jamais", "never") : null],
      ["bdg-fact-id", report.id],
    ];
    for (const [id, value] of facts) setText(id, value || "—");
    // What a forged or unreadable file claims is shown as such, never as the badge's facts.
    const trusted = !["invalid", "unreadable", "unsupported", "unreachable"].includes(verdict);
    setText("bdg-facts-title", trusted
      ? say("Le badge", "The badge")
      : say("Ce que dit le fichier (rien n'en est garanti)", "What the file says (none of it is guaranteed)"));
    $("bdg-facts").hidden = $("bdg-facts-title").hidden = verdict === "unreadable";
    // A genuine badge of this site: its own page (in French) shows the criteria and the endorsements.
    const ours = trusted && typeof report.id === "string" && report.id.startsWith(data.siteUrl)
      ? /^a\/([a-z2-7]{26})\.(?:vc\.json|json)$/.exec(report.id.slice(data.siteUrl.length))
      : null;
    $("bdg-page-link").hidden = !ours;
    if (ours) $("bdg-page-link").querySelector("a").href = data.root + "a/" + ours[1] + ".html";
    // And its badge class in the catalogue, in the page's language: what the badge certifies.
    const badgeClass = ours && typeof report.badgeId === "string" && report.badgeId.startsWith(data.siteUrl)
      ? /^badges\/([a-z0-9]+(?:-[a-z0-9]+)*)\/v[^/]+\//.exec(report.badgeId.slice(data.siteUrl.length))
      : null;
    $("bdg-class-link").hidden = !badgeClass;
    if (badgeClass) $("bdg-class-link").querySelector("a").href = data.root + say("", "en/") + "badges/" + badgeClass[1] + ".html";
    const list = $("bdg-checks");
    list.replaceChildren();
    for (const check of report.checks) {
      const [mark, word] = check.unreachable ? ["?", say("impossible", "not checked")] : OUTCOMES[check.outcome];
      const item = document.createElement("li");
      // A check out of reach proved nothing: marked like a warning, not like a failure.
      item.className = "bdg-check bdg-check--" + (check.unreachable ? "warning" : check.outcome);
      item.dataset.check = check.name;
      item.dataset.outcome = check.outcome;
      const badge = document.createElement("span");
      badge.className = "bdg-check__mark";
      badge.textContent = mark + " " + word;
      const name = document.createElement("strong");
      name.textContent = CHECK_NAMES[check.name] || check.name;
      item.append(badge, " ", name, say(" : ", ": ") + check.message);
      list.append(item);
    }
    const sources = $("bdg-sources");
    sources.replaceChildren(...report.fetched.map((url) => Object.assign(document.createElement("li"), { textContent: url })));
    $("bdg-sources-box").hidden = !report.fetched.length;
    const signature = timing.signature === null
      ? ""
      : say(" dont ", " including ") + Math.round(timing.signature) + say(" ms pour la signature Data Integrity", " ms for the Data Integrity signature");
    setText("bdg-timing", say("Vérifié dans votre navigateur en ", "Verified in your browser in ") + Math.round(elapsed) + " ms" + signature +
      say(". Rien n'a été envoyé.", ". Nothing was sent."));
    live.textContent = say("Vérification terminée : ", "Verification finished: ") + (notYet ? NOT_YET : title) + ".";
  }

  async function run(bytes, label, image) {
    result.setAttribute("aria-busy", "true");
    delete result.dataset.verdict;
    live.textContent = say("Vérification de " + label + " en cours…", "Verifying " + label + "…");
    const preview = $("bdg-preview");
    if (preview.src) URL.revokeObjectURL(preview.src);
    if (image) preview.src = URL.createObjectURL(image);
    else preview.removeAttribute("src");
    preview.hidden = !image;
    const started = performance.now();
    const { report, timing } = await verify(bytes);
    last = { report, timing, elapsed: performance.now() - started };
    render(report, timing, last.elapsed);
    $("bdg-status-title").focus();
  }

  async function readFile(file) {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      live.textContent = say("Fichier trop volumineux (plus de 5 Mo) : ce n'est pas un badge.", "File too large (over 5 MB): it is not a badge.");
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const image = startsWithBytes(bytes, PNG_SIGNATURE) || /\.svg$/i.test(file.name) ? file : null;
    await run(bytes, say("« " + file.name + " »", "“" + file.name + "”"), image);
  }

  if (!window.crypto || !window.crypto.subtle) {
    live.textContent = say("Ce navigateur ne sait pas vérifier les signatures (WebCrypto indisponible : page servie hors HTTPS ?).",
      "This browser cannot check signatures (WebCrypto unavailable: page served without HTTPS?).");
    return;
  }

  $("bdg-file").addEventListener("change", (event) => readFile(event.target.files[0]));

  // The whole page accepts a dropped file, so that a near miss does not open the file instead.
  const zone = $("bdg-drop");
  document.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("bdg-drop--over");
  });
  document.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget) zone.classList.remove("bdg-drop--over");
  });
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("bdg-drop--over");
    const file = event.dataTransfer.files[0];
    if (file) readFile(file);
    else {
      const text = event.dataTransfer.getData("text/plain");
      if (text) {
        $("bdg-text").value = text;
        run(utf8.encode(text), say("le texte déposé", "the dropped text"), null);
      }
    }
  });

  $("bdg-paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("bdg-text").value.trim();
    if (!text) {
      live.textContent = say("Collez d'abord un badge : JSON, VC-JWT, JWS ou adresse.", "Paste a badge first: JSON, VC-JWT, JWS or address.");
      $("bdg-text").focus();
      return;
    }
    run(utf8.encode(text), say("le texte collé", "the pasted text"), null);
  });

  $("bdg-email-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!last) {
      live.textContent = say("L'adresse sera comparée au badge dès que vous l'aurez déposé ou collé.", "The address will be compared with the badge as soon as you drop or paste it.");
      return;
    }
    if (last.report.failed("lecture")) {
      live.textContent = say("Aucun badge lisible à qui comparer l'adresse.", "No readable badge to compare the address with.");
      return;
    }
    await recipient(last.report, $("bdg-email").value);
    render(last.report, last.timing, last.elapsed);
    const check = last.report.checks.find((c) => c.name === "destinataire");
    live.textContent = say("Destinataire : ", "Recipient: ") + check.message + ".";
  });

  // A link may name the badge to check: verifier.html?url=<address>, as each verification page
  // does for its English readers. An address of this site is checked at once; any other is
  // only written in the box, so that a link cannot make this site vouch for another's badge
  // without the visitor asking.
  const named = new URLSearchParams(window.location.search).get("url");
  if (named) {
    $("bdg-text").value = named;
    if (named.startsWith(data.siteUrl)) {
      run(utf8.encode(named), say("le badge du lien", "the linked badge"), null);
    } else {
      live.textContent = say("Le lien propose un badge d'un autre site : vérifiez-le avec le bouton « Vérifier le texte collé » si vous le souhaitez.",
        "The link names a badge of another site: check it with the “Verify the pasted text” button if you wish.");
    }
  }
})();
