#!/usr/bin/env bash
# Installs the SMTP server the notification tests send mail to: aiosmtpd from PyPI,
# pinned, into tests/smtp/.venv (never the system's Python).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! python3 -m venv --help >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends python3-venv
fi
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
fi
echo "smtp test server: aiosmtpd $(.venv/bin/python -c 'import aiosmtpd; print(aiosmtpd.__version__)')"
