#!/usr/bin/env bash
# Sets up a fresh machine (Node 20 + npm) and runs every test: unit and parity tests on
# three Vitest projects (node cpu, node-webgpu via Dawn, Chromium browser mode), package
# lint (publint + attw), typecheck, the packed-tarball smoke test, the bundler matrix
# (Vite, webpack, esbuild, Rollup), the docs site (TypeDoc validation, dead links, snippets,
# browser test), the playground's end-to-end tests, the new-model scaffold, and the PyTorch
# bridge (Python round trips, 2-process DDP).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Chromium (browser tests; its SwiftShader Vulkan driver also serves Dawn
# in Node), the Vulkan loader, and PyTorch (the bridge's round trips and DDP check; always
# /usr/bin/python3). Needs root or sudo; skipped when already present.
if ! command -v chromium >/dev/null 2>&1 || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' \
  || ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium libvulkan1 python3-torch >/dev/null
fi

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  npm install -g "pnpm@$pnpm_version" --silent
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
pnpm install --frozen-lockfile
step() { echo; echo "== $* ($(date -u +%H:%M:%S))"; }
step "build, lint, typecheck, vitest (node, node-webgpu, browser), packed tarballs"
pnpm run test:all
step "bundler matrix"
node scripts/bundler-matrix.mjs
step "docs site: snippets and browser test"
pnpm --filter docs test
pnpm --filter docs test:e2e
step "playground end to end"
pnpm --filter playground e2e
step "new-model scaffold"
node scripts/check-new-model.mjs
step "benchmark smoke check (bench/run.mjs --quick: every workload runs; nothing about speed)"
node bench/run.mjs --quick > /tmp/tensorzoo-bench-quick.log 2>&1 || { tail -40 /tmp/tensorzoo-bench-quick.log; exit 1; }
tail -5 /tmp/tensorzoo-bench-quick.log
step "PyTorch bridge"
sh python/tensorzoo-torch/tests/run_checks.sh
