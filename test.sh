#!/usr/bin/env bash
# One command for every test: installs the Debian packages the end-to-end tests use (when
# missing), restores NuGet packages, builds, runs the tests and ends with exactly one line
# "N passed, N failed, N skipped". Needs only bash, grep, sed and awk besides the .NET SDK
# (and apt-get for the installation step). Runs as root, or as a user with password-less sudo.
set -uo pipefail
cd "$(dirname "$0")"

# Debian packages of the programs that the end-to-end tests drive (docs/testing.md says which
# test needs which). Recommends are not installed, so everything needed is listed explicitly.
packages=(
  xvfb                        # Xvfb: virtual X displays for the viewers
  xauth xkb-data x11-xkb-utils xfonts-base libgl1-mesa-dri  # what the X servers use at start-up
  x11-apps                    # xwd: window dumps
  x11-utils                   # xwininfo, xdpyinfo
  x11-xserver-utils           # xsetroot: known pictures on a test X server
  tigervnc-viewer             # xtigervncviewer
  tigervnc-standalone-server  # Xvnc: the reference server the harness is proven against
  gvncviewer                  # gvnccapture
  netpbm xdotool                      # pnmtopng: independent PNG writer for the PNG decoder's tests
  zstd                        # trace files (.fbs.zst)
  libturbojpeg0               # JPEG for Tight encoding
  vncsnapshot                 # TightVNC-based Tight decoder for the Tight encoder tests
  chromium                    # headless browser for the noVNC tests (driven by Playwright)
  npm                         # fetches noVNC for the demo's web client at build time
  gcc pkg-config libx11-dev libvncserver-dev libneatvnc-dev libaml-dev libpixman-1-dev libdrm-dev  # TraceBench's peer harnesses
  fonts-dejavu-core           # fonts for TraceBench's SVG charts (ScottPlot through SkiaSharp)
  libegl1 libegl-mesa0        # EGL (glvnd) and Mesa's EGL: GL scanout tests on llvmpipe (with libgl1-mesa-dri)
)

install_missing_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    # Node.js packages from outside Debian (NodeSource) bring npm and conflict with Debian's npm.
    if [ "$package" = npm ] && command -v npm >/dev/null 2>&1; then
      continue
    fi
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: apt-get not found; install these packages yourself: ${missing[*]}" >&2
    return 1
  fi

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "test.sh: not root and no password-less sudo; cannot install: ${missing[*]}" >&2
      return 1
    fi
  fi

  echo "test.sh: installing ${missing[*]}" >&2
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update -q </dev/null >&2 || echo "test.sh: apt-get update failed; trying the installation anyway" >&2
  "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
}

# A failed installation is reported, not fatal: the tests that need a missing tool then fail
# (with CI set) or skip, naming the package.
install_missing_packages || echo "test.sh: some test dependencies could not be installed" >&2

# noVNC's decoders run under Node (Rfb.Tests/NoVncHarness). Node and npm come from Debian unless some
# node and npm are already on PATH; the harness's packages install from its committed lockfile.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages=(nodejs npm)
  install_missing_packages || echo "test.sh: could not install nodejs and npm" >&2
fi
if command -v npm >/dev/null 2>&1; then
  (cd Rfb.Tests/NoVncHarness && npm ci --no-audit --no-fund --loglevel=error </dev/null >&2) \
    || echo "test.sh: npm ci failed in Rfb.Tests/NoVncHarness; the noVNC decoder tests will say so" >&2
fi

results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet test --project Rfb.Tests -c Release --results-directory "$results" \
  --report-xunit-trx --report-xunit-trx-filename results.trx --no-progress </dev/null
status=$?

# Sum the <Counters .../> element of every TRX file: passed; failed + error + timeout + aborted;
# notExecuted as skipped. No results at all counts as a failure.
trx_files=()
while IFS= read -r -d '' file; do
  trx_files+=("$file")
done < <(find "$results" -name '*.trx' -type f -print0)

counter() { # counter NAME COUNTERS-ELEMENT -> the attribute's value, 0 when absent
  printf '%s' "$2" | sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" | awk 'NF { print; found = 1 } END { if (!found) print 0 }'
}

passed=0 failed=0 skipped=0
for file in "${trx_files[@]}"; do
  counters=$(tr '\r\n' '  ' <"$file" | grep -o '<Counters[^>]*>' | head -n 1)
  if [ -z "$counters" ]; then
    echo "test.sh: no <Counters> in $file" >&2
    failed=$((failed + 1))
    continue
  fi
  passed=$((passed + $(counter passed "$counters")))
  for name in failed error timeout aborted; do
    failed=$((failed + $(counter "$name" "$counters")))
  done
  skipped=$((skipped + $(counter notExecuted "$counters")))
done

if [ ${#trx_files[@]} -eq 0 ]; then
  echo "test.sh: no test results were written" >&2
  failed=$((failed + 1))
fi

if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
