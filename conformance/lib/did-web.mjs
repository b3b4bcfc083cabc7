// did:web resolution, following the did:web method specification
// (https://w3c-ccg.github.io/did-method-web/): the method-specific identifier is the host (a
// port is written with %3A), then optional path segments separated by colons; the DID document
// lives at https://<host>/<path segments>/did.json, or https://<host>/.well-known/did.json when
// there is no path.

import {fetchJson} from './net.mjs';

const VERIFICATION_RELATIONSHIPS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
];

/** The HTTPS URL of the DID document of a did:web DID (a fragment or query is ignored). */
export function didWebToUrl(did) {
  const bare = did.split('#')[0].split('?')[0];
  const parts = bare.split(':');
  if(parts.length < 3 || parts[0] !== 'did' || parts[1] !== 'web' || !parts[2]) {
    throw new Error(`Not a did:web DID: ${did}`);
  }
  const host = decodeURIComponent(parts[2]);
  if(host.includes('/')) {
    throw new Error(`Invalid did:web host: ${parts[2]}`);
  }
  const path = parts.slice(3).map(segment => {
    if(!segment) {
      throw new Error(`Empty path segment in ${did}`);
    }
    return segment;
  });
  const url = path.length === 0 ?
    `https://${host}/.well-known/did.json` :
    `https://${host}/${path.join('/')}/did.json`;
  return new URL(url).href;
}

/** Resolves did:web DIDs and DID URLs into what jsonld-signatures expects from a loader. */
export class DidWebResolver {
  constructor() {
    this.cache = new Map();
    // Every DID document URL fetched, for the report.
    this.fetched = [];
  }

  async resolveDocument(did) {
    if(!this.cache.has(did)) {
      this.cache.set(did, (async () => {
        const url = didWebToUrl(did);
        this.fetched.push(url);
        const {document} = await fetchJson(url);
        if(document.id !== did) {
          throw new Error(
            `DID document at ${url} has id ${JSON.stringify(document.id)}, ` +
            `expected ${did}`);
        }
        return document;
      })());
    }
    return this.cache.get(did);
  }

  /** `get({url})` is the protocol-handler interface of jsonld-document-loader. */
  async get({url}) {
    const [did, fragment] = url.split('#');
    const document = await this.resolveDocument(did);
    if(fragment === undefined) {
      return document;
    }
    const method = findVerificationMethod(document, did, fragment);
    if(!method) {
      throw new Error(`${url} is not a verification method of ${did}`);
    }
    // The key is returned in the context of the DID document that declares it.
    return {'@context': document['@context'], ...method};
  }
}

function findVerificationMethod(document, did, fragment) {
  const absolute = `${did}#${fragment}`;
  for(const relationship of VERIFICATION_RELATIONSHIPS) {
    const values = [].concat(document[relationship] ?? []);
    for(const value of values) {
      if(value && typeof value === 'object' &&
        (value.id === absolute || value.id === `#${fragment}`)) {
        return value;
      }
    }
  }
  return null;
}
