#!/usr/bin/env node
// Verifies Open Badges 3.0 credentials secured as VC-JWTs (compact JWS, RS256) with `jose`,
// following Open Badges 3.0, section "JSON Web Token Proof Format" (Verify a Credential):
//   - the JOSE header holds only alg, kid, jwk and typ; alg is RS256 (pinned, never taken from
//     the token); typ, when present, is "JWT";
//   - the key is the JWK that `kid` dereferences to (a JWK, or a JWK Set in which the key's own
//     `kid` is the header's `kid` or its fragment), or else the header's `jwk`; it must be a
//     public RSA key;
//   - the payload is the credential (or, for VC 1.1 tokens, its `vc` claim); iss, sub, nbf and
//     jti are required and equal issuer.id, credentialSubject.id, validFrom and id (a missing
//     sub is only a warning when credentialSubject has no id, as there is nothing to repeat);
//     exp, when present, equals validUntil, and validUntil requires exp; nbf and exp are
//     checked at --now;
//   - a 1EdTechRevocationList credentialStatus is checked as for verify-vc.mjs.
// One JSON line per input: {input, verified, errors, warnings, credentialId, issuer, keyUrl,
// keySource, status}.

import {
  compactVerify, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify
} from 'jose';

import {emit, errorMessages, exitCode, loadInput, parseArguments} from './lib/cli.mjs';
import {didWebToUrl} from './lib/did-web.mjs';
import {fetchJson} from './lib/net.mjs';
import {checkCredentialStatus} from './lib/status.mjs';

const USAGE = `usage: node verify-jwt.mjs [--now ISO-8601] [--allow-remote] LIST.json|-
LIST is a JSON array of file paths or http(s) URLs whose content is a compact VC-JWT.
Prints one JSON result per input; exits 0 when all verified, 1 otherwise, 2 on bad usage.`;

const ALGORITHMS = ['RS256'];
const ALLOWED_HEADERS = new Set(['alg', 'kid', 'jwk', 'typ']);
const CLOCK_TOLERANCE_SECONDS = 300;

/** Finds the verification key the way Open Badges 3.0 says: `kid` first, then `jwk`. */
async function resolveKey(header, result) {
  if(typeof header.kid === 'string') {
    result.keyUrl = header.kid;
    const {document} = await fetchJson(header.kid);
    const fragment = new URL(header.kid).hash.slice(1);
    let jwk;
    if(typeof document.kty === 'string') {
      jwk = document;
      result.keySource = 'kid (JWK)';
    } else if(Array.isArray(document.keys)) {
      const matches = document.keys.filter(key =>
        key && (key.kid === header.kid || (fragment && key.kid === fragment)));
      if(matches.length !== 1) {
        throw new Error(
          `The JWK Set at ${header.kid} has ${matches.length} keys whose kid is ` +
          `${JSON.stringify(header.kid)}${fragment ? ` or ${JSON.stringify(fragment)}` : ''}`);
      }
      jwk = matches[0];
      result.keySource = 'kid (JWK Set)';
    } else {
      throw new Error(`${header.kid} is neither a JWK nor a JWK Set`);
    }
    if(header.jwk !== undefined) {
      result.warnings.push('The header has both kid and jwk; the key named by kid was used');
    }
    return jwk;
  }
  if(header.jwk && typeof header.jwk === 'object') {
    result.keySource = 'jwk header';
    result.warnings.push(
      'The key comes from the token itself (jwk header): nothing binds it to the issuer');
    return header.jwk;
  }
  throw new Error('The JOSE header has neither kid nor jwk');
}

function headerErrors(header) {
  const errors = [];
  const extra = Object.keys(header).filter(name => !ALLOWED_HEADERS.has(name));
  if(extra.length > 0) {
    errors.push(`JOSE header members not allowed by Open Badges 3.0: ${extra.join(', ')}`);
  }
  if(!ALGORITHMS.includes(header.alg)) {
    errors.push(`alg must be RS256, not ${JSON.stringify(header.alg)}`);
  }
  if(header.typ !== undefined && header.typ !== 'JWT') {
    errors.push(`typ must be "JWT" when present, not ${JSON.stringify(header.typ)}`);
  }
  return errors;
}

function seconds(dateTime) {
  const time = Date.parse(dateTime);
  return Number.isNaN(time) ? NaN : Math.floor(time / 1000);
}

