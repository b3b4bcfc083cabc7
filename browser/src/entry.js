// Entry of the vendored bundle: the part of jsonld.js that the verifier page needs, and no more.
// The page's own code (build_tools/static/verifier.js) stays readable and unbundled; it finds
// this API as `globalThis.BadgeonsJsonld` once the bundle has loaded.
import jsonld from 'jsonld';

// jsonld.js installs an XMLHttpRequest document loader by default. The verifier always passes
// its own loader (same-origin copies of the contexts); this default refuses everything, so that
// a call that forgot it fails instead of going to the network.
jsonld.documentLoader = async url => {
  throw new Error(`JSON-LD document refused (no network loader): ${url}`);
};

/**
 * RDF Dataset Canonicalization (RDFC-1.0) of a JSON-LD document, as N-Quads.
 * jsonld.js runs canonize in safe mode with no base IRI by default: a term or type that no
 * context defines is an error rather than silently dropped (the same rule as Badgeons' Python
 * signer and `@digitalbazaar/vc`).
 */
export async function canonize(document, documentLoader) {
  return jsonld.canonize(document, {
    algorithm: 'RDFC-1.0',
    format: 'application/n-quads',
    safe: true,
    base: null,
    documentLoader
  });
}

export const versions = {jsonld: JSONLD_VERSION, rdfCanonize: RDF_CANONIZE_VERSION};
