#!/usr/bin/env bash
# The unit tests again under AddressSanitizer, LeakSanitizer and UBSan:
# configures a second build with --enable-sanitizers in a scratch folder,
# builds it, and runs every unit test and fuzz replay there (the TESTS that
# are programs, not scripts: the end-to-end scripts run the module under
# valgrind instead, tests/e2e-valgrind.sh).  Any sanitizer report fails the
# test that triggered it (-fno-sanitize-recover=all, and LSan at exit).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

# Never from inside itself: the inner build must not run this test again.
[ -z "${VMHOSTS_SANITIZED_BUILD:-}" ] || skip_all "already inside the sanitized build"
export VMHOSTS_SANITIZED_BUILD=1
# Nor inherit the outer make's command-line variables (TESTS, TEST_LOGS):
# automake passes them down in MAKEFLAGS, and `make check` in the inner
# build would run the outer list, this test included.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES TESTS TEST_LOGS
[ -x "$top_srcdir/configure" ] || skip_all "no configure script in $top_srcdir (run autogen.sh)"
echo 'int main(void) { return 0; }' >"$T/probe.c"
${CC:-cc} -fsanitize=address,undefined "$T/probe.c" -o "$T/probe" 2>"$T/probe.err" && "$T/probe" ||
    skip_all "${CC:-cc} cannot build or run with ASan and UBSan here: $(head -c 200 "$T/probe.err")"

build=$T/asan-build
mkdir -p "$build"
cd "$build" || bail_out "cannot enter $build"
# Sanitized tests must not inherit the outer build's settings.
unset top_builddir
if ! "$top_srcdir/configure" -q --enable-sanitizers --enable-werror >"$T/configure.log" 2>&1; then
    bail_out "configure --enable-sanitizers failed: $(tail -n 20 "$T/configure.log")"
fi
started=$(now_ms)
make -j2 >"$T/build.log" 2>&1 || bail_out "the sanitized build failed: $(grep -m 5 -E 'error|Error' "$T/build.log")"
# Every TEST that is a program; the shell tests need the outer build.
unit_tests=$(make -s print-sanitized-tests 2>/dev/null)
[ -n "$unit_tests" ] || bail_out "the build lists no unit tests"
make -j2 $unit_tests >>"$T/build.log" 2>&1 ||
    bail_out "building the sanitized tests failed: $(grep -m 5 -E 'error|Error' "$T/build.log")"
ok "configure --enable-sanitizers and make: built with $(sed -n 's/^SANITIZER_CFLAGS = //p' Makefile)"
diag "built in $(( ($(now_ms) - started) / 1000 )) s"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
TEST_TIMEOUT=${SANITIZED_TEST_TIMEOUT:-300}
for test in $unit_tests; do
    # A test that hangs under the sanitizers fails instead of stopping the suite.
    top_builddir=$build top_srcdir=$top_srcdir FIXTURES=$FIXTURES timeout -k 5 "$TEST_TIMEOUT" \
        "./$test" >"$T/test.out" 2>"$T/test.err"
    status=$?
    [ $status -ne 124 ] || echo "timed out after $TEST_TIMEOUT s" >>"$T/test.err"
    passed=$(grep -c '^ok ' "$T/test.out")
    failed=$(grep -c '^not ok ' "$T/test.out")
    if [ $status -eq 0 ] && [ "$failed" -eq 0 ] && ! grep -qE 'Sanitizer|runtime error' "$T/test.err"; then
        ok "$test under ASan+UBSan: $passed checks passed, no sanitizer report"
    else
        fail "$test under ASan+UBSan: exit $status, $failed of $((passed + failed)) checks failed"
        diag "$(grep -E '^not ok' "$T/test.out" | head -n 5)" "last output: $(tail -n 2 "$T/test.out")" \
            "$(grep -E -A 15 'ERROR: |runtime error|timed out' "$T/test.err" | head -n 40)"
    fi
done
done_testing
