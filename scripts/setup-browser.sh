#!/bin/sh
# Installs Debian's chromium when it is missing and we are root, for the test that opens lsmc
# review's HTML report in a real headless browser (driven by playwright-core, which downloads no
# browser of its own). Where it cannot, it says so in one line; that test then skips with the reason.
set -eu
say() { echo "lsmc browser test: $*"; }

command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "chromium not installed (as root: apt-get install chromium)"
  exit 0
fi
say "installing chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
