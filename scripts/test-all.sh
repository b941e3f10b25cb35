#!/usr/bin/env bash
# Sets up a fresh machine (Node 20 + npm) and runs every test: unit and parity tests on
# three Vitest projects (node cpu, node-webgpu via Dawn, Chromium browser mode), package
# lint (publint + attw), typecheck, and the packed-tarball smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Chromium (browser tests; its SwiftShader Vulkan driver also serves Dawn
# in Node) and the Vulkan loader. Needs root or sudo; skipped when already present.
if ! command -v chromium >/dev/null 2>&1 || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium libvulkan1 >/dev/null
fi

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  npm install -g "pnpm@$pnpm_version" --silent
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
pnpm install --frozen-lockfile
pnpm run test:all
