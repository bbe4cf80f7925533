#!/usr/bin/env bash
# A setuid-root program run by an ordinary user who sets VMHOSTS_CONF to a
# file of their own: the module reads the system's settings only (AT_SECURE)
# and never starts a refresher, neither the system's nor the user's.
#
# In a mount namespace: an overlay on the settings folder holds a private
# system vmhosts.conf; the test's nsswitch.conf and hosts file are bind-
# mounted as everywhere else.  Two caches come from two stand-in multipass
# commands: the system's says vm1 is 10.0.0.1, the user's 10.6.6.6.  The
# same program without its setuid bit shows the user's settings winning, so
# the difference is AT_SECURE and nothing else.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip_all "no overlay filesystem for a private system vmhosts.conf"
command -v setpriv >/dev/null || skip_all "setpriv is not installed (util-linux)"
USER_NAME=nobody
id "$USER_NAME" >/dev/null 2>&1 || skip_all "no user $USER_NAME to run as"
user_group=$(id -gn "$USER_NAME")
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$top_builddir/Makefile")
[ -d "$sysconfdir" ] || skip_all "the module's settings folder $sysconfdir does not exist"

# A folder where the setuid bit counts: not on a nosuid mount.
for base in "$T" /var/tmp /work; do
    findmnt -n -o OPTIONS -T "$base" 2>/dev/null | grep -qw nosuid || { SUID_BASE=$base; break; }
done
[ -n "${SUID_BASE:-}" ] || skip_all "every candidate folder is mounted nosuid"
SUID_DIR=$(mktemp -d "$SUID_BASE/vmhosts-suid.XXXXXX") || bail_out "cannot create a folder in $SUID_BASE"
at_exit 'rm -rf "$SUID_DIR"'
chmod 755 "$SUID_DIR"

# --- the program, the module beside it ---------------------------------------
cp "$MODULE_DIR/libnss_vmhosts.so.2" "$SUID_DIR/"
${CC:-cc} -std=c11 -D_GNU_SOURCE -Wl,--disable-new-dtags,-rpath,"$SUID_DIR" \
    -o "$SUID_DIR/setuid_lookup" "$top_srcdir/tests/setuid_lookup.c" 2>"$T/cc.err" ||
    bail_out "building setuid_lookup failed: $(cat "$T/cc.err")"
cp "$SUID_DIR/setuid_lookup" "$SUID_DIR/plain_lookup"
chown root:root "$SUID_DIR/setuid_lookup" && chmod 4755 "$SUID_DIR/setuid_lookup"
chmod 755 "$SUID_DIR/plain_lookup"

# --- two multipass stand-ins, two refreshers that leave a mark ----------------
vm_list() { printf '#!/bin/sh\necho %s\n' "'{\"list\": [{\"ipv4\": [\"$1\"], \"name\": \"vm1\", \"release\": \"Ubuntu 24.04 LTS\", \"state\": \"Running\"}]}'"; }
marker() { printf '#!/bin/sh\necho "$(id -u) $*" >>%s\nexit 1\n' "$1"; }
mkdir -p "$T/system" "$T/user"
vm_list 10.0.0.1 >"$T/system/multipass"
marker "$T/system-refresher-ran" >"$T/system/refresher"
vm_list 10.6.6.6 >"$T/user/multipass"
marker "$T/user-refresher-ran" >"$T/user/refresher"
chmod 755 "$T/system/multipass" "$T/system/refresher" "$T/user/multipass" "$T/user/refresher"
touch "$T/system-refresher-ran" "$T/user-refresher-ran"
chmod 666 "$T/system-refresher-ran" "$T/user-refresher-ran"
: >"$T/system-refresher-ran"
: >"$T/user-refresher-ran"

conf_for() { # WHO: settings that point at WHO's cache, multipass and refresher
    printf '%s\n' "docker_socket = $T/no-docker.sock" "multipass_command = $T/$1/multipass" \
        "multipass_domains = example.org" "cache_dir = $T/$1/cache" \
        "user_cache_dir = $T/$1/cache" "ttl = 3600" "multipass_ttl = 3600" \
        "refresh_interval_ms = 1" "timeout_ms = 1500" "refresh_command = $T/$1/refresher"
}
conf_for system >"$T/system/vmhosts.conf"
conf_for user >"$T/user/vmhosts.conf"
# The system's cache is root's, the user's theirs: each trusted by its reader.
VMHOSTS_CONF=$T/system/vmhosts.conf "$VMHOSTS" refresh --backend multipass >/dev/null 2>"$T/refresh.err" ||
    bail_out "the system cache: $(cat "$T/refresh.err")"
chown -R "$USER_NAME:$user_group" "$T/user"
setpriv --reuid="$USER_NAME" --regid="$user_group" --clear-groups \
    env VMHOSTS_CONF="$T/user/vmhosts.conf" "$VMHOSTS" refresh --backend multipass >/dev/null 2>"$T/refresh.err" ||
    bail_out "the user's cache: $(cat "$T/refresh.err")"

