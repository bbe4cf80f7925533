#!/usr/bin/env bash
# `vmhosts list`, `lookup`, `status` and `enable` end to end, against a real
# Docker engine this test starts, with a private nsswitch.conf in a mount
# namespace.  Every expected address comes from `docker inspect`.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-commands.sh"

require_nss
docker_start
docker_image

write_conf ttl=60
set_hosts_line files vmhosts dns

web=$(docker_run vmh-web --hostname web-host) || bail_out "cannot start a container"
gone=$(docker_run vmh-gone) || bail_out "cannot start a container"
dk stop -t 1 vmh-gone >/dev/null || bail_out "cannot stop a container"
web_addresses=$(docker_addresses "$web")
[ -n "$web_addresses" ] || bail_out "vmh-web has no address"
diag "vmh-web $web at $web_addresses; vmh-gone $gone stopped"
web_csv=$(tr ' ' , <<<"$web_addresses")

# --- list ---------------------------------------------------------------------
run_vmhosts list
check_rc "list" 0
check_out "list: a header" '^NAME +ADDRESSES +SOURCE +CONTAINER/VM +RULE$'
check_out "list: the container's name, its addresses, docker, the container, the rule" \
    "^vmh-web\.docker +$web_csv +docker +vmh-web \(${web:0:12}\) +container name$"
