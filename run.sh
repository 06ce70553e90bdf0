#!/usr/bin/env bash
# Runs the demo emulator: restores NuGet packages, builds, and serves a guest-like desktop over
# VNC (default 127.0.0.1:5900) and to browsers through noVNC (http://127.0.0.1:5700/vnc.html?autoconnect=1).
# Arguments go to the demo; `bash run.sh --help` lists them.
set -euo pipefail
cd "$(dirname "$0")"
# The build fetches noVNC (the web client served on 127.0.0.1:5700) with npm: install Debian's
# npm first when it is missing.
if [ ! -f samples/DemoEmulator/web/node_modules/@novnc/novnc/lib/rfb.js ] && ! command -v npm >/dev/null 2>&1; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  echo "run.sh: installing Debian's npm to fetch noVNC" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 || true
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm </dev/null >&2 \
    || echo "run.sh: npm could not be installed; the demo serves VNC without the web client" >&2
fi
exec dotnet run --project samples/DemoEmulator -c Release -- "$@"
