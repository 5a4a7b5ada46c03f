#!/usr/bin/env bash
# Install the Debian packages the project uses, when missing. Safe to run again.
#   postgresql, redis-server  servers for the tests, benchmarks and production
#   chromium                  headless browser for the page tests (driven by Playwright)
#   espeak-ng                 offline Vietnamese speech for the hall display's calls
#   fonts-dejavu-core         a font that covers Vietnamese, for printed tickets
#   libpango-1.0-0, libpangoft2-1.0-0  text layout for WeasyPrint (the dossier forms as PDF)
#   poppler-utils             pdftotext, to read the forms back in tests
#   socat                     pseudo-terminal pairs that stand in for serial devices in tests
#   iproute2                  ss, to see which worker holds which connection in the fault tests
#   nginx                     the reverse proxy in front of gunicorn (scripts/prod-stack.sh, production)
set -euo pipefail

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need+=(fonts-dejavu-core)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
[[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
ldconfig -p | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if ((${#need[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
