#!/usr/bin/env node
// Verifies Open Badges 3.0 credentials secured with a Data Integrity proof (eddsa-rdfc-2022)
// with Digital Bazaar's libraries, as an independent verifier would. One JSON line per input:
//   {input, verified, errors, warnings, credentialId, issuer, status, didDocuments}
// `verified` is true only when the proof verifies, the issuer controls the key (assertionMethod
// of its did:web document), `validFrom`/`validUntil` hold at `--now`, the Open Badges 3.0 shape
// checks pass and no status entry says revoked or fails to load.

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {emit, errorMessages, exitCode, loadInput, parseArguments} from './lib/cli.mjs';
import {createDocumentLoader, OPEN_BADGES_CONTEXTS} from './lib/loader.mjs';
import {makeCheckStatus} from './lib/status.mjs';

const USAGE = `usage: node verify-vc.mjs [--now ISO-8601] [--allow-remote] LIST.json|-
LIST is a JSON array of file paths or http(s) URLs of Open Badges 3.0 credentials (JSON).
Prints one JSON result per input; exits 0 when all verified, 1 otherwise, 2 on bad usage.`;

const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
// An EndorsementCredential (Open Badges 3.0, section 8.3) is checked like the others.
const OB_TYPES = ['OpenBadgeCredential', 'AchievementCredential', 'EndorsementCredential'];

/** Open Badges 3.0 requirements that a generic VC verifier does not check. */
function openBadgesShapeErrors(credential) {
  const errors = [];
  const contexts = [].concat(credential['@context'] ?? []);
  if(contexts[0] !== VC_V2_CONTEXT) {
    errors.push(`The first @context must be ${VC_V2_CONTEXT}`);
  }
  if(!contexts.some(context => OPEN_BADGES_CONTEXTS.includes(context))) {
    errors.push('@context names no Open Badges 3.0 context (purl.imsglobal.org/spec/ob/v3p0)');
  }
  const types = [].concat(credential.type ?? []);
  if(!types.includes('VerifiableCredential') ||
    !OB_TYPES.some(type => types.includes(type))) {
    errors.push(
      'type must include VerifiableCredential and OpenBadgeCredential ' +
      '(or AchievementCredential, or EndorsementCredential)');
  }
  return errors;
}

async function verifyOne(input, now) {
  const result = {
    input, verified: false, errors: [], warnings: [],
    credentialId: null, issuer: null, status: [], didDocuments: []
  };
  let credential;
  try {
    credential = JSON.parse(await loadInput(input, {accept: 'application/json'}));
  } catch(error) {
    result.errors.push(`Could not read the credential: ${error.message}`);
    return result;
  }
  if(!credential || typeof credential !== 'object' || Array.isArray(credential)) {
    result.errors.push('The credential is not a JSON object');
    return result;
  }
  result.credentialId = credential.id ?? null;
  result.issuer = typeof credential.issuer === 'string' ?
    credential.issuer : credential.issuer?.id ?? null;

  const {documentLoader, didResolver} = createDocumentLoader();
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const outcome = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus: makeCheckStatus(result.status),
    ...(now ? {now} : {})
  });
  result.didDocuments = didResolver.fetched;
  if(!outcome.verified) {
    result.errors.push(...errorMessages(outcome.error));
    for(const item of outcome.results ?? []) {
      if(!item.verified) {
        result.errors.push(...errorMessages(item.error));
      }
    }
    if(outcome.statusResult && !outcome.statusResult.verified) {
      result.errors.push(...errorMessages(outcome.statusResult.error));
    }
  }
  for(const entry of result.status) {
    result.warnings.push(...entry.warnings);
  }
  result.errors.push(...openBadgesShapeErrors(credential));
  result.errors = [...new Set(result.errors)];
  result.verified = outcome.verified === true && result.errors.length === 0;
  if(!result.verified && result.errors.length === 0) {
    result.errors.push('Verification failed without an error message');
  }
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