/** The claim checks of "Verify a Credential VC-JWT Signature". */
function claimErrors(payload, credential) {
  const errors = [];
  const issuerId = typeof credential.issuer === 'string' ?
    credential.issuer : credential.issuer?.id;
  const subjects = [].concat(credential.credentialSubject ?? []);
  const expect = (claim, value, what) => {
    if(payload[claim] === undefined) {
      errors.push(`The ${claim} claim is required`);
    } else if(payload[claim] !== value) {
      errors.push(`The ${claim} claim ${JSON.stringify(payload[claim])} is not ${what} ` +
        `${JSON.stringify(value)}`);
    }
  };
  expect('iss', issuerId, 'issuer.id');
  if(subjects[0]?.id !== undefined || payload.sub !== undefined) {
    expect('sub', subjects[0]?.id, 'credentialSubject.id');
  }
  expect('jti', credential.id, 'id');
  expect('nbf', seconds(credential.validFrom), 'validFrom');
  if(credential.validUntil !== undefined || payload.exp !== undefined) {
    expect('exp', seconds(credential.validUntil), 'validUntil');
  }
  return errors;
}

function claimWarnings(payload, credential) {
  const subjects = [].concat(credential.credentialSubject ?? []);
  return subjects[0]?.id === undefined && payload.sub === undefined ?
    ['No sub claim: Open Badges 3.0 lists it as required, but credentialSubject has no id'] :
    [];
}

/** A warning when the key is not published next to the issuer's own documents. */
function bindingWarnings(keyUrl, issuerId) {
  if(!keyUrl || typeof issuerId !== 'string') {
    return [];
  }
  let issuerBase;
  try {
    issuerBase = issuerId.startsWith('did:web:') ?
      new URL('.', didWebToUrl(issuerId)).href : new URL(issuerId).origin + '/';
  } catch {
    return [`Cannot tell where the issuer ${issuerId} publishes its keys`];
  }
  return keyUrl.startsWith(issuerBase) ? [] :
    [`The key ${keyUrl} is not published under the issuer's ${issuerBase}`];
}

async function verifyOne(input, now) {
  const result = {
    input, verified: false, errors: [], warnings: [], credentialId: null, issuer: null,
    keyUrl: null, keySource: null, status: []
  };
  let token;
  let header;
  try {
    token = (await loadInput(input, {accept: 'application/jwt, text/plain'})).trim();
    header = decodeProtectedHeader(token);
  } catch(error) {
    result.errors.push(`Could not read the VC-JWT: ${error.message}`);
    return result;
  }
  result.errors.push(...headerErrors(header));
  let payload;
  try {
    const jwk = await resolveKey(header, result);
    if(jwk.d !== undefined) {
      throw new Error('The published JWK contains a private key ("d")');
    }
    if(jwk.kty !== 'RSA') {
      throw new Error(`The key must be an RSA key, not ${JSON.stringify(jwk.kty)}`);
    }
    const key = await importJWK(jwk, 'RS256');
    // The signature is checked first, on its own, so that a bad signature is reported as such
    // even when the claims are also wrong.
    await compactVerify(token, key, {algorithms: ALGORITHMS});
    ({payload} = await jwtVerify(token, key, {
      algorithms: ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      ...(now ? {currentDate: now} : {})
    }));
  } catch(error) {
    const prefix = error instanceof joseErrors.JOSEError ? `${error.code}: ` : '';
    result.errors.push(...errorMessages(error).map(message => prefix + message));
    return result;
  }
  let credential = payload;
  if(payload.vc && typeof payload.vc === 'object') {
    credential = payload.vc;
    result.warnings.push('The credential is in a "vc" claim (VC Data Model 1.1 form)');
  }
  result.credentialId = credential.id ?? null;
  result.issuer = typeof credential.issuer === 'string' ?
    credential.issuer : credential.issuer?.id ?? null;
  result.errors.push(...claimErrors(payload, credential));
  result.warnings.push(...claimWarnings(payload, credential));
  result.warnings.push(...bindingWarnings(result.keyUrl, result.issuer));
  result.status = await checkCredentialStatus(credential);
  for(const entry of result.status) {
    result.warnings.push(...entry.warnings);
    if(entry.error) {
      result.errors.push(entry.error);
    } else if(entry.revoked) {
      result.errors.push(`Credential ${credential.id} is revoked` +
        (entry.reason ? ` (${entry.reason})` : ''));
    }
  }
  result.verified = result.errors.length === 0;
  return result;
}

const {now, inputs} = await parseArguments(process.argv.slice(2), USAGE);
let allVerified = true;
for(const input of inputs) {
  let result;
  try {
    result = await verifyOne(input, now);
  } catch(error) {
    result = {input, verified: false, errors: [`Verifier crashed: ${error.stack}`], warnings: []};
  }
  allVerified = emit(result) && allVerified;
}
process.exitCode = exitCode(allVerified);