check_out "list: its short ID" "^${web:0:12}\.docker +$web_csv +docker +vmh-web"
check_out "list: its bare hostname" "^web-host +$web_csv +docker +vmh-web"
check_eq "list: a stopped container has no name" "" "$(grep -e vmh-gone -e "${gone:0:12}" <<<"$OUT")"
misaligned=$(awk 'NR == 1 { a = index($0, "ADDRESSES"); s = index($0, "SOURCE"); next }
    substr($0, a, length($2)) != $2 || substr($0, s, length($3)) != $3' <<<"$OUT")
check_eq "list: columns aligned under the header" "" "$misaligned"

run_vmhosts list --json
check_rc "list --json" 0
check_eq "list --json: vmh-web.docker's addresses" "$web_addresses" \
    "$(json_get '[a for n in d["names"] if n["name"] == "vmh-web.docker" for a in n["addresses"]]')"
check_eq "list --json: the container behind it" "vmh-web $web docker" \
    "$(json_get '" ".join(next((n["target"], n["id"], n["source"]) for n in d["names"] if n["name"] == "web-host"))')"
check_eq "list --json: every name" "${web:0:12}.docker vmh-web.docker web-host" \
    "$(json_get '[n["name"] for n in d["names"]]')"
check_eq "list --json: docker's state" ok "$(json_get 'd["backends"]["docker"]["status"]')"

run_vmhosts list --no-such-option
check_rc "list --no-such-option" 2
run_vmhosts list --help
check_rc "list --help" 0
check_out "list --help: usage" '^Usage: vmhosts list'

# Docker's socket gone: the names go, and stderr says why and what to do.
write_conf ttl=60 docker_socket="$T/missing.sock"
run_vmhosts refresh
check_rc "refresh, socket missing" 1
run_vmhosts list
check_rc "list, socket missing" 0
check_err "list, socket missing: says so" "docker: unavailable: .*$T/missing.sock does not exist"
check_err "list, socket missing: what to do" "start Docker"
check_eq "list, socket missing: no docker name" "" "$(grep docker <<<"$OUT")"
write_conf ttl=60

# --- lookup -------------------------------------------------------------------
run_vmhosts lookup vmh-web.docker
check_rc "lookup by name" 0
check_out "lookup by name: the addresses, as getent finds them" \
    "^vmh-web\.docker: $(getent_hosts vmh-web.docker)$"
check_out "lookup by name: SUCCESS" '^  status: SUCCESS$'
check_out "lookup by name: the rule" '^  rule: +container name$'
check_out "lookup by name: the record" "^  record: container vmh-web, ID $web, running, hostname web-host$"
check_out "lookup by name: the cache and its age" "^  cache: +$T/cache/hosts.cache \(root's\), docker last answered [0-9]+ s ago"

run_vmhosts lookup "${web:0:12}.docker"
check_rc "lookup by ID prefix" 0
check_out "lookup by ID prefix: the rule" '^  rule: +unique ID prefix$'
run_vmhosts lookup "$web.docker"
check_out "lookup by full ID: the rule" '^  rule: +exact container ID$'
run_vmhosts lookup web-host
check_rc "lookup by hostname" 0
check_out "lookup by hostname: the rule" '^  rule: +container hostname$'
check_out "lookup by hostname: canonical name" '^  canonical name: vmh-web\.docker$'

run_vmhosts lookup vmh-gone.docker
check_rc "lookup of a stopped container" 1
check_out "lookup, stopped: NOTFOUND" '^  status: NOTFOUND \(HOST_NOT_FOUND\)'
check_out "lookup, stopped: the rule" '^  rule: +not running$'
check_out "lookup, stopped: which container" \
    "why: +container vmh-gone \(ID ${gone:0:12}\) exists but is not running"
check_out "lookup, stopped: what to do" '^  do: +docker start vmh-gone$'

run_vmhosts lookup no-such-container.docker
check_rc "lookup of no such container" 1
check_out "lookup, no such container: the rule" '^  rule: +no such container or VM$'

run_vmhosts lookup www.example.com
check_rc "lookup of a name not ours" 3
check_out "lookup, not ours: UNAVAIL" '^  status: UNAVAIL \(ENOENT\)'
check_out "lookup, not ours: the rule" '^  rule: +not ours$'
run_vmhosts lookup no-such-bare-host
check_rc "lookup of a bare name no container has" 3
check_out "lookup, bare miss: why" 'no running container has the hostname no-such-bare-host'
# With the cache stale, as the module: a bare name no container has starts
# no refresh (the cache file is not rewritten).
write_conf ttl=1
sleep 1.1
before=$(stat -c %y "$T/cache/hosts.cache")
run_vmhosts lookup no-such-bare-host
check_eq "lookup of a bare miss, cache stale: no refresh, as in the module" "$before" \
    "$(stat -c %y "$T/cache/hosts.cache")"
write_conf ttl=60

run_vmhosts lookup -6 vmh-web.docker
if grep -q : <<<"$web_addresses"; then
    check_rc "lookup -6 of a container with IPv6" 0
else
    check_rc "lookup -6 of an IPv4-only container" 1
    check_out "lookup -6: NO_DATA" '^  status: NOTFOUND \(NO_DATA\)$'
fi

# An ambiguous ID prefix: create containers until two IDs share a first
# character (17 at most), then ask for that character.
prefix=
for ((i = 0; i < 17; i++)); do
    dk create --name "vmh-twin$i" "$DOCKER_IMAGE" sleep 1 >/dev/null || break
    prefix=$(dk ps -aq --no-trunc | cut -c1 | sort | uniq -d | head -n1)
    [ -z "$prefix" ] || break
done
if [ -n "$prefix" ]; then
    twins=$(dk ps -a --no-trunc --format '{{.ID}} {{.Names}}' | awk -v p="$prefix" 'index($1, p) == 1 {print $2}' | sort | xargs)
    # Within the ttl the cache may not know the new containers yet.
    run_vmhosts refresh
    run_vmhosts lookup "$prefix.docker"
    check_rc "lookup of an ambiguous prefix" 1
    check_out "lookup, ambiguous: the rule" '^  rule: +ambiguous ID prefix$'
    listed=$(grep -oE 'container [^ ]+ \(ID' <<<"$OUT" | awk '{print $2}' | sort | xargs)
    check_eq "lookup, ambiguous: names the containers sharing it" "$twins" "$listed"
else
    skip "lookup of an ambiguous prefix" "no two of 17 container IDs share a first character"
fi

run_vmhosts lookup
check_rc "lookup without a name" 2
run_vmhosts lookup a.docker b.docker
check_rc "lookup of two names" 2
run_vmhosts lookup --help
check_rc "lookup --help" 0
check_out "lookup --help: exit codes documented" '^Exit status: 0 the name resolves'

write_conf ttl=60 docker_socket="$T/missing.sock"
run_vmhosts refresh
run_vmhosts lookup vmh-web.docker
check_rc "lookup, socket missing" 4
check_out "lookup, socket missing: UNAVAIL" '^  status: UNAVAIL'
check_out "lookup, socket missing: the rule" '^  rule: +backend unavailable$'
check_out "lookup, socket missing: why" "why: +docker: unavailable when last asked .*$T/missing.sock does not exist"
check_out "lookup, socket missing: what to do" 'do: +the socket does not exist: start Docker'
write_conf ttl=60

# --- status -------------------------------------------------------------------
write_conf ttl=60
set_hosts_line files vmhosts dns
run_vmhosts refresh
run_vmhosts status
check_rc "status, all well" 0
check_out "status: says all is well" '^all is well'
check_out "status: a setting from VMHOSTS_CONF" "^  docker_socket +VMHOSTS_CONF +$DOCKER_SOCK$"
check_out "status: a default setting" '^  multipass_ttl +default +60$'
check_out "status: the settings file" "^settings: $VMHOSTS_CONF \(named by VMHOSTS_CONF\)$"
check_out "status: the module loads" '^  ok: libnss_vmhosts\.so\.2 loads from '
check_out "status: Docker's socket answers" "^  ok: $DOCKER_SOCK accepts connections$"
check_out "status: the containers cached" "^  ok: root's cache: [0-9]+ containers, 1 running, answered [0-9]+ s ago"
check_out "status: the cache and its age" "^  ok: $T/cache/hosts.cache \(root's\): written [0-9]+ s ago"
check_out "status: the hosts: line" '^  hosts: files vmhosts dns$'
check_out "status: vmhosts is reached" '^  ok: vmhosts is reached after files, before any network source$'

# A backend never asked is said in words, not as a status with an age.
rm -f "$T/cache/hosts.cache"
run_vmhosts refresh --backend docker
run_vmhosts status
check_out "status, multipass never asked: said for a person" \
    "^  note: root's cache: multipass not asked yet; the next lookup of one of its names asks$"
run_vmhosts refresh

VMHOSTS_CONF=$T/no-such.conf run_vmhosts status
check_out "status, no settings file: says so" "^settings: $T/no-such.conf \(named by VMHOSTS_CONF\) \(no such file"
check_out "status, no settings file: defaults" '^  cache_dir +default +/'
mkfifo "$T/fifo.conf"
VMHOSTS_CONF=$T/fifo.conf run_vmhosts status
check_out "status, a settings file it cannot read (a FIFO): says so, not \"no such file\"" \
    "^settings: $T/fifo.conf \(named by VMHOSTS_CONF\) \(cannot be read: every setting is the default\)$"
check_err "... and stderr says why: not a regular file, rather than \"Invalid argument\"" \
    "^vmhosts: warning: cannot read $T/fifo.conf: not a regular file; using the defaults$"
# Without /proc (a chroot that did not mount it) the file is not opened by name again.
OUT=$(with_nss sh -c 'mount -t tmpfs none /proc && exec "$@"' sh "$VMHOSTS" status 2>"$T/stderr")
ERR=$(cat "$T/stderr")
check_err "status without /proc: says that /proc is missing, not \"Function not implemented\"" \
    "^vmhosts: warning: cannot read $VMHOSTS_CONF: /proc is not mounted, .*\(mount -t proc proc /proc\); using the defaults$"

write_conf ttl=60 docker_socket="$T/missing.sock"
run_vmhosts status
check_rc "status, socket missing" 1
check_out "status, socket missing: which socket" "^  note: $T/missing.sock: does not exist$"
check_out "status, socket missing: the problem" '^  PROBLEM: this user cannot reach Docker'
check_out "status, socket missing: what to do" '^      do: start Docker'
# One socket of two missing: the other engine's names answer, and status
# says which part of the answer is missing, live and as the cache recorded it.
write_conf ttl=60 docker_socket="$T/missing.sock $DOCKER_SOCK"
run_vmhosts refresh
check_rc "refresh, one socket of two missing" 0
run_vmhosts status
check_rc "status, one socket of two missing: well" 0
check_out "status, one socket of two missing: the cache holds the other's containers" \
    "^  ok: root's cache: [0-9]+ containers, 1 running, answered "
check_out "status, one socket of two missing: which socket, live" "^  note: $T/missing.sock: does not exist$"
check_out "status, one socket of two missing: what the last refresh met" \
    "^  note: root's cache: without part of docker's answer: $T/missing.sock does not exist: no daemon is running there$"
write_conf ttl=60

write_conf ttl=60 multipass_command="$T/no-multipass"
mv "$T/cache/hosts.cache" "$T/hosts.cache.kept"
run_vmhosts refresh
check_rc "refresh without multipass installed (no cache had its answer): left alone" 0
check_eq "... and not a word of it" "" "$(grep -i multipass <<<"$OUT$ERR")"
mv "$T/hosts.cache.kept" "$T/cache/hosts.cache"
run_vmhosts status
check_rc "status, multipass not installed: still well" 0
check_out "status, multipass not installed: a warning" "^  warning: $T/no-multipass: not installed: VM names do not resolve$"
check_out "status, multipass not installed: what to do" '^      do: sudo snap install multipass'
write_conf ttl=60

# A cache others may write is ignored by the module: status says so.
chmod 666 "$T/cache/hosts.cache"
run_vmhosts status
check_rc "status, cache writable by others" 1
check_out "status, cache writable by others: the problem" \
    "^  PROBLEM: $T/cache/hosts.cache \(root's\): not trusted .*: the module ignores it$"
chmod 644 "$T/cache/hosts.cache"

# A byte changed past the sealed part of the file: status says the cache is
# corrupt (this one-block cache is refused on load; tests/test_nss.c has
# status's full check find a byte no lookup reads).
size=$(stat -c %s "$T/cache/hosts.cache")
printf 'Z' | dd of="$T/cache/hosts.cache" bs=1 seek=$((size - 2)) conv=notrunc status=none
run_vmhosts status
check_out "status, a byte changed: the cache is corrupt" \
    "^  warning: $T/cache/hosts.cache \(root's\): corrupt: ignored, the next refresh replaces it$"
run_vmhosts refresh

set_hosts_line files dns
run_vmhosts status
check_rc "status, not enabled" 1
check_out "status, not enabled: the problem" '^  PROBLEM: vmhosts is not on the hosts: line'
check_out "status, not enabled: what to do" '^      do: sudo vmhosts enable$'

# Where vmhosts stands on the line: status's verdict agrees with getent.
set_hosts_line 'files [NOTFOUND=return] vmhosts'
run_vmhosts status
check_rc "status, files [NOTFOUND=return] before vmhosts" 1
check_out "status, files [NOTFOUND=return]: names the stopper" \
    '^  PROBLEM: `files \[NOTFOUND=return\]` comes before vmhosts'
check_eq "getent agrees: vmhosts is never reached" "" "$(getent_hosts vmh-web.docker)"
set_hosts_line files resolve '[!UNAVAIL=return]' vmhosts dns
run_vmhosts status
check_rc "status, resolve [!UNAVAIL=return] before vmhosts" 1
check_out "status, resolve [!UNAVAIL=return]: names the stopper" \
    '^  PROBLEM: `resolve \[!UNAVAIL=return\]` comes before vmhosts'
set_hosts_line files mdns4_minimal '[NOTFOUND=return]' vmhosts dns
run_vmhosts status
check_rc "status, mdns4_minimal [NOTFOUND=return] before vmhosts: reached" 0
set_hosts_line files dns vmhosts
run_vmhosts status
check_rc "status, dns before vmhosts: works" 0
check_out "status, dns before vmhosts: a warning" '^  warning: dns is asked before vmhosts'
check_eq "getent agrees: vmhosts answers after dns" "$web_addresses" "$(getent_hosts vmh-web.docker)"
set_hosts_line files vmhosts '[NOTFOUND=return]' dns
run_vmhosts status
check_rc "status, vmhosts [NOTFOUND=return]: works" 0
check_out "status, vmhosts [NOTFOUND=return]: a note on what it means" \
    '^  note: vmhosts \[NOTFOUND=return\]: a name under a multipass domain that is no VM never reaches DNS$'
# glibc stops reading at a second [ACTION] after one source, and has no
# comments inside a line: a vmhosts after "#" is asked.
set_hosts_line files '[SUCCESS=return]' '[UNAVAIL=continue]' vmhosts
run_vmhosts status
check_rc "status, a second [ACTION] before vmhosts" 1
check_out "status, a second [ACTION]: says where glibc stops" \
    '^  PROBLEM: glibc cannot read the line from `\[UNAVAIL=continue\] vmhosts` on'
check_eq "getent agrees: vmhosts is not asked" "" "$(getent_hosts vmh-web.docker)"
set_hosts_line files '#' vmhosts
run_vmhosts status
check_rc "status, 'files # vmhosts': reached" 0
check_eq "getent agrees: the vmhosts after '#' answers" "$web_addresses" \
    "$(getent_hosts vmh-web.docker)"
# glibc reads "hosts files ..." (a blank for the colon) as a hosts line,
# and never reads a last line without a newline.
set_hosts_line files vmhosts dns
sed -i 's/^hosts: /hosts /' "$NSSWITCH"
run_vmhosts status
check_rc "status, 'hosts files vmhosts dns': works" 0
check_eq "getent agrees: that line is read" "$web_addresses" "$(getent_hosts vmh-web.docker)"
set_hosts_line files vmhosts dns
printf '%s' "$(cat "$NSSWITCH")" >"$NSSWITCH.new" && mv "$NSSWITCH.new" "$NSSWITCH"
run_vmhosts status
check_rc "status, the hosts line last and without a newline" 1
check_out "status, no newline: says glibc never reads the line" \
    '^  PROBLEM: the hosts: line is the last line and has no newline: glibc never reads it$'
check_eq "getent agrees: vmhosts is not asked" "" "$(getent_hosts vmh-web.docker)"
set_hosts_line files vmhosts dns

run_vmhosts status --help
check_rc "status --help" 0
check_out "status --help: exit codes documented" '^Exit status: 0 all is well'
run_vmhosts status extra
check_rc "status with an extra argument" 2

# --- enable on the hosts: lines real systems have -----------------------------
# Through the real binary on /etc/nsswitch.conf itself, in a throwaway overlay.
if ! grep -qw overlay /proc/filesystems; then
    skip "vmhosts enable on copies of nsswitch.conf" "no overlay filesystem"
else
    while IFS='|' read -r what before expected; do
        enable_on_copy "$before"
        check_eq "enable, $what: exit status" 0 "$(copy_result enable.rc)"
        check_eq "enable, $what: the hosts: line" "$expected" "$(copy_result after)"
        check_eq "enable, $what: the backup is the old line" "$before" "$(copy_result backup)"
        check_eq "enable, $what: getent resolves a container" "$web_addresses" "$(copy_result getent)"
        check_eq "enable, $what: status exit" 0 "$(copy_result status.rc)"
        check_eq "enable, $what: again: already enabled" "already enabled" "$(copy_result again.out)"
        check_eq "enable, $what: disable restores the line" "$before" "$(copy_result restored)"
    done <<'LINES'
Debian's default|hosts:          files dns|hosts:          files vmhosts dns
mdns4_minimal [NOTFOUND=return]|hosts:          files mdns4_minimal [NOTFOUND=return] dns|hosts:          files vmhosts mdns4_minimal [NOTFOUND=return] dns
resolve [!UNAVAIL=return]|hosts: files resolve [!UNAVAIL=return] dns|hosts: files vmhosts resolve [!UNAVAIL=return] dns
myhostname|hosts: files myhostname mdns4_minimal [NOTFOUND=return] dns|hosts: files myhostname vmhosts mdns4_minimal [NOTFOUND=return] dns
a blank for the colon|hosts files mdns4_minimal [NOTFOUND=return] dns|hosts files vmhosts mdns4_minimal [NOTFOUND=return] dns
LINES
    enable_on_copy "hosts: files vmhosts dns"
    check_eq "enable, already enabled: exit status" 0 "$(copy_result enable.rc)"
    check_eq "enable, already enabled: says so" "already enabled" "$(copy_result enable.out)"
    check_eq "enable, already enabled: line unchanged" "hosts: files vmhosts dns" "$(copy_result after)"
    check_eq "enable, already enabled: no backup" "" "$(copy_result backup)"
fi

# A file without a hosts: line gets glibc's default with vmhosts, and
# disable takes it away again (tools/system/nsswitch_edit.h).
printf 'passwd: files\n' >"$T/no-hosts.conf"
run_vmhosts enable --file "$T/no-hosts.conf"
check_out "enable, no hosts: line: the line it added" \
    '^enabled: hosts: vmhosts dns \[!UNAVAIL=return\] files$'
run_vmhosts disable --file "$T/no-hosts.conf"
check_out "disable of that line: says it is gone" \
    '^disabled: the hosts: line `vmhosts enable` added is gone \(glibc.s default order applies\)$'
check_eq "... and the file is as it was" "passwd: files" "$(cat "$T/no-hosts.conf")"

# --- the command line ---------------------------------------------------------
run_vmhosts --version
check_rc "--version" 0
check_out "--version: the package's version" "^vmhosts $(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")$"
run_vmhosts --help
check_rc "--help" 0
for command in list lookup status refresh watch enable disable; do
    check_out "--help names $command" "^  $command "