# as_user PROGRAM NAME: runs PROGRAM as the ordinary user with VMHOSTS_CONF
# set to their file, in the namespace with the private system settings.
as_user() {
    LD_LIBRARY_PATH="$MODULE_DIR" unshare -m sh -c '
        mkdir -p "$5/etc.upper" "$5/etc.work"
        cp "$5/system/vmhosts.conf" "$5/etc.upper/vmhosts.conf"
        mount -t overlay overlay -o "lowerdir=$4,upperdir=$5/etc.upper,workdir=$5/etc.work" "$4" || exit 125
        mount --bind "$1" /etc/nsswitch.conf || exit 125
        mount --bind "$2" /etc/hosts || exit 125
        if [ -d /run/nscd ]; then mount -t tmpfs none /run/nscd || exit 125; fi
        exec setpriv --reuid="$3" --regid="$6" --clear-groups env VMHOSTS_CONF="$5/user/vmhosts.conf" "$7" "$8"
        ' as_user "$NSSWITCH" "$HOSTS_FILE" "$USER_NAME" "$sysconfdir" "$T" "$user_group" "$@"
}
rm -rf "$T/etc.upper" "$T/etc.work"
user_uid=$(id -u "$USER_NAME")

# --- setuid root: the system's settings and cache, no refresher --------------------
output=$(as_user "$SUID_DIR/setuid_lookup" vm1.example.org)
status=$?
check_eq "setuid program run by $USER_NAME: really uid $user_uid, euid 0" "uid=$user_uid euid=0" \
    "$(head -n 1 <<<"$output")"
check_eq "setuid: vm1.example.org from the system's cache, not the user's" "exit 0: 10.0.0.1" \
    "exit $status: $(tail -n +2 <<<"$output" | xargs)"
output=$(as_user "$SUID_DIR/setuid_lookup" missing.example.org)
check_eq "setuid: missing.example.org (a miss, which refreshes) is not found" "exit 2" "exit $?"
sleep 0.2
check_eq "setuid: the user's refresher was never started" "" "$(cat "$T/user-refresher-ran")"
check_eq "setuid: nor the system's" "" "$(cat "$T/system-refresher-ran")"

# --- the same program without the bit: the user's settings count ------------------
output=$(as_user "$SUID_DIR/plain_lookup" vm1.example.org)
status=$?
check_eq "not setuid: uid and euid $user_uid" "uid=$user_uid euid=$user_uid" "$(head -n 1 <<<"$output")"
check_eq "not setuid: VMHOSTS_CONF is honoured: the user's cache answers" "exit 0: 10.6.6.6" \
    "exit $status: $(tail -n +2 <<<"$output" | xargs)"
as_user "$SUID_DIR/plain_lookup" missing.example.org >/dev/null
sleep 0.2
check "not setuid: a miss starts the user's refresher" grep -q "^$user_uid " "$T/user-refresher-ran"
check_eq "not setuid: not the system's" "" "$(cat "$T/system-refresher-ran")"

# --- setgid and file capabilities: the caller is the effective user -----------------
# The system's settings now give users the user's own cache folder, as the
# default /run/user/UID/vmhosts or /tmp/vmhosts-UID would: a folder the
# user owns, holding a cache newer than root's that says vm1 is 10.6.6.6.
# Such a program's effective user is its caller, but it must answer from
# root's cache only.
echo "user_cache_dir = $T/user/cache" >>"$T/system/vmhosts.conf"
cp "$SUID_DIR/plain_lookup" "$SUID_DIR/setgid_lookup"
chown root:root "$SUID_DIR/setgid_lookup" && chmod 2755 "$SUID_DIR/setgid_lookup"
output=$(as_user "$SUID_DIR/setgid_lookup" vm1.example.org)
status=$?
check_eq "setgid program run by $USER_NAME: euid is the caller's" "uid=$user_uid euid=$user_uid" \
    "$(head -n 1 <<<"$output")"
check_eq "setgid: vm1.example.org from root's cache, never the caller's" "exit 0: 10.0.0.1" \
    "exit $status: $(tail -n +2 <<<"$output" | xargs)"
if command -v setcap >/dev/null; then
    cp "$SUID_DIR/plain_lookup" "$SUID_DIR/cap_lookup"
    chmod 755 "$SUID_DIR/cap_lookup"
    if setcap cap_net_bind_service+ep "$SUID_DIR/cap_lookup" 2>/dev/null; then
        output=$(as_user "$SUID_DIR/cap_lookup" vm1.example.org)
        check_eq "file capabilities: vm1.example.org from root's cache, never the caller's" \
            "exit 0: 10.0.0.1" "exit $?: $(tail -n +2 <<<"$output" | xargs)"
    else
        skip "file capabilities" "setcap failed here (no xattrs on $SUID_BASE?)"
    fi
else
    skip "file capabilities" "setcap is not installed (libcap2-bin)"
fi
output=$(as_user "$SUID_DIR/plain_lookup" vm1.example.org)
check_eq "control: the same settings without the bit answer from the user's newer cache" \
    "exit 0: 10.6.6.6" "exit $?: $(tail -n +2 <<<"$output" | xargs)"
done_testing
