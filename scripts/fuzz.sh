#!/bin/sh
# make fuzz: builds the libFuzzer drivers in Fuzz/ (instrumented, with AddressSanitizer)
# and runs every target for FUZZ_SECONDS (default 60) or FUZZ_RUNS executions, starting
# from its checked-in seeds. Prints executions, executions per second and crashes per
# target; a crash's input is kept in Fuzz/crashes/<target>/. See FUZZING.md.
set -eu
cd "$(dirname "$0")/../Fuzz"
SECONDS_EACH=${FUZZ_SECONDS:-60}
RUNS=${FUZZ_RUNS:-}
TARGETS=${FUZZ_TARGETS:-"frontmatter index objects parse-cache config"}
mkdir -p .work
if ! swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library > .work/build.log 2>&1; then
    grep -v 'Cannot export local symbol' .work/build.log | grep -E 'error' | head -20 >&2
    echo "make fuzz: the fuzz targets do not build (Fuzz/.work/build.log)" >&2
    exit 2
fi
printf '%-12s %12s %10s %8s %8s\n' target executions exec/s seconds crashes
status=0
for target in $TARGETS; do
    asan=
    case $target in
        frontmatter) binary=FuzzFrontmatter dict="-dict=frontmatter.dict" ;;
        index) binary=FuzzIndex dict= ;;
        objects) binary=FuzzObjects dict= ;;
        parse-cache) binary=FuzzParseCache dict= ;;
        # TOMLKit's getters leak what they hand over (keys, strings; FUZZING.md): leaks
        # are not checked in this target, every other check is.
        config) binary=FuzzConfig dict=-detect_leaks=0 asan=detect_leaks=0 ;;
        *) echo "unknown target $target" >&2; exit 2 ;;
    esac
    work=.work/$target
    mkdir -p "$work" "crashes/$target"
    log=.work/$target.log
    if [ -n "$RUNS" ]; then limit="-runs=$RUNS"; else limit="-max_total_time=$SECONDS_EACH"; fi
    set +e
    ASAN_OPTIONS=$asan ".build/release/$binary" $limit $dict -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="crashes/$target/" -print_final_stats=1 "$work" "corpus/$target" > "$log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    crashes=$(find "crashes/$target" -type f | wc -l)
    printf '%-12s %12s %10s %8s %8s\n' "$target" "${runs:-?}" "${rate:-?}" "${took:-?}" "$crashes"
    if [ "$code" != 0 ] || [ "$crashes" != 0 ]; then
        status=1
        grep -m3 -E 'ERROR|panic|Fatal error|Precondition' "$log" >&2 || tail -5 "$log" >&2
    fi
done
exit $status
