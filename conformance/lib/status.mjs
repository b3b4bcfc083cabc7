// Revocation check for the 1EdTech Revocation List Status Method
// (https://www.imsglobal.org/spec/vcrl/v1p0/), the `credentialStatus` type that Open Badges 3.0
// names. The verifier GETs `credentialStatus.id`; the answer is a list whose
// `revokedCredentials` holds objects with an `id`. The credential is revoked when its `id` is in
// that list and the entry's `revoked` is true or absent (as the 1EdTech validator reads it).
// @digitalbazaar/vc knows only Bitstring Status Lists, so this is checked here.

import {fetchJson} from './net.mjs';

export const REVOCATION_LIST_TYPE = '1EdTechRevocationList';

function credentialIssuerId(credential) {
  const {issuer} = credential;
  return typeof issuer === 'string' ? issuer : issuer?.id;
}

/**
 * Returns `{checked, revoked, type, listId, reason, error, warnings}` for every status entry of
 * the credential. An unknown status type or an unreachable list is an error, not a pass.
 */
export async function checkCredentialStatus(credential) {
  const entries = [].concat(credential.credentialStatus ?? []);
  const results = [];
  for(const entry of entries) {
    const result = {
      checked: false, revoked: null, type: entry?.type ?? null,
      listId: entry?.id ?? null, reason: null, error: null, warnings: []
    };
    results.push(result);
    if(entry?.type !== REVOCATION_LIST_TYPE) {
      result.error = `Unsupported credentialStatus type ${JSON.stringify(entry?.type)}`;
      continue;
    }
    if(typeof entry.id !== 'string') {
      result.error = 'credentialStatus.id must be the URL of the revocation list';
      continue;
    }
    try {
      const {document: list} = await fetchJson(entry.id);
      if(!Array.isArray(list.revokedCredentials)) {
        throw new Error(`${entry.id} has no "revokedCredentials" array`);
      }
      const issuerId = credentialIssuerId(credential);
      if(list.issuer !== undefined && list.issuer !== issuerId) {
        result.warnings.push(
          `Revocation list issuer ${JSON.stringify(list.issuer)} is not the ` +
          `credential's issuer ${JSON.stringify(issuerId)}`);
      }
      const match = list.revokedCredentials.find(item =>
        item && item.id === credential.id &&
        (item.revoked === undefined || item.revoked === true));
      result.checked = true;
      result.revoked = Boolean(match);
      result.reason = match?.revocationReason ?? null;
    } catch(error) {
      result.error = `Revocation list: ${error.message}`;
    }
  }
  return results;
}

/** Adapts the check to the `checkStatus` hook of @digitalbazaar/vc's verifyCredential. */
export function makeCheckStatus(sink) {
  return async ({credential}) => {
    const results = await checkCredentialStatus(credential);
    sink.push(...results);
    const failed = results.find(result => result.error || result.revoked);
    if(!failed) {
      return {verified: true};
    }
    const message = failed.error ??
      `Credential ${credential.id} is revoked` +
      (failed.reason ? ` (${failed.reason})` : '');
    return {verified: false, error: new Error(message)};
  };
}
