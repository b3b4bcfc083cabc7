// Network access for the verifiers: HTTPS (or HTTP) GET only, bounded in time and size, and by
// default only to loopback hosts, so that a conformance run can never reach the outside world.
// The test CA is trusted through NODE_EXTRA_CA_CERTS, which Node's fetch honours.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const DEFAULT_TIMEOUT_MS = 15000;
const MAX_BYTES = 8 * 1024 * 1024;

let allowRemote = process.env.BADGEONS_CONFORMANCE_ALLOW_REMOTE === '1';

/** Lets the verifiers reach hosts other than loopback (never used by the test suite). */
export function setAllowRemote(value) {
  allowRemote = Boolean(value);
}

function isLoopback(hostname) {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Fetches `url` and returns `{url, status, contentType, text}`; throws on a refused host, a
 * non-2xx status, a time-out or an oversized body. Redirects are not followed: a verifier must
 * see exactly what the site publishes at that URL.
 */
export async function fetchText(url, {accept = '*/*', timeoutMs = DEFAULT_TIMEOUT_MS} = {}) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Not a URL: ${url}`);
  }
  if(parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`Only http(s) URLs can be fetched: ${url}`);
  }
  if(!allowRemote && !isLoopback(parsed.hostname)) {
    throw new Error(
      `Refusing to fetch ${url}: only loopback hosts are allowed (offline run)`);
  }
  parsed.hash = '';
  let response;
  try {
    response = await fetch(parsed, {
      headers: {accept},
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs)
    });
  } catch(error) {
    const cause = error.cause ? `: ${error.cause.code || error.cause.message}` : '';
    throw new Error(`Could not fetch ${parsed.href} (${error.message}${cause})`);
  }
  if(response.status < 200 || response.status > 299) {
    throw new Error(`Fetching ${parsed.href} returned HTTP ${response.status}`);
  }
  const buffer = await response.arrayBuffer();
  if(buffer.byteLength > MAX_BYTES) {
    throw new Error(`${parsed.href} is larger than ${MAX_BYTES} bytes`);
  }
  return {
    url: parsed.href,
    status: response.status,
    contentType: response.headers.get('content-type') || '',
    text: new TextDecoder('utf-8', {fatal: true}).decode(buffer)
  };
}

/** Fetches `url` and parses its body as JSON, naming the URL in any error. */
export async function fetchJson(url, options = {}) {
  const {text, contentType} = await fetchText(url, {
    accept: 'application/ld+json, application/json', ...options
  });
  try {
    return {document: JSON.parse(text), contentType};
  } catch(error) {
    throw new Error(`${url} is not JSON (${error.message})`);
  }
}
