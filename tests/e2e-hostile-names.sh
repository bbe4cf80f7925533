#!/usr/bin/env bash
# Hostile names end to end: real getent and Python's getaddrinfo through the
# built module, with `vmhosts [NOTFOUND=return] files` on the hosts: line.
# A name the module does not claim must come back UNAVAIL, so that files
# answers it (NOTFOUND would end the lookup there); a name no resolver can
# carry must end cleanly, never with a signal, and fast.  Then the other way
# round: names Docker itself hands out that are no host names (a hostname
# with a newline, an escape) must never reach glibc.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss

# Started first, so that an engine that cannot run here skips the file as
# it skips every Docker test, rather than failing half-way; without Docker
# installed, only its checks are skipped.
HAVE_DOCKER=
if command -v dockerd >/dev/null && command -v docker >/dev/null; then
    docker_start
    docker_image
    HAVE_DOCKER=1
fi

TIMEOUT_MS=1500
write_conf timeout_ms=$TIMEOUT_MS

long300=$(printf 'a%.0s' $(seq 293)).docker
# Names a hosts file can hold: files answers them after the module.
FILES_NAMES=(".docker" "a..docker" "café.docker" "%41%42.docker" "%s%n%x.docker" "web%" "$long300")
lines=()
for i in "${!FILES_NAMES[@]}"; do lines+=("192.0.2.$((i + 1)) ${FILES_NAMES[i]}"); done
write_hosts_file "${lines[@]}"
set_hosts_line 'vmhosts [NOTFOUND=return] files'

for i in "${!FILES_NAMES[@]}"; do
    name=${FILES_NAMES[i]}
    shown=$name
    [ ${#name} -le 40 ] || shown="${name:0:12}... (${#name} chars)"
    check_eq "getent hosts '$shown': not ours, files answers" "192.0.2.$((i + 1))" "$(getent_hosts "$name")"
    # getent ahosts asks with AI_IDN: café.docker becomes xn--caf-dma.docker,
    # a well-formed name of ours, which the hosts file does not hold.
    [[ $name == *é* ]] ||
        check_eq "getent ahosts '$shown': not ours, files answers" "192.0.2.$((i + 1))" \
            "$(getent_ahosts "$name")"
done
check_eq "getaddrinfo 'café.docker' (UTF-8 bytes): files answers" 192.0.2.3 \
    "$(python_getaddrinfo "café.docker")"

# Names nothing can answer: each ends cleanly (no signal) within the timeout.
HOSTILE_NAMES=("" "." $'web\n.docker' $'we\tb.docker' $'\e[2J.docker' $'\x7f' $'\xff\xfe.docker'
    "$(printf 'b%.0s' $(seq 248)).docker" "$long300.$long300")
for name in "${HOSTILE_NAMES[@]}"; do
    shown=$(printf '%q' "$name")
    [ ${#shown} -le 40 ] || shown="${shown:0:12}... (${#name} chars)"
    for lookup in "getent hosts" "getent ahosts" "$PYTHON -c"; do
        started=$(now_ms)
        if [ "$lookup" = "$PYTHON -c" ]; then
            with_nss "$PYTHON" -c '
import socket, sys
try:
    socket.getaddrinfo(sys.argv[1].encode("utf-8", "surrogateescape"), None)
except (socket.gaierror, UnicodeError, ValueError):
    sys.exit(2)' "$name" >/dev/null 2>&1
        else
            with_nss $lookup "$name" >/dev/null 2>&1
        fi
        status=$?
        elapsed=$(($(now_ms) - started))
        check "${lookup%% -c} $shown: ends cleanly, not found (exit $status), in ${elapsed} ms" \
            test "$status" -eq 2 -a "$elapsed" -lt "$TIMEOUT_MS"
    done
done
check_eq "no refresher was started for any of them" "" "$(processes_of "$VMHOSTS")"
check "no cache was written for any of them" test ! -e "$T/cache/hosts.cache"

# --- names Docker hands out that are no host names ------------------------------
# Docker (20.10 here) takes any hostname the kernel takes: a newline, an
# escape, a space, UTF-8, up to 64 bytes (sethostname refuses more), and
# container names with labels of any length.  Recorded as they are, the
# hostname of vmh-forger would make `getent hosts vmh-forger.docker` print
# a second line, "127.6.6.6 forged", as if the hosts file had it.
docker_hostile_names() {
    local forger escaped good long_name long
    forger=$(docker_run vmh-forger --hostname $'x\n127.6.6.6 forged') &&
        escaped=$(docker_run vmh-escaped --hostname $'a\e]0;owned\a') &&
        good=$(docker_run vmh-good --hostname good-host) &&
        long_name=$(printf 'n%.0s' $(seq 100)) &&
        long=$(docker_run "$long_name") || bail_out "cannot start the containers"
    check_eq "vmhosts refresh --backend docker exits 0" 0 \
        "$("$VMHOSTS" refresh --backend docker >"$T/refresh.out" 2>&1; echo $?)"
    check "the cache holds no part of a hostname that is no host name" \
        test "$(grep -caE 'forged|owned' "$T/cache/hosts.cache")" = 0

    local address output
    address=$(docker_addresses "$forger")
    output=$(with_nss getent hosts vmh-forger.docker)
    check_eq "getent hosts vmh-forger.docker: one line, no alias from its hostname" \
        "$address vmh-forger.docker" "$(tr -s ' ' <<<"$output")"
    address=$(docker_addresses "$escaped")
    output=$(with_nss getent hosts vmh-escaped.docker)
    check_eq "getent hosts vmh-escaped.docker: no escape reaches the terminal" \
        "$address vmh-escaped.docker" "$(tr -s ' ' <<<"$output")"
    # For contrast: a hostname that is a host name is still an alias.
    address=$(docker_addresses "$good")
    output=$(with_nss getent hosts vmh-good.docker)
    check_eq "getent hosts vmh-good.docker: its valid hostname is an alias" \
        "$address vmh-good.docker good-host" "$(tr -s ' ' <<<"$output")"
    # A name with a 100-character label is none either: the container is
    # named by its short ID, and is still reached by ID.
    address=$(docker_addresses "$long")
    output=$(with_nss getent hosts "${long:0:12}.docker")
    check_eq "getent hosts <short ID>.docker of a container named with 100 characters" \
        "$address ${long:0:12}.docker" "$(tr -s ' ' <<<"$output")"
}

if [ -n "$HAVE_DOCKER" ]; then
    write_conf timeout_ms=$TIMEOUT_MS
    docker_hostile_names
else
    skip "names Docker hands out that are no host names" "dockerd or docker is not installed"
fi
done_testing
