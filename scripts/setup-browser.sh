#!/bin/sh
# Installs Debian's chromium when it is missing and we are root, for the test that opens lsmc
# review's HTML report in a real headless browser (driven by playwright-core, which downloads no
# browser of its own). Where it cannot, it says so in one line; that test then skips with the reason.
set -eu
say() { echo "lsmc browser test: $*"; }
. "$(dirname "$0")/apt.sh"

command -v chromium >/dev/null 2>&1 && exit 0
apt_install "chromium not installed" chromium || exit 0
