#!/usr/bin/env bash
# Runs the demo emulator: restores NuGet packages, builds, and serves a guest-like desktop over
# VNC (default 127.0.0.1:5900). Arguments go to the demo; `bash run.sh --help` lists them.
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run --project samples/DemoEmulator -c Release -- "$@"
