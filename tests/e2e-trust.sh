#!/usr/bin/env bash
# Other users' caches, end to end through getent as root: a cache file or
# folder owned by another user, or writable by group or others, and a
# symlink planted where the cache belongs, are each ignored; the lookup
# falls back as if there were no cache and the next source (files) answers.
# The forged cache says vm1.example.org is 10.6.6.6; the same bytes owned by
# root, mode 644, in root's 755 folder, are answered, so each refusal is the
# trust rule's doing.  The refresher is a stand-in that only leaves a mark:
# nothing rewrites the planted files.  Then whose settings file root reads,
# nobody's lookups in a user namespace that maps no one, and a squatted
# /tmp/vmhosts-UID.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
OTHER=nobody
id "$OTHER" >/dev/null 2>&1 || skip_all "no user $OTHER to own the forged caches"

FORGED=10.6.6.6
FILES_ANSWER=192.0.2.1
printf '#!/bin/sh\necho %s\n' "'{\"list\": [{\"ipv4\": [\"$FORGED\"], \"name\": \"vm1\", \"release\": \"x\", \"state\": \"Running\"}]}'" \
    >"$T/forger"
printf '#!/bin/sh\necho "$*" >>%s\nexit 1\n' "$T/refresher-ran" >"$T/refresher"
chmod 755 "$T/forger" "$T/refresher"
write_conf multipass_command="$T/forger" cache_dir="$T/forge" user_cache_dir="$T/forge" \
    ttl=3600 multipass_ttl=3600
"$VMHOSTS" refresh --backend multipass >/dev/null 2>"$T/refresh.err" ||
    bail_out "forging a cache failed: $(cat "$T/refresh.err")"
FORGED_FILE=$T/forged.cache
cp "$T/forge/hosts.cache" "$FORGED_FILE"

CACHE_DIR=$T/planted
write_conf multipass_command=/nonexistent cache_dir="$CACHE_DIR" user_cache_dir="$CACHE_DIR" \
    ttl=3600 multipass_ttl=3600 refresh_command="$T/refresher"
write_hosts_file "$FILES_ANSWER vm1.example.org"
# vmhosts first: an answer from files shows the module declined.
set_hosts_line vmhosts files

# plant OWNER:GROUP DIR_MODE FILE_MODE: the forged cache as $CACHE_DIR/hosts.cache.
plant() {
    rm -rf "$CACHE_DIR"
    mkdir -p "$CACHE_DIR"
    cp "$FORGED_FILE" "$CACHE_DIR/hosts.cache"
    chown "$1" "$CACHE_DIR/hosts.cache"
    chmod "$3" "$CACHE_DIR/hosts.cache"
    chmod "$2" "$CACHE_DIR"
}

expect_ignored() {
    check_eq "$1: ignored, files answers vm1.example.org" "$FILES_ANSWER" "$(getent_hosts vm1.example.org)"
}

plant root:root 755 644
check_eq "control: root's 644 cache in a 755 folder is used" "$FORGED" "$(getent_hosts vm1.example.org)"

plant "$OTHER:$(id -gn "$OTHER")" 755 644
expect_ignored "a cache file owned by $OTHER"
plant root:root 755 664
expect_ignored "a group-writable cache file"
plant root:root 755 646
expect_ignored "a world-writable cache file"
plant root:root 775 644
expect_ignored "a group-writable cache folder"
plant root:root 1777 644
expect_ignored "a world-writable (sticky) cache folder"
plant root:root 755 644
chown "$OTHER" "$CACHE_DIR"
expect_ignored "a cache folder owned by $OTHER"

