#!/bin/sh
# Rebuild build_tools/static/vendor/jsonld.min.js and its licence file from the pinned packages.
# Needs Node 20+ and the npm registry; the site build itself never runs this (the output is
# committed). Install scripts are skipped: esbuild's binary comes in its @esbuild/<platform>
# package, which npm ci installs as an optional dependency.
set -eu
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
node build.mjs "$@"