done
# Its first lines name every backend a refresh can ask.
intro=$(sed -n '3,4p' <<<"$OUT" | tr '\n' ' ')
run_vmhosts refresh --backend nope
backends=$(sed -n 's/.*(\(.*\) or all)$/\1/p' <<<"$ERR" | tr -d ,)
check "refresh names its backends" test -n "$backends"
for backend in $backends; do
    check "--help says it resolves $backend's" grep -qi "(.*$backend.*) *resolvable" <<<"$intro"
done
for command in list lookup status refresh enable disable; do
    run_vmhosts "$command" --help
    check_eq "$command --help: usage, exit 0" "0 Usage: vmhosts $command" "$RC $(head -n1 <<<"$OUT" | cut -d' ' -f1-3)"
    run_vmhosts help "$command"
    check_eq "help $command: the same" "0 Usage: vmhosts $command" "$RC $(head -n1 <<<"$OUT" | cut -d' ' -f1-3)"
done
run_vmhosts no-such-command
check_rc "an unknown command" 2
check_err "an unknown command: says so" 'unknown command "no-such-command"'
run_vmhosts
check_rc "no command" 2

# Usage errors, from the one parser every command shares
# (tools/cli/parse_options.c): exit 2, what is wrong, where to look.
for command in list lookup status refresh watch enable disable; do
    run_vmhosts "$command" --bogus
    check_rc "$command --bogus" 2
    check_err "$command --bogus: names the option" "^vmhosts $command: unknown option: --bogus\$"
    check_err "$command --bogus: where to look" "^Try \`vmhosts $command --help'\.\$"
    run_vmhosts "$command" --help --bogus
    check_eq "$command --help --bogus: the help, where it was asked" "0 Usage: vmhosts $command" \
        "$RC $(head -n1 <<<"$OUT" | cut -d' ' -f1-3)"
