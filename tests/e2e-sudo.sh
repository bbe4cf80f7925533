#!/usr/bin/env bash
# The README's commands are written without a leading sudo, so that they
# work for root on a fresh Debian 12 (which has no sudo) and for a user with
# sudo: tools/install-deb, tools/install-from-source and tests/run-all,
# run by a user who is not root, run themselves again with sudo (with an
# absolute path, the arguments kept), and where there is no sudo the two
# installers say to run them as root.  Here the user is nobody, and sudo
# is a stand-in that prints what it was asked to run; nothing is built or
# installed.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_root "to run the scripts as another user"
command -v setpriv >/dev/null || skip_all "setpriv is not installed (util-linux)"

# A copy that the user nobody can read, at a path of its own.
mkdir -p "$T/src/tools" "$T/src/tests"
for script in tools/install-deb tools/install-from-source tests/run-all; do
    cp "$top_srcdir/$script" "$T/src/$script" && chmod 755 "$T/src/$script" ||
        bail_out "cannot copy $script"
done
chmod -R a+rX "$T/src"

# With sudo: a stand-in that says what it would run.
mkdir "$T/with-sudo"
printf '#!/bin/sh\necho "sudo $*"\n' >"$T/with-sudo/sudo"
chmod 755 "$T/with-sudo/sudo"
# Without sudo: only the programs the scripts need before they would call it.
mkdir "$T/no-sudo"
for program in bash sh env id dirname basename cat; do
    ln -s "$(command -v "$program")" "$T/no-sudo/$program"
done

as_nobody() { # PATH SCRIPT ARGS...
    local path=$1
    shift
    (cd "$T" && setpriv --reuid=65534 --regid=65534 --clear-groups \
        env -i PATH="$path" HOME=/ "$@" 2>&1)
}

out=$(as_nobody "$T/with-sudo:/usr/bin:/bin" "$T/src/tools/install-deb" --some-arg)
check_eq "install-deb, not root: runs itself again with sudo" \
    "sudo -- env $T/src/tools/install-deb --some-arg" "$(tail -n 1 <<<"$out")"
check "... and says so" grep -q 'running it again with sudo' <<<"$out"
out=$(as_nobody "$T/with-sudo:/usr/bin:/bin" \
    env DEB_BUILD_OPTIONS=nocheck "$T/src/tools/install-deb")
check_eq "install-deb: DEB_BUILD_OPTIONS is passed through sudo" \
    "sudo -- env DEB_BUILD_OPTIONS=nocheck $T/src/tools/install-deb" "$(tail -n 1 <<<"$out")"
out=$(as_nobody "$T/with-sudo:/usr/bin:/bin" "$T/src/tools/install-from-source" --prefix=/opt/x)
check_eq "install-from-source, not root: runs itself again with sudo" \
    "sudo -- $T/src/tools/install-from-source --prefix=/opt/x" "$(tail -n 1 <<<"$out")"
out=$(as_nobody "$T/with-sudo:/usr/bin:/bin" "$T/src/tests/run-all")
check_eq "run-all, not root: runs itself again with sudo" \
    "sudo -- $T/src/tests/run-all" "$(tail -n 1 <<<"$out")"

out=$(as_nobody "$T/no-sudo" "$T/src/tools/install-deb")
status=$?
check_eq "install-deb, not root, no sudo: exits 1" 1 "$status"
check "... and says to run it as root" grep -q 'sudo is not installed: run it as root' <<<"$out"
out=$(as_nobody "$T/no-sudo" "$T/src/tools/install-from-source")
status=$?
check_eq "install-from-source, not root, no sudo: exits 1" 1 "$status"
check "... and says to run it as root" grep -q 'sudo is not installed: run it as root' <<<"$out"

done_testing
