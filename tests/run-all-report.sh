#!/usr/bin/env bash
# What tests/run-all prints at its end, where CI keeps only the last lines:
# the totals line, and what failed with the first words each test said.
# The functions are taken out of run-all itself and fed made-up logs.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

for function in print_failures print_totals; do
    eval "$(sed -n "/^$function() {/,/^}/p" "$top_srcdir/tests/run-all")"
    declare -F "$function" >/dev/null || bail_out "tests/run-all has no $function"
done

cat >"$T/check.log" <<'EOF'
PASS: tests/e2e-a.sh 1 - passes
FAIL: tests/e2e-a.sh 2 - a container resolves
SKIP: tests/e2e-a.sh 3 - i386 # SKIP no index
ERROR: tests/test_b - exited with status 134
ok 1 - passes
not ok 2 - a container resolves
# expected: '10.0.0.2'
#      got: ''
# third line
# fourth line, left out
ok 3 - i386 # SKIP no index
FAIL: tests/e2e-a.sh 2 - a container resolves
EOF
said=$(print_failures "$T/check.log")
check_eq "failures: each failed check once, then what its test said (three lines)" \
"run-all:   FAIL: tests/e2e-a.sh 2 - a container resolves
run-all:   ERROR: tests/test_b - exited with status 134
run-all:   not ok 2 - a container resolves
run-all:   # expected: '10.0.0.2'
run-all:   #      got: ''
run-all:   # third line" "$said"
for ((n = 0; n < 40; n++)); do echo "FAIL: tests/e2e-c.sh $n - check $n"; done >"$T/many.log"
check_eq "failures: at most 24 lines, so that they stay in CI's excerpt" 24 \
    "$(print_failures "$T/many.log" | wc -l)"
printf 'PASS: tests/e2e-a.sh 1 - passes\nok 1 - passes\n' >"$T/clean.log"
check_eq "failures: none in a clean log" "" "$(print_failures "$T/clean.log")"

mkdir -p "$T/run/build" && cd "$T/run" || bail_out "cannot enter $T/run"
printf '# TOTAL: 12\n# PASS:  9\n# SKIP:  1\n# FAIL:  1\n# ERROR: 1\n' >build/test-suite.log
echo 0 >build/distcheck.status
check_eq "totals: distcheck counted as one test" "10 passed, 2 failed, 1 skipped" "$(print_totals)"
print_totals >/dev/null
check_eq "totals: a failure is a non-zero status" 1 "$?"
rm build/distcheck.status
check_eq "totals: distcheck that did not run is a skip" "9 passed, 2 failed, 2 skipped" "$(print_totals)"
rm build/test-suite.log
check_eq "totals: no test ran, a failure" "0 passed, 1 failed" "$(print_totals)"
done_testing
