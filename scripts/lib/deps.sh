# shellcheck shell=bash
# scripts/lib/deps.sh: install missing Debian packages for the XMPP test harness.
#
# Usage (source it, then call the function):
#
#     . scripts/lib/deps.sh
#     xmpp_install_deps prosody ejabberd openssl
#
# xmpp_install_deps PKG...
#   Checks every PKG with `dpkg-query -W`; if all are installed it returns 0 at once (no root needed).
#   Otherwise, as root: runs `apt-get update` (once per shell) and
#   `DEBIAN_FRONTEND=noninteractive apt-get install -y` for the missing ones.
#   Debian's server packages (prosody, ejabberd) try to start their system service on install; to stop
#   that, a temporary /usr/sbin/policy-rc.d (`exit 101`) is created ONLY if none exists, and removed
#   afterwards (also on failure). An existing policy-rc.d is never touched.
#   Not root and something missing: prints the apt-get command to run and returns 1.
#
# Env knobs:
#   XMPP_DEPS_QUIET=1 (default)  hide apt-get output unless it fails (0 shows everything)
#   XMPP_APT_WAIT=300            seconds to wait for another apt/dpkg run to release its lock

# Guard against being sourced twice.
if [ -n "${_XMPP_DEPS_SH_LOADED:-}" ]; then return 0; fi
_XMPP_DEPS_SH_LOADED=1
_XMPP_APT_UPDATED=0

# xmpp_missing_packages PKG...: prints the packages that are not installed, one per line.
xmpp_missing_packages() {
  local pkg status
  for pkg in "$@"; do
    # (not `dpkg -s | grep -q`: with pipefail, grep exiting early makes dpkg die of SIGPIPE)
    status=$(dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null || true)
    if [[ $status != *"install ok installed"* ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

xmpp_install_deps() {
  local missing=() pkg rc=0 log
  [ "$#" -gt 0 ] || return 0
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "xmpp_install_deps: dpkg-query/apt-get not found (this helper supports Debian/Ubuntu only)." >&2
    echo "xmpp_install_deps: please install: $*" >&2
    return 1
  fi
  while IFS= read -r pkg; do
    [ -n "$pkg" ] && missing+=("$pkg")
  done < <(xmpp_missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0

  if [ "$(id -u)" != 0 ]; then
    echo "xmpp_install_deps: missing Debian packages: ${missing[*]}" >&2
    echo "xmpp_install_deps: not root; please run:  sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi

  echo "xmpp_install_deps: installing ${missing[*]}" >&2
  log=$(mktemp /tmp/xmpp-deps.XXXXXX.log)
  (
    created_policy=0
    # shellcheck disable=SC2329  # invoked by the EXIT trap
    cleanup() { if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
    trap cleanup EXIT
    trap 'exit 130' INT TERM HUP
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      # Keep the packages' maintainer scripts from starting system services (invoke-rc.d honours exit 101).
      printf '#!/bin/sh\n# temporary, created by scripts/lib/deps.sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod 0755 /usr/sbin/policy-rc.d
      created_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-o "DPkg::Lock::Timeout=${XMPP_APT_WAIT:-300}" -y -q)
    if [ "$_XMPP_APT_UPDATED" != 1 ]; then
      apt-get "${apt_opts[@]}" update
    fi
    apt-get "${apt_opts[@]}" install "${missing[@]}"
  ) >"$log" 2>&1 || rc=$?
  # apt-get update ran (or was attempted) in the subshell; remember it for this shell.
  _XMPP_APT_UPDATED=1

  if [ "$rc" != 0 ] || [ "${XMPP_DEPS_QUIET:-1}" = 0 ]; then cat "$log" >&2; fi
  rm -f "$log"
  if [ "$rc" != 0 ]; then
    echo "xmpp_install_deps: apt-get failed (exit $rc) for: ${missing[*]}" >&2
    return "$rc"
  fi
  # Verify: a package name that apt resolved to something else would still be reported missing.
  missing=()
  while IFS= read -r pkg; do
    [ -n "$pkg" ] && missing+=("$pkg")
  done < <(xmpp_missing_packages "$@")
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "xmpp_install_deps: still missing after apt-get: ${missing[*]}" >&2
    return 1
  fi
  return 0
}
