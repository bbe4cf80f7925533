#!/usr/bin/env bash
# A bounded libFuzzer run of every target (fuzz/fuzz.mk): the cache reader,
# the Docker JSON mapping and event lines, the multipass, LXD and libvirt parsers, the
# nsswitch.conf editor, the DNS face's replies and listen words, the
# commands' option parser, and the name classifier with
# the resolver and packing behind it, each under ASan and UBSan for
# FUZZ_SHORT_SECONDS (20 s; `make fuzz` runs them for FUZZ_SECONDS).  A crash,
# a leak or a sanitizer report fails the check, and the input that did it is
# kept in fuzz/artifacts/ of the build folder: copy it into
# fuzz/regressions/<target>/ to make it a replay test.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

SECONDS_EACH=${FUZZ_SHORT_SECONDS:-20}
TARGETS="cache docker multipass names lxd libvirt dns listen events nsswitch options"

command -v clang >/dev/null || skip_all "clang is not installed (apt-get install clang)"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long s) { (void)d; (void)s; return 0; }' \
    >"$T/probe.c"
clang -fsanitize=fuzzer,address,undefined "$T/probe.c" -o "$T/probe" 2>"$T/probe.err" ||
    skip_all "clang has no libFuzzer here (clang -fsanitize=fuzzer: $(head -c 200 "$T/probe.err"))"

cd "$top_builddir" || bail_out "no build folder $top_builddir"
make -s fuzz-targets fuzz-corpus >"$T/build.log" 2>&1 ||
    bail_out "building the fuzz targets failed: $(tail -n 20 "$T/build.log")"

total_runs=0
for target in $TARGETS; do
    log=fuzz/fuzz_$target.short.log
    ./fuzz/fuzz_$target -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -artifact_prefix="fuzz/artifacts/$target-" -print_final_stats=1 \
        "fuzz/corpus/$target" >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    [[ $runs =~ ^[0-9]+$ ]] || runs=0
    total_runs=$((total_runs + runs))
    if [ $status -eq 0 ] && [ "$runs" -gt 0 ]; then
        ok "fuzz_$target: $SECONDS_EACH s, $runs executions, no crash, leak or sanitizer report"
    else
        fail "fuzz_$target: exit $status after $runs executions"
        diag "$(grep -E -A 12 'ERROR|SUMMARY|runtime error|deadly signal' "$log" | head -n 40)"
        diag "the input is in $top_builddir/fuzz/artifacts/$target-*"
    fi
done
diag "$total_runs executions in all"
done_testing
