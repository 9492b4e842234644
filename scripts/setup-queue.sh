#!/bin/sh
# Installs Debian's redis-server when it is missing and we are root, for the tests that run
# lsmc simulate --queue, lsmc review --queue and lsmc worker on BullMQ against a real Redis (each
# test run starts its own server on a free loopback port, with no disk, and stops it). Where it
# cannot, it says so in one line, and those tests fail saying redis-server is missing.
set -eu
say() { echo "lsmc queue tests: $*"; }
. "$(dirname "$0")/apt.sh"

command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && exit 0
apt_install "redis-server not installed" redis-server redis-tools || exit 0
# Debian starts a system-wide server on 6379; the tests start their own and need none.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
