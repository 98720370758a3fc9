#!/usr/bin/env bash
# Debian packages the tests need: ffmpeg (fixture videos), chromium (browser test), binutils
# (`strip`, which slims the native extensions of the Lambda package) and npm (the console's build).
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v strip >/dev/null 2>&1 || missing+=(binutils)
# The console is built with npm (console/); Node usually comes with the machine.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Missing ${missing[*]}: install them with apt-get (root needed)." >&2; exit 1; fi
else SUDO=""; fi
echo "Installing ${missing[*]} (Debian packages)…"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
