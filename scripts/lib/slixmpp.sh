# shellcheck shell=bash
# scripts/lib/slixmpp.sh: the Python virtual environment with slixmpp for the interoperability tests.
#
# Usage (source it, then call the function):
#
#     . scripts/lib/deps.sh; . scripts/lib/slixmpp.sh
#     xmpp_slixmpp_venv /path/to/repo     # exports XMPP_SLIXMPP_PYTHON and XMPP_SLIXMPP_PEER
#
# xmpp_slixmpp_venv REPO
#   Makes sure the venv at $XMPP_SLIXMPP_VENV holds exactly REPO/Tests/Interop/requirements.txt
#   (slixmpp 1.17.0 and its dependencies, pinned), then exports
#     XMPP_SLIXMPP_PYTHON=$XMPP_SLIXMPP_VENV/bin/python
#     XMPP_SLIXMPP_PEER=REPO/Tests/Interop/slixmpp_peer.py
#   Idempotent: when the venv's stamp file matches the requirements file and `import slixmpp` gives the
#   pinned version, nothing is installed. Otherwise the venv is (re)made with Debian's python3 -m venv
#   (--clear when it exists but its Python does not run) and `pip install -r` runs (from PyPI).
#   Installs the Debian packages python3 and python3-venv through xmpp_install_deps when missing.
#   Serialised with flock, so concurrent test runs sharing the venv do not build it at the same time.
#   Returns non-zero (after saying why) if the venv cannot be made.
#
# Env knobs (defaults):
#   XMPP_SLIXMPP_VENV=${XMPP_TEST_ROOT:-/tmp/xmpp-swift-test}/slixmpp-venv   (outside the repository)
#   XMPP_SLIXMPP_BASE_PYTHON=/usr/bin/python3   the interpreter the venv is made from

if [ -n "${_XMPP_SLIXMPP_SH_LOADED:-}" ]; then return 0; fi
_XMPP_SLIXMPP_SH_LOADED=1

# _xmpp_slixmpp_ready VENV REQUIREMENTS: 0 if VENV already holds REQUIREMENTS.
_xmpp_slixmpp_ready() {
  local venv=$1 requirements=$2 want
  [ -x "$venv/bin/python" ] || return 1
  [ -f "$venv/.requirements.sha256" ] || return 1
  [ "$(sha256sum <"$requirements")" = "$(cat "$venv/.requirements.sha256")" ] || return 1
  want=$(sed -n 's/^slixmpp==\([^ ]*\).*/\1/p' "$requirements")
  "$venv/bin/python" -c 'import sys, slixmpp; sys.exit(slixmpp.__version__ != sys.argv[1])' "$want" 2>/dev/null
}

# _xmpp_slixmpp_build VENV BASE_PYTHON REQUIREMENTS: (re)makes the venv and installs REQUIREMENTS.
# Every step is checked explicitly: callers run it in `||` context, where set -e does not apply.
_xmpp_slixmpp_build() {
  local venv=$1 base=$2 requirements=$3
  rm -f "$venv/.requirements.sha256"
  if ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c '' 2>/dev/null; }; then
    "$base" -m venv --clear "$venv" || return
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv \
    -r "$requirements" || return
  sha256sum <"$requirements" >"$venv/.requirements.sha256"
}

xmpp_slixmpp_venv() {
  local repo=$1 venv base requirements lock fd rc=0
  venv=${XMPP_SLIXMPP_VENV:-${XMPP_TEST_ROOT:-/tmp/xmpp-swift-test}/slixmpp-venv}
  base=${XMPP_SLIXMPP_BASE_PYTHON:-/usr/bin/python3}
  requirements=$repo/Tests/Interop/requirements.txt
  lock=$venv.lock
  [ -f "$requirements" ] || { echo "xmpp_slixmpp_venv: $requirements not found" >&2; return 1; }
  case $venv in "$repo" | "$repo"/*)
    echo "xmpp_slixmpp_venv: $venv is inside the repository; choose a path outside it" >&2; return 1 ;;
  esac

  if ! _xmpp_slixmpp_ready "$venv" "$requirements"; then
    if [ "$base" = /usr/bin/python3 ]; then
      xmpp_install_deps python3 python3-venv || return 1
    fi
    mkdir -p "$(dirname "$venv")" || return 1
    exec {fd}>"$lock" || return 1
    flock -w 900 "$fd" || { echo "xmpp_slixmpp_venv: timed out waiting for $lock" >&2; exec {fd}>&-; return 1; }
    # Checked again under the lock: a concurrent run may have just made it.
    if ! _xmpp_slixmpp_ready "$venv" "$requirements"; then
      echo "xmpp_slixmpp_venv: preparing $venv ($(sed -n 's/^\(slixmpp==[^ ]*\).*/\1/p' "$requirements"))" >&2
      _xmpp_slixmpp_build "$venv" "$base" "$requirements" || rc=$?
      if [ "$rc" = 0 ] && ! _xmpp_slixmpp_ready "$venv" "$requirements"; then rc=1; fi
    fi
    exec {fd}>&-
    if [ "$rc" != 0 ]; then
      echo "xmpp_slixmpp_venv: could not prepare the slixmpp venv at $venv (exit $rc)" >&2
      return "$rc"
    fi
  fi
  export XMPP_SLIXMPP_PYTHON=$venv/bin/python
  export XMPP_SLIXMPP_PEER=$repo/Tests/Interop/slixmpp_peer.py
}
