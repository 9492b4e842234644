#!/bin/sh
# Installs Debian's redis-server when it is missing and we are root, for the tests that run
# lsmc simulate --queue, lsmc review --queue and lsmc worker on BullMQ against a real Redis (each
# test run starts its own server on a free loopback port, with no disk, and stops it). Where it
# cannot, it says so in one line, and those tests fail saying redis-server is missing.
set -eu
say() { echo "lsmc queue tests: $*"; }

command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "redis-server not installed (as root: apt-get install redis-server)"
  exit 0
fi
say "installing redis-server"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
# Debian starts a system-wide server on 6379; the tests start their own and need none.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