# A symlink where the file belongs, to a root-owned 644 copy elsewhere.
plant root:root 755 644
mv "$CACHE_DIR/hosts.cache" "$T/elsewhere.cache"
ln -s "$T/elsewhere.cache" "$CACHE_DIR/hosts.cache"
expect_ignored "a symlink planted as the cache file"
# A symlink as the cache folder, to a good-looking folder.
rm -rf "$T/real-dir" && mkdir -p "$T/real-dir" && cp "$FORGED_FILE" "$T/real-dir/hosts.cache"
rm -rf "$CACHE_DIR" && ln -s "$T/real-dir" "$CACHE_DIR"
expect_ignored "a symlink planted as the cache folder"
check "the planted files were never rewritten" cmp -s "$T/real-dir/hosts.cache" "$FORGED_FILE"
diag "refresher runs while a cache was refused: $(cat "$T/refresher-ran" 2>/dev/null | wc -l)"

# --- whose settings file is read ----------------------------------------------------
# Settings that claim evil.test and name a refresher that leaves a mark, as
# root's lookup would find them through an inherited VMHOSTS_CONF (su
# without -, sudo -E).  Under the defaults evil.test is not ours, so an
# ignored file runs nothing and touches nothing of the system's.
printf '#!/bin/sh\necho "$(id -u)" >>%s\nexit 1\n' "$T/settings-refresher-ran" >"$T/settings-refresher"
chmod 755 "$T/settings-refresher"
write_conf multipass_command=/nonexistent multipass_domains=evil.test cache_dir="$T/settings-cache" \
    user_cache_dir="$T/settings-cache" refresh_command="$T/settings-refresher"
set_hosts_line files vmhosts
runs() { cat "$T/settings-refresher-ran" 2>/dev/null | wc -l; }
settings_case() { # OWNER MODE: root's lookup with the settings file so
    chown "$1" "$VMHOSTS_CONF"
    chmod "$2" "$VMHOSTS_CONF"
    getent_hosts newvm.evil.test >/dev/null
}
settings_case root:root 644
check_eq "control: root's own 644 settings file names the refresher, and a miss runs it" 1 "$(runs)"
settings_case "$OTHER:$(id -gn "$OTHER")" 644
check_eq "a settings file owned by $OTHER: root never runs the program it names" 1 "$(runs)"
status_out=$("$VMHOSTS" status 2>&1)
check "... vmhosts status says the file is ignored" grep -q "ignored, every setting is the default" <<<"$status_out"
check "... and vmhosts warns about it" grep -q "warning: ignoring $VMHOSTS_CONF" <<<"$status_out"
settings_case root:root 664
check_eq "a group-writable settings file: ignored too" 1 "$(runs)"
settings_case root:root 646
check_eq "a world-writable settings file: ignored too" 1 "$(runs)"
chown "$OTHER" "$T/settings-refresher"
settings_case root:root 644
check_eq "a trusted settings file naming a refresher owned by $OTHER: not run" 1 "$(runs)"
chown root "$T/settings-refresher"

# --- a user namespace that maps no one --------------------------------------------
# nobody's lookup in `unshare -U` (no map): its own user and every unmapped
# owner show as 65534 there, so a cache folder and cache of another user
# (uid 4242) where nobody's cache belongs look like nobody's own, and root's
# settings file does too.  The same files owned by nobody answer nobody
# outside such a namespace: the control.
if ! command -v setpriv >/dev/null || ! setpriv --reuid=65534 --regid=65534 --clear-groups \
    unshare -U true 2>/dev/null; then
    skip "a user namespace that maps no one" "setpriv, or a user namespace as nobody, is not available"
