#!/usr/bin/env node
// Builds build_tools/static/vendor/jsonld.min.js, the JSON-LD and RDFC-1.0 bundle of the badge
// verifier page, and the licence file of every package inside it. The output is committed, so
// that `make serve` needs no Node; rebuild it after changing package.json:
//
//   cd browser && npm ci --ignore-scripts && npm run build
//
// `npm run check` rebuilds in memory and exits 1 if the committed files differ (the build is
// reproducible: exact versions from package-lock.json, no timestamps, no absolute paths).

import {readFile, writeFile, mkdir} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {existsSync} from 'node:fs';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, '..', 'build_tools', 'static', 'vendor');
const BUNDLE = 'jsonld.min.js';
const LICENSES = 'jsonld.min.js.LICENSES.txt';
const LICENSE_FILES = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE'];

async function packageJson(folder) {
  return JSON.parse(await readFile(join(here, folder, 'package.json'), 'utf8'));
}

/** The node_modules folder of each package that contributed code to the bundle. */
function bundledPackages(metafile) {
  const folders = new Set();
  for(const input of Object.keys(metafile.inputs)) {
    const match = input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if(match) {
      folders.add(`node_modules/${match[1]}`);
    }
  }
  return [...folders].sort();
}

async function licenceText(folders) {
  const parts = [
    'Third-party software inside jsonld.min.js (built by browser/build.mjs from',
    'browser/package-lock.json). Each package keeps its own licence, reproduced below.',
    ''
  ];
  for(const folder of folders) {
    const meta = await packageJson(folder);
    const file = LICENSE_FILES.find(name => existsSync(join(here, folder, name)));
    if(!file) {
      throw new Error(`${meta.name} ships no licence file: refusing to bundle it`);
    }
    const text = (await readFile(join(here, folder, file), 'utf8')).trim();
    parts.push('='.repeat(78), `${meta.name} ${meta.version} (${meta.license})`,
      `https://www.npmjs.com/package/${meta.name}`, '-'.repeat(78), text, '');
  }
  return parts.join('\n');
}

async function build() {
  const jsonld = await packageJson('node_modules/jsonld');
  const canonize = await packageJson('node_modules/rdf-canonize');
  const result = await esbuild.build({
    entryPoints: [join(here, 'src', 'entry.js')],
    absWorkingDir: here,
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'BadgeonsJsonld',
    platform: 'browser',
    target: ['es2020'],
    legalComments: 'none',
    charset: 'utf8',
    define: {
      JSONLD_VERSION: JSON.stringify(jsonld.version),
      RDF_CANONIZE_VERSION: JSON.stringify(canonize.version)
    },
    banner: {
      js: `/*! jsonld ${jsonld.version} and rdf-canonize ${canonize.version} (BSD-3-Clause, ` +
        'Digital Bazaar) with their dependencies, bundled for Badgeons by browser/build.mjs; ' +
        `licences: ${LICENSES} */`
    },
    metafile: true,
    write: false,
    logLevel: 'warning'
  });
  const [output] = result.outputFiles;
  return {
    [BUNDLE]: output.text,
    [LICENSES]: await licenceText(bundledPackages(result.metafile))
  };
}

const files = await build();
if(process.argv.includes('--check')) {
  let same = true;
  for(const [name, text] of Object.entries(files)) {
    const path = join(vendor, name);
    const committed = existsSync(path) ? await readFile(path, 'utf8') : null;
    if(committed !== text) {
      console.error(`${name} differs from a fresh build: run npm run build`);
      same = false;
    }
  }
  process.exit(same ? 0 : 1);
}
await mkdir(vendor, {recursive: true});
for(const [name, text] of Object.entries(files)) {
  await writeFile(join(vendor, name), text);
  console.log(`${name}: ${Buffer.byteLength(text)} bytes`);
}
