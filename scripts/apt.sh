# Sourced by the set-up scripts (each defines say): installs Debian packages when we are root and
# have apt-get, or says in one line what to install, and fails, so that the caller can go on
# without them.
#   apt_install WHAT-IS-MISSING PACKAGE...
apt_install() {
  what=$1
  shift
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "$what; as root: apt-get install $*"
    return 1
  fi
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