else
    write_conf multipass_command=/nonexistent cache_dir="$T/no-root-cache" \
        user_cache_dir="$T/userns-%u" ttl=3600 multipass_ttl=3600 refresh_command="$T/refresher"
    USERNS_CACHE=$T/userns-65534
    mkdir -p "$USERNS_CACHE" && cp "$FORGED_FILE" "$USERNS_CACHE/hosts.cache"
    chmod 755 "$USERNS_CACHE" && chmod 644 "$USERNS_CACHE/hosts.cache"
    set_hosts_line vmhosts files
    AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    chown -R 65534:65534 "$USERNS_CACHE"
    check_eq "control: nobody's own cache answers nobody" "$FORGED" \
        "$(with_nss "${AS_NOBODY[@]}" getent hosts vm1.example.org | awk '{print $1}')"
    chown -R 4242:4242 "$USERNS_CACHE"
    check_eq "nobody in a user namespace that maps no one: uid 4242's cache, shown as its own, ignored" \
        "$FILES_ANSWER" \
        "$(with_nss "${AS_NOBODY[@]}" unshare -U getent hosts vm1.example.org | awk '{print $1}')"
    userns_refresh=$(VMHOSTS_CONF=$VMHOSTS_CONF "${AS_NOBODY[@]}" unshare -U "$VMHOSTS" refresh 2>&1)
    check "... and vmhosts refresh there says why it writes nothing" \
        grep -q "cannot be trusted: you run as user 65534 in a user namespace that does not map you" \
        <<<"$userns_refresh"
    check "... and why it ignores the settings" \
        grep -q "ignoring $VMHOSTS_CONF: you run as user 65534 in a user namespace" <<<"$userns_refresh"
fi

# --- a squatted /tmp/vmhosts-UID ---------------------------------------------------
# A user without /run/user/UID keeps its cache in /tmp/vmhosts-UID; another
# user who makes that folder first must not leave the first without a cache.
VICTIM=daemon
victim_uid=$(id -u "$VICTIM" 2>/dev/null)
if [ -z "$victim_uid" ] || [ -e "/run/user/$victim_uid" ] || [ -e "/tmp/vmhosts-$victim_uid" ] ||
    compgen -G "/tmp/vmhosts-$victim_uid.*" >/dev/null; then
    skip "a squatted cache folder" "no user $VICTIM, or it has a runtime folder or a cache in /tmp"
else
    at_exit "rm -rf /tmp/vmhosts-$victim_uid /tmp/vmhosts-$victim_uid.*"
    as_victim() { setpriv --reuid="$VICTIM" --regid="$(id -g "$VICTIM")" --clear-groups "$@"; }
    printf '#!/bin/sh\necho %s\n' "'{\"list\": [{\"ipv4\": [\"10.7.7.7\"], \"name\": \"vm7\", \"release\": \"x\", \"state\": \"Running\"}]}'" \
        >"$T/vm7-multipass"
    chmod 755 "$T/vm7-multipass"
    write_conf multipass_command="$T/vm7-multipass" cache_dir="$T/no-root-cache" user_cache_dir= \
        refresh_command="$VMHOSTS"
    setpriv --reuid="$OTHER" --regid="$(id -g "$OTHER")" --clear-groups mkdir -m 755 "/tmp/vmhosts-$victim_uid"
    as_victim "$VMHOSTS" refresh --backend multipass >/dev/null 2>"$T/squat.err"
    check_eq "$OTHER made /tmp/vmhosts-$victim_uid first: $VICTIM's vmhosts refresh still exits 0" 0 $?
    fallback=$(compgen -G "/tmp/vmhosts-$victim_uid.*" | head -n 1)
    check_eq "... into a folder of $VICTIM's own" "$VICTIM 700" "$(stat -c '%U %a' "$fallback" 2>/dev/null)"
    check_eq "... and $VICTIM's lookups answer from it" 10.7.7.7 \
        "$(with_nss setpriv --reuid="$VICTIM" --regid="$(id -g "$VICTIM")" --clear-groups getent hosts vm7.example.org | awk '{print $1}')"
    victim_status=$(as_victim "$VMHOSTS" status 2>&1)
    check "... and vmhosts status says what happened" grep -q "belongs to someone else" \
        <<<"$victim_status"
    check "... and calls that cache \"your cache\"" grep -q "ok: your cache: 1 VM, 1 running" \
        <<<"$victim_status"
fi
done_testing
