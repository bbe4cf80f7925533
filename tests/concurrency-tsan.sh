#!/usr/bin/env bash
# tests/test_concurrency.c again, built with the module under
# ThreadSanitizer: 16 threads resolving while another process rewrites the
# cache, and fork with lookups in flight, with every data race and lock
# misuse reported and failing the test.  Skipped where no compiler here has
# a working TSan (a probe with a deliberate race must be caught first).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 report_signal_unsafe=0"

cat >"$T/race.c" <<'PROBE'
#include <pthread.h>
static int shared;
static void *bump(void *arg) { (void)arg; shared++; return 0; }
int main(void)
{
    pthread_t a, b;
    pthread_create(&a, 0, bump, 0);
    pthread_create(&b, 0, bump, 0);
    pthread_join(a, 0);
    pthread_join(b, 0);
    return shared == 99;
}
PROBE

# The first compiler whose TSan builds, runs, and catches the probe's race.
TSAN_CC=
for cc in ${CC_TSAN:-clang gcc}; do
    command -v "$cc" >/dev/null || continue
    "$cc" -fsanitize=thread -g -pthread -o "$T/race" "$T/race.c" 2>"$T/probe.err" || continue
    "$T/race" >"$T/race.out" 2>&1
    if [ $? -eq 66 ] && grep -q "data race" "$T/race.out"; then
        TSAN_CC=$cc
        break
    fi
    # Kernels with a high mmap entropy defeat older TSan; without ASLR it runs.
    if command -v setarch >/dev/null && setarch "$(uname -m)" -R "$T/race" >"$T/race.out" 2>&1;
        [ $? -eq 66 ] && grep -q "data race" "$T/race.out"; then
        TSAN_CC=$cc
        NO_ASLR="setarch $(uname -m) -R"
        break
    fi
done
[ -n "$TSAN_CC" ] || skip_all "no compiler with a working ThreadSanitizer here: $(head -c 300 "$T/probe.err" "$T/race.out" 2>/dev/null | tr '\n' ' ')"
diag "ThreadSanitizer from $TSAN_CC"

sources=("$top_srcdir/tests/test_concurrency.c" "$top_srcdir/tools/snapshot/snapshot.c"
         "$top_srcdir/tools/snapshot/cache_write.c" "$top_srcdir/tools/snapshot/id_table.c"
         "$top_srcdir/tools/snapshot/text_index.c"
         "$top_srcdir/tools/snapshot/grow.c" "$top_srcdir/tools/snapshot/cache_same.c"
         "$top_srcdir/tools/snapshot/key_sort.c")
mapfile -t -O ${#sources[@]} sources < <(module_sources)
"$TSAN_CC" -std=c11 -D_GNU_SOURCE -DSYSCONFDIR='"/etc"' -DBINDIR='"/usr/local/bin"' \
    -DCACHEDIR='"/var/cache/vmhosts"' -DRUN_SECONDS=2 -I"$top_srcdir/nss_vmhosts" \
    -I"$top_srcdir/tools/snapshot" -I"$top_builddir" -g -O1 -fsanitize=thread -pthread \
    -o "$T/test_concurrency_tsan" "${sources[@]}" 2>"$T/build.err" ||
    bail_out "building test_concurrency under TSan failed: $(head -c 1000 "$T/build.err")"

${NO_ASLR:-} "$T/test_concurrency_tsan" >"$T/run.out" 2>"$T/run.err"
status=$?
# Its TAP lines, as this test's own.
while IFS= read -r line; do
    case $line in
    "ok "*) ok "TSan: ${line#ok * - }" ;;
    "not ok "*) fail "TSan: ${line#not ok * - }" ;;
    "#"*) echo "$line" ;;
    esac
done <"$T/run.out"
check_eq "TSan: the test ran to its end (exit status)" 0 "$status"
if grep -q "ThreadSanitizer" "$T/run.err"; then
    fail "TSan: no data race, lock misuse or signal-unsafe call reported"
    diag "$(grep -A 30 -m 1 "WARNING: ThreadSanitizer" "$T/run.err" | head -n 60)"
else
    ok "TSan: no data race, lock misuse or signal-unsafe call reported"
fi
done_testing
