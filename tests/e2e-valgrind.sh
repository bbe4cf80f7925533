#!/usr/bin/env bash
# The module under valgrind memcheck, as glibc loads it: real getent through
# the built module (found, not found, not ours, reverse, both families, a
# refresh started from inside the lookup, a corrupt cache), with
# --leak-check=full.  An invalid read or write, a use of uninitialised
# memory or a definite or indirect leak whose stack passes through
# libnss_vmhosts fails the check; reports about getent or glibc alone are
# shown, not counted.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-hardening.sh"

require_nss
command -v valgrind >/dev/null || skip_all "valgrind is not installed (apt-get install valgrind)"
valgrind -q --error-exitcode=99 true || skip_all "valgrind does not run here"

standin_start
write_conf docker_socket="$STANDIN_SOCK" ttl=60 timeout_ms=3000
"$VMHOSTS" refresh --backend docker >&2 2>"$T/refresh.err" || bail_out "refresh from the stand-in failed: $(cat "$T/refresh.err")"
first_v4=${STANDIN_ADDRESSES%% *}

# memcheck WHAT EXPECTED_EXIT COMMAND...: runs COMMAND under valgrind
# inside the test's namespace.
memcheck() {
    local what=$1 expected=$2 log=$T/valgrind.$TAP_COUNT.log status
    shift 2
    with_nss valgrind -q --error-exitcode=99 --leak-check=full \
        --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
        --track-origins=yes --num-callers=30 --log-file="$log" "$@" >/dev/null 2>&1
    status=$?
    if [ $status -eq 99 ] && grep -qE 'libnss_vmhosts|_nss_vmhosts|vmh_' "$log"; then
        fail "valgrind: $what: an error or leak in the module"
        diag "$(grep -v '^==[0-9]*== *$' "$log" | head -n 60)"
    elif [ $status -ne 99 ] && [ $status -ne "$expected" ]; then
        fail "valgrind: $what: exit $status, expected $expected"
        diag "$(head -n 30 "$log")"
    else
        ok "valgrind: $what: no error, no leak from the module (exit $status)"
        [ $status -ne 99 ] || diag "valgrind reported something outside the module:" "$(head -n 30 "$log")"
    fi
}

memcheck "getent hosts $STANDIN_NAME.docker (found)" 0 getent hosts "$STANDIN_NAME.docker"
memcheck "getent ahosts $STANDIN_NAME.docker (gethostbyname4_r)" 0 getent ahosts "$STANDIN_NAME.docker"
memcheck "getent ahostsv6 $STANDIN_NAME.docker" 0 getent ahostsv6 "$STANDIN_NAME.docker"
memcheck "getent hosts ${STANDIN_ID:0:12}.docker (ID prefix)" 0 getent hosts "${STANDIN_ID:0:12}.docker"
memcheck "getent hosts $first_v4 (reverse)" 0 getent hosts "$first_v4"
memcheck "getent hosts example.com (not ours)" 2 getent hosts example.com
memcheck "getent hosts a..docker (hostile name)" 2 getent hosts a..docker
memcheck "getent hosts nothing.docker (a miss: refresh from inside the lookup)" 2 \
    getent hosts nothing.docker
check "... which really asked the stand-in" test "$(grep -c ' /containers/json' "$STANDIN_LOG")" -ge 2
# Docker down: the refresh fails, the module answers from what it has.
echo http500 >"$STANDIN_MODE"
write_conf docker_socket="$STANDIN_SOCK" ttl=1 timeout_ms=3000
sleep 1.1
memcheck "getent ahosts $STANDIN_NAME.docker with Docker answering HTTP 500" 2 \
    getent ahosts "$STANDIN_NAME.docker"
printf 'X' | dd of="$T/cache/hosts.cache" bs=1 seek=100 conv=notrunc status=none
memcheck "getent hosts $STANDIN_NAME.docker with a corrupt cache" 2 getent hosts "$STANDIN_NAME.docker"
check_eq "no refresher is left running" "" "$(processes_of "$VMHOSTS")"
done_testing