done
run_vmhosts list -xj
check_err "list -xj: names the unknown letter, not the command" '^vmhosts list: unknown option: -x$'
run_vmhosts list --json=1
check_err "list --json=1: a flag takes no value" '^vmhosts list: --json takes no value$'
run_vmhosts status extra
check_err "status extra: no operand" '^vmhosts status: unexpected argument "extra"$'
run_vmhosts lookup -n
check_rc "lookup without a name" 2
check_err "lookup without a name: says so" '^vmhosts lookup: which name\? vmhosts lookup NAME$'
run_vmhosts lookup -n a.docker b.docker
check_rc "lookup with two names" 2
check_err "lookup with two names: names the second" '^vmhosts lookup: one name at a time; unexpected: b.docker$'
run_vmhosts refresh --backend
check_rc "refresh --backend without a value" 2
check_err "refresh --backend: says which values it wants" \
    '^vmhosts refresh: --backend wants docker, multipass, lxd, incus, libvirt or all$'
run_vmhosts refresh -b nope
check_err "refresh -b nope: an unknown backend" \
    '^vmhosts refresh: unknown backend "nope" \(docker, multipass, lxd, incus, libvirt or all\)$'
run_vmhosts refresh --timeout-ms 0
check_rc "refresh --timeout-ms 0" 2
check_err "refresh --timeout-ms 0: gives the range" \
    '^vmhosts refresh: --timeout-ms wants a number of milliseconds \(1 to 86400000\), not "0"$'
