// What the verifier scripts share: argument parsing, reading the list of inputs, loading one
// input (a file path or an http(s) URL) and printing one JSON result per line.

import {readFile} from 'node:fs/promises';

import {fetchText, setAllowRemote} from './net.mjs';

const USAGE_EXIT = 2;

/**
 * Parses `[--now ISO-8601] [--allow-remote] LIST` where LIST is a JSON file holding an array of
 * inputs, or `-` to read that array from standard input.
 */
export async function parseArguments(argv, usage) {
  let now = null;
  let listPath = null;
  for(let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if(arg === '--now') {
      now = new Date(argv[++index]);
      if(Number.isNaN(now.getTime())) {
        fail(usage, `--now needs an ISO 8601 date-time, not ${argv[index]}`);
      }
    } else if(arg === '--allow-remote') {
      setAllowRemote(true);
    } else if(arg === '--help' || arg === '-h') {
      process.stdout.write(usage + '\n');
      process.exit(0);
    } else if(listPath === null && (arg === '-' || !arg.startsWith('-'))) {
      listPath = arg;
    } else {
      fail(usage, `Unexpected argument ${arg}`);
    }
  }
  if(listPath === null) {
    fail(usage, 'Missing the JSON list of inputs');
  }
  const text = listPath === '-' ?
    await readStdin() : await readFile(listPath, 'utf8');
  let inputs;
  try {
    inputs = JSON.parse(text);
  } catch(error) {
    fail(usage, `The list of inputs is not JSON: ${error.message}`);
  }
  if(!Array.isArray(inputs) || !inputs.every(item => typeof item === 'string')) {
    fail(usage, 'The list of inputs must be a JSON array of strings');
  }
  return {now, inputs};
}

function fail(usage, message) {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(USAGE_EXIT);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads an input: fetched when it is an http(s) URL, read from disk otherwise. */
export async function loadInput(input, {accept}) {
  if(/^https?:\/\//i.test(input)) {
    return (await fetchText(input, {accept})).text;
  }
  return readFile(input, 'utf8');
}

/** Flattens the nested errors of jsonld-signatures and vc into a list of messages. */
export function errorMessages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  const nested = Array.isArray(error.errors) ? error.errors : [];
  const inner = nested.flatMap(item => errorMessages(item, seen));
  if(inner.length > 0) {
    return inner;
  }
  const message = typeof error === 'string' ? error : error.message || String(error);
  const cause = error.cause instanceof Error || typeof error.cause === 'string' ?
    errorMessages(error.cause, seen) : [];
  return [message, ...cause.map(text => `caused by: ${text}`)];
}

/** Prints one result as a line of JSON and returns whether it verified. */
export function emit(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
  return result.verified;
}

/** Exit status of a run: 0 when every input verified, 1 otherwise. */
export function exitCode(allVerified) {
  return allVerified ? 0 : 1;
}
