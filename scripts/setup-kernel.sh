#!/bin/sh
# Builds the kernel prototype (kernel/): installs the Debian packages the build needs when they are
# missing and we are root, then runs make. Where it cannot (not Linux, no BTF, not root and
# packages missing), it says so in one line and leaves the rest of lsmc working: the kernel tests
# and commands then skip or refuse with the reason.
#   --build-only   never install packages (what `npm test` runs before the tests)
set -eu
cd "$(dirname "$0")/.."

PACKAGES="clang-19 llvm-19 libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make gcc"
say() { echo "lsmc kernel prototype: $*"; }
. scripts/apt.sh

[ "$(uname -s)" = Linux ] || { say "not built (it needs Linux)"; exit 0; }
[ -r /sys/kernel/btf/vmlinux ] || { say "not built (the kernel has no BTF at /sys/kernel/btf/vmlinux)"; exit 0; }

missing() {
  command -v clang-19 >/dev/null 2>&1 || return 0
  command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || return 0
  command -v gcc >/dev/null 2>&1 || return 0
  command -v make >/dev/null 2>&1 || return 0
  [ -f /usr/include/bpf/libbpf.h ] || return 0
  [ -f /usr/include/libelf.h ] || return 0
  [ -f /usr/include/zlib.h ] || return 0
  return 1
}

if missing; then
  if [ "${1:-}" = --build-only ]; then
    say "not built (missing build tools: run scripts/setup-kernel.sh as root, or apt-get install $PACKAGES)"
    exit 0
  fi
  # shellcheck disable=SC2086 # one word per package
  apt_install "not built, missing build tools" $PACKAGES || exit 0
fi

PATH="$PATH:/usr/sbin" make -s -C kernel
