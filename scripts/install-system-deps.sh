#!/usr/bin/env bash
# System packages the test suite needs (headless Chromium for browser tests).
# Idempotent: does nothing when they are already there. Needs root (CI and dev machines are).
set -euo pipefail
if [ "${AIGUILLAGE_NO_BROWSER:-}" = "1" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium absent : installez-le (apt-get install chromium) pour les tests navigateur." >&2
  exit 0
fi
echo "Installing Debian chromium for browser tests…" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
