#!/usr/bin/env bash
# Installs what the HTML and browser tests need, if missing: Debian's chromium
# (never a downloaded browser), a Java runtime for the Nu HTML Checker, and the
# pinned npm packages (vnu-jar, axe-core, playwright-core) into node_modules/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DEBIAN_FRONTEND=noninteractive PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
pkgs=()
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
command -v java >/dev/null 2>&1 || pkgs+=(default-jre-headless)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
if [ "${#pkgs[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi
stamp=node_modules/.stamp
want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
echo "browser test tools: $(/usr/bin/chromium --version 2>/dev/null); $(java -version 2>&1 | head -1); node $(node --version)"
