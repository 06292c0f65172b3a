#!/bin/sh
# Runs libFuzzer targets, one after the other, for a set time each:
#   run.sh SECONDS SRCDIR TARGET...
# (what `make fuzz' and `make fuzz-brief' call). Each starts from its seed
# corpus SRCDIR/tests/fuzz/corpus/NAME and the regression inputs; new
# inputs go to fuzz-corpus/NAME in the build tree (kept between runs),
# crashes to fuzz-artifacts/. Prints one line per target with the
# executions per second, and exits non-zero if any target failed.
set -u
seconds=$1 srcdir=$2
shift 2
if [ $# -eq 0 ]; then
	echo "run.sh: no fuzz targets: configure with CC=clang --enable-fuzzing" >&2
	exit 2
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p fuzz-artifacts
failed=
summary=
for t in "$@"; do
	n=$(basename "$t")
	mkdir -p "fuzz-corpus/$n"
	seeds=
	for d in corpus regress; do
		[ -d "$srcdir/tests/fuzz/$d/$n" ] && seeds="$seeds $srcdir/tests/fuzz/$d/$n"
	done
	echo "== $n for $seconds s"
	log="fuzz-artifacts/$n.log"
	# -timeout: one input taking 10 s is a hang; -max_len: the harnesses
	# read programs of steps, longer inputs add nothing.
	# shellcheck disable=SC2086
	"./$t" -max_total_time="$seconds" -timeout=10 -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="fuzz-artifacts/$n-" "fuzz-corpus/$n" $seeds >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	corp=$(ls "fuzz-corpus/$n" | wc -l)
	line="$n: ${runs:-?} runs, ${rate:-?} exec/s, $cov, corpus $corp"
	if [ $rc -ne 0 ]; then
		line="$line: FAILED (exit $rc, see $log)"
		failed="$failed $n"
		grep -A30 'ERROR: \|==ERROR\|deadly signal\|runtime error' "$log" | head -60 >&2
	fi
	echo "$line"
	summary="$summary$line
"
done
[ $# -gt 1 ] && printf '\n%s' "$summary"
if [ -n "$failed" ]; then
	echo "run.sh: failed:$failed" >&2
	exit 1
fi
