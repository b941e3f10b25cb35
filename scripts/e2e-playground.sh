#!/bin/sh
# End-to-end tests of apps/playground in the Debian Chromium (WebGPU on SwiftShader): builds the
# packages the app uses and the app itself, serves it with `vite preview` and runs e2e/run.mjs.
# Writes apps/playground/screenshots/*.png and apps/playground/e2e/report.json.
# Usage: scripts/e2e-playground.sh   (CHROMIUM_PATH overrides /usr/bin/chromium)
set -eu
cd "$(dirname "$0")/.."
pnpm turbo run build --filter=playground^... --output-logs=errors-only
pnpm --filter playground e2e
