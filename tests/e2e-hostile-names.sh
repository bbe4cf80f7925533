#!/usr/bin/env bash
# Hostile names end to end: real getent and Python's getaddrinfo through the
# built module, with `vmhosts [NOTFOUND=return] files` on the hosts: line.
# A name the module does not claim must come back UNAVAIL, so that files
# answers it (NOTFOUND would end the lookup there); a name no resolver can
# carry must end cleanly, never with a signal, and fast.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss

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
done_testing