run_vmhosts watch --resync-interval=-1
check_err "watch --resync-interval=-1: gives the range" \
    '^vmhosts watch: --resync-interval wants whole seconds \(0 to 86400\), not "-1"$'
run_vmhosts enable --file ''
check_rc "enable --file ''" 2
check_err "enable --file '': says what --file wants" '^vmhosts enable: --file wants a path, not ""$'

# --- a user who may not open Docker's socket ----------------------------------
# nobody cannot write a cache of its own here nor open the socket: it reads
# root's, and status says what to do.
write_conf ttl=60 user_cache_dir="$T/user-cache/%u"
run_vmhosts refresh
if ! with_nss setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    skip "lookup and status as nobody" "setpriv cannot run a command as nobody here"
else
    OUT=$(with_nss setpriv --reuid=65534 --regid=65534 --clear-groups "$VMHOSTS" lookup vmh-web.docker 2>"$T/stderr")
    RC=$?
    check_rc "lookup as nobody, from root's cache" 0
    check_out "lookup as nobody: root's cache answered" "^  cache: +$T/cache/hosts.cache \(root's\)"
    OUT=$(with_nss setpriv --reuid=65534 --regid=65534 --clear-groups "$VMHOSTS" status 2>"$T/stderr")
    RC=$?
    check_rc "status as nobody without a watcher" 1
    check_out "status as nobody: the socket refuses this user" "^  note: $DOCKER_SOCK: Permission denied$"
    check_out "status as nobody: what to do" '^      do: have root run `vmhosts watch`'
    check_out "status as nobody: root's cache is read" "^  ok: root's cache: [0-9]+ containers"
    # nobody's runtime folder, private to this namespace: a regular file
    # where Podman's socket would be, a socket nothing listens on where
    # rootless Docker's would be.  A refresh asks neither (docker.h), and
    # status names only the socket, refused.
    OUT=$(with_nss sh -c '
        mount -t tmpfs none /run/user && mkdir -p /run/user/65534/podman &&
        : >/run/user/65534/podman/podman.sock &&
        "$1" -c "import socket; socket.socket(socket.AF_UNIX).bind(\"/run/user/65534/docker.sock\")" &&
        chown -R 65534 /run/user/65534 && chmod 700 /run/user/65534 &&
        exec setpriv --reuid=65534 --regid=65534 --clear-groups "$2" status' sh "$PYTHON" "$VMHOSTS" 2>"$T/stderr")
    check_out "status as nobody: a rootless socket nothing listens on is refused" \
        "^  note: /run/user/65534/docker.sock \(your rootless engine, in your own cache only\): Connection refused$"
    check "... a file that is no socket is passed over" eval '! grep -q podman.sock <<<"$OUT"'
fi
write_conf ttl=60

# --- a daemon of another user behind docker_socket ---------------------------
# nobody answers every request with an empty container list on a socket
# root's settings name, outside /run/user, where the path tells nothing.
if ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    skip "a daemon of another user" "setpriv cannot run a command as nobody here"
else
    FOREIGN=$T/foreign
    mkdir -m 755 "$FOREIGN" && chown 65534 "$FOREIGN"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$PYTHON" -c '
import socket, sys
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(8)
while True:
    connection, _ = server.accept()
    try:  # status only connects, and closes at once
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 2\r\nConnection: close\r\n\r\n[]")
    except OSError:
        pass
    connection.close()' "$FOREIGN/docker.sock" >"$T/foreign.log" 2>&1 &
    foreign_pid=$!
    at_exit "kill $foreign_pid 2>/dev/null"
    wait_until 10 test -S "$FOREIGN/docker.sock" ||
        bail_out "nobody's stand-in did not start: $(head -c 300 "$T/foreign.log")"
    write_conf ttl=60 docker_socket="$FOREIGN/docker.sock"
    run_vmhosts refresh --backend docker
    check_rc "refresh, nobody's daemon behind docker_socket: a failure" 1
    check_err "... whose answer is refused, its user named" \
        "runs as user 65534, neither root nor you: only that user's own refresh asks it"
    run_vmhosts status
    check_out "status says whose the daemon is" \
        "^  note: $FOREIGN/docker.sock accepts connections, but runs as user 65534, neither root nor you: a refresh takes none of its answers$"
    check_out "... and what to do about it" \
        '^      do: set docker_socket in vmhosts.conf to an engine root or you run; '
    run_vmhosts list
    check_err "list says the same" \
        "^  set docker_socket in vmhosts.conf to an engine root or you run; another user's engine answers only that user's own"
    kill "$foreign_pid" 2>/dev/null
fi
write_conf ttl=60
run_vmhosts refresh

# --- with `vmhosts watch` keeping root's cache -------------------------------
write_conf ttl=60 user_cache_dir="$T/user-cache/%u"
"$VMHOSTS" watch >"$T/watch.log" 2>&1 &
watch_pid=$!
at_exit "kill -TERM $watch_pid 2>/dev/null; wait $watch_pid 2>/dev/null"
for ((tries = 0; tries < 50; tries++)); do
    run_vmhosts status
    grep -q 'kept fresh by vmhosts watch' <<<"$OUT" && break
    sleep 0.2
done
check_out "status with a watcher: the cache is kept fresh by it" \
    "^  ok: $T/cache/hosts.cache \(root's\): written .*, kept fresh by vmhosts watch$"
check_out "status with a watcher: the answers' time is their last change" \
    "^  ok: root's cache: [0-9]+ containers, 1 running, last changed [0-9]+ s ago \(kept fresh by vmhosts watch\)$"
run_vmhosts lookup vmh-web.docker
check_out "lookup with a watcher: says the watcher keeps the cache" "kept fresh by vmhosts watch$"
check_out "lookup with a watcher: the answers' time is their last change" \
    "^  cache: +$T/cache/hosts.cache \(root's\), docker last changed [0-9]+ s ago"
if with_nss setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    OUT=$(with_nss setpriv --reuid=65534 --regid=65534 --clear-groups "$VMHOSTS" status 2>"$T/stderr")
    RC=$?
    check_rc "status as nobody with a watcher: all is well" 0
    check_eq "status as nobody with a watcher: no problem" "" "$(grep PROBLEM <<<"$OUT")"
fi
kill -TERM "$watch_pid"
wait "$watch_pid"
check_eq "the watcher stopped on SIGTERM" 0 "$?"
write_conf ttl=60

done_testing
