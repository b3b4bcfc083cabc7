#!/usr/bin/env node
// Signs test fixtures with the external libraries themselves, with a fresh key each run, so that
// the conformance harness can be proven (a good credential verifies, a tampered one does not)
// independently of Badgeons' own signer. Private keys are never written anywhere.
//
//   node sign-fixture.mjs di  --credential IN.json --did DID --key KEY --out-dir DIR
//     writes DIR/credential.json (eddsa-rdfc-2022 DataIntegrityProof, verification method
//     DID#KEY) and DIR/did.json (a DID document with that Multikey as its assertionMethod).
//   node sign-fixture.mjs jwt --credential IN.json --kid URL --out-dir DIR
//     writes DIR/credential.jwt (an Open Badges 3.0 VC-JWT, RS256, header kid URL),
//     DIR/jwk.json (the public key as a JWK whose kid is URL) and DIR/jwks.json (a set of it).

import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {SignJWT, exportJWK, generateKeyPair} from 'jose';

import {createDocumentLoader} from './lib/loader.mjs';

const USAGE = `usage: node sign-fixture.mjs di --credential IN.json --did DID --key KEY --out-dir DIR
       node sign-fixture.mjs jwt --credential IN.json --kid URL --out-dir DIR`;

function parse(argv) {
  const [mode, ...rest] = argv;
  const options = {};
  for(let index = 0; index < rest.length; index += 2) {
    const name = rest[index];
    const value = rest[index + 1];
    if(!name?.startsWith('--') || value === undefined) {
      throw new Error(`Bad arguments near ${name}`);
    }
    options[name.slice(2)] = value;
  }
  const required = {di: ['credential', 'did', 'key', 'out-dir'],
    jwt: ['credential', 'kid', 'out-dir']}[mode];
  if(!required) {
    throw new Error(`Unknown mode ${mode}`);
  }
  for(const name of required) {
    if(!options[name]) {
      throw new Error(`Missing --${name}`);
    }
  }
  return {mode, options};
}

async function writeJson(file, value) {
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

async function signDataIntegrity(credential, {did, key, outDir}) {
  const keyPair = await Ed25519Multikey.generate({id: `${did}#${key}`, controller: did});
  const publicKey = await keyPair.export({publicKey: true, includeContext: false});
  const didDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [publicKey],
    assertionMethod: [publicKey.id]
  };
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022});
  // The loader is the verifiers' own, but the DID document is not published yet when signing,
  // and signing needs only the contexts.
  const {documentLoader} = createDocumentLoader();
  const signed = await vc.issue({credential, suite, documentLoader});
  await writeJson(path.join(outDir, 'credential.json'), signed);
  await writeJson(path.join(outDir, 'did.json'), didDocument);
  return {verificationMethod: publicKey.id};
}

function issuerId(credential) {
  return typeof credential.issuer === 'string' ? credential.issuer : credential.issuer?.id;
}

function numericDate(value) {
  return Math.floor(Date.parse(value) / 1000);
}

async function signJwt(credential, {kid, outDir}) {
  const {publicKey, privateKey} = await generateKeyPair('RS256', {modulusLength: 2048});
  const jwk = {...await exportJWK(publicKey), kid, alg: 'RS256', use: 'sig'};
  // Open Badges 3.0, "JSON Web Token Proof Format": the payload is the credential itself plus
  // the registered claims that repeat its members.
  const claims = {...credential};
  const token = new SignJWT(claims)
    .setProtectedHeader({alg: 'RS256', kid, typ: 'JWT'})
    .setIssuer(issuerId(credential))
    .setJti(credential.id)
    .setNotBefore(numericDate(credential.validFrom));
  if(credential.credentialSubject?.id) {
    token.setSubject(credential.credentialSubject.id);
  }
  if(credential.validUntil) {
    token.setExpirationTime(numericDate(credential.validUntil));
  }
  const compact = await token.sign(privateKey);
  await writeFile(path.join(outDir, 'credential.jwt'), compact + '\n');
  await writeJson(path.join(outDir, 'jwk.json'), jwk);
  await writeJson(path.join(outDir, 'jwks.json'), {keys: [jwk]});
  return {kid};
}

let parsed;
try {
  parsed = parse(process.argv.slice(2));
} catch(error) {
  process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  process.exit(2);
}
const {mode, options} = parsed;
const credential = JSON.parse(await readFile(options.credential, 'utf8'));
const outDir = options['out-dir'];
await mkdir(outDir, {recursive: true});
const summary = mode === 'di' ?
  await signDataIntegrity(credential, {did: options.did, key: options.key, outDir}) :
  await signJwt(credential, {kid: options.kid, outDir});
process.stdout.write(JSON.stringify(summary) + '\n');
