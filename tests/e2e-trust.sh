#!/usr/bin/env bash
# Other users' caches, end to end through getent as root: a cache file or
# folder owned by another user, or writable by group or others, and a
# symlink planted where the cache belongs, are each ignored; the lookup
# falls back as if there were no cache and the next source (files) answers.
# The forged cache says vm1.example.org is 10.6.6.6; the same bytes owned by
# root, mode 644, in root's 755 folder, are answered, so each refusal is the
# trust rule's doing.  The refresher is a stand-in that only leaves a mark:
# nothing rewrites the planted files.
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
done_testing
