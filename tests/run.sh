#!/usr/bin/env bash
# tests/run.sh - the test command of Threadlab.
#
# Usage: tests/run.sh [--no-setup] [--only STAGE[,STAGE]] [--skip STAGE[,STAGE]] [--quiet] [--clean]
#
# Installs what is missing (scripts/setup.sh), then runs these stages in order, each timed:
#   native   cmake --preset native;      build; ctest   (release build, unit tests)
#   tsan     cmake --preset native-tsan; build; ctest   (ThreadSanitizer)
#   asan     cmake --preset native-asan; build; ctest   (AddressSanitizer + LeakSanitizer + UBSan)
#   sim      cmake --preset sim;         build; ctest   (simulated threads: fibers, seeded scheduler)
#   wasm     cmake --preset wasm;        build; ctest   (Emscripten pthreads, tests under node)
#   wasm-sim cmake --preset wasm-sim;    build; ctest   (simulated threads in wasm: Asyncify fibers)
#   e2e      python3 -m unittest (tests/e2e/test_*.py) and node --test (tests/e2e/*.test.mjs)
# A stage whose configure or build fails counts as one failure; later stages still run.
#
# Options:
#   --no-setup         do not run scripts/setup.sh first
#   --only LIST        run only these stages (comma separated)
#   --skip LIST        do not run these stages
#   --quiet, -q        do not stream logs; show the tail of a failing step's log instead
#   --clean            delete build/<preset> before configuring (a from-scratch build)
#   -h, --help         this text
#
# Logs: tests/artifacts/logs/<stage>.log (and setup.log, summary.txt); ctest JUnit reports in
# tests/artifacts/junit/. Environment: THREADLAB_TEST_TIMEOUT (ctest, per test, default 300 s),
# THREADLAB_E2E_TIMEOUT (each e2e runner, default 1800 s).
# The last line printed is "N passed, M failed". Exit status is non-zero if any stage or test
# failed, or if no test ran at all.
set -uo pipefail # no -e: a failing stage must not stop the stages after it

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

ALL_STAGES=(native tsan asan sim wasm wasm-sim e2e)
declare -A PRESET=([native]=native [tsan]=native-tsan [asan]=native-asan [sim]=sim [wasm]=wasm [wasm-sim]=wasm-sim)
ART="$ROOT/tests/artifacts"
LOGDIR="$ART/logs"
TEST_TIMEOUT="${THREADLAB_TEST_TIMEOUT:-300}"
E2E_TIMEOUT="${THREADLAB_E2E_TIMEOUT:-1800}"

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "run.sh: $*" >&2; exit 2; }

SETUP=1 QUIET=0 CLEAN=0 ONLY="" SKIP=""
while (($#)); do
    case "$1" in
        --no-setup) SETUP=0 ;;
        --only) [[ $# -ge 2 ]] || die "--only needs a list of stages"; ONLY="$2"; shift ;;
        --only=*) ONLY="${1#*=}" ;;
        --skip) [[ $# -ge 2 ]] || die "--skip needs a list of stages"; SKIP="$2"; shift ;;
        --skip=*) SKIP="${1#*=}" ;;
        -q|--quiet) QUIET=1 ;;
        --clean) CLEAN=1 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option: $1 (try --help)" ;;
    esac
    shift
done

is_stage() { local s; for s in "${ALL_STAGES[@]}"; do [[ "$s" == "$1" ]] && return 0; done; return 1; }
in_list() { [[ ",$2," == *",$1,"* ]]; }
for s in ${ONLY//,/ } ${SKIP//,/ }; do
    is_stage "$s" || die "unknown stage '$s' (stages: ${ALL_STAGES[*]})"
done
STAGES=()
for s in "${ALL_STAGES[@]}"; do
    [[ -n "$ONLY" ]] && ! in_list "$s" "$ONLY" && continue
    [[ -n "$SKIP" ]] && in_list "$s" "$SKIP" && continue
    STAGES+=("$s")
done
((${#STAGES[@]})) || die "no stage selected (stages: ${ALL_STAGES[*]})"

mkdir -p "$LOGDIR" "$ART/junit"

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
secs() { local d=$(($(now_us) - $1)); printf '%d.%d' $((d / 1000000)) $((d / 100000 % 10)); }
banner() { printf '\n==> %s\n' "$*"; }

# Per-row results (rows: setup and the stages), in the order they ran.
ROWS=()
declare -A R_STATUS R_PASS R_FAIL R_SECS R_NOTE

# Current stage: LOG is its log file; STEP_OUT is the output of the last step (for parsing).
TMPD="$(mktemp -d)"
trap 'rm -rf "$TMPD"' EXIT
LOG="" STEP_OUT="$TMPD/step.out"

# run_step TITLE CMD...: run CMD, stream its output (unless --quiet) into the stage log.
run_step() {
    local title="$1"; shift
    local start rc
    start="$(now_us)"
    printf '\n==> [%s] %s: %s\n' "$CUR" "$title" "$*" | tee -a "$LOG"
    : >"$STEP_OUT"
    if ((QUIET)); then
        "$@" </dev/null >"$STEP_OUT" 2>&1
        rc=$?
        cat "$STEP_OUT" >>"$LOG"
    else
        "$@" </dev/null 2>&1 | tee -a "$LOG" "$STEP_OUT"
        rc=${PIPESTATUS[0]}
    fi
    printf '==> [%s] %s: exit %d after %s s\n' "$CUR" "$title" "$rc" "$(secs "$start")" | tee -a "$LOG"
    if ((rc != 0 && QUIET)); then
        echo "---- last 40 lines of the $title output (full log: ${LOG#"$ROOT"/}) ----"
        tail -n 40 "$STEP_OUT"
        echo "----"
    fi
    return $rc
}

add() { CUR_PASS=$((CUR_PASS + $1)); CUR_FAIL=$((CUR_FAIL + $2)); }
note() { CUR_NOTE="${CUR_NOTE:+$CUR_NOTE; }$*"; }

# ctest: "100% tests passed, 0 tests failed out of 12"
parse_ctest() {
    local rc=$1 line f t
    line="$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$STEP_OUT" | tail -n 1)"
    if [[ -n "$line" ]]; then
        f="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")"
        t="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")"
        add $((t - f)) "$f"
        ((rc != 0 && f == 0)) && { add 0 1; note "ctest exited $rc"; }
    elif grep -q 'No tests were found' "$STEP_OUT"; then
        add 0 1
        note "ctest found no tests"
    elif ((rc != 0)); then
        add 0 1
        note "ctest exited $rc"
    fi
}

# node --test: TAP "# pass N" / "# fail N" (or the spec reporter's "ℹ pass N").
parse_node() {
    local rc=$1 p f c
    p="$(sed -nE 's/^(# |ℹ )pass ([0-9]+)$/\2/p' "$STEP_OUT" | tail -n 1)"
    f="$(sed -nE 's/^(# |ℹ )fail ([0-9]+)$/\2/p' "$STEP_OUT" | tail -n 1)"
    c="$(sed -nE 's/^(# |ℹ )cancelled ([0-9]+)$/\2/p' "$STEP_OUT" | tail -n 1)"
    p=${p:-0} f=$((${f:-0} + ${c:-0}))
    add "$p" "$f"
    ((rc != 0 && f == 0)) && { add 0 1; note "node --test exited $rc"; }
}

# unittest: "Ran N tests in ..." then "OK", "OK (skipped=s)" or "FAILED (failures=a, errors=b)".
parse_unittest() {
    local rc=$1 ran status fl er us sk xf failed
    ran="$(sed -nE 's/^Ran ([0-9]+) tests? in .*/\1/p' "$STEP_OUT" | tail -n 1)"
    status="$(grep -E '^(OK|FAILED)( \(.*\))?$' "$STEP_OUT" | tail -n 1)"
    field() { local v; v="$(grep -oE "(^|[(, ])$1=[0-9]+" <<<"$status" | grep -oE '[0-9]+$')"; echo "${v:-0}"; }
    fl=$(field failures) er=$(field errors) us=$(field 'unexpected successes') sk=$(field skipped)
    failed=$((fl + er + us))
    if [[ -n "$ran" ]]; then
        add $((ran - failed - sk)) "$failed"
        ((sk)) && note "$sk skipped"
    fi
    ((rc != 0 && failed == 0)) && { add 0 1; note "unittest exited $rc"; }
}

start_row() {
    CUR="$1" CUR_PASS=0 CUR_FAIL=0 CUR_NOTE="" CUR_SKIPPED=0
    LOG="$LOGDIR/$1.log"
    : >"$LOG"
    CUR_START="$(now_us)"
    ROWS+=("$1")
}
end_row() {
    local status=ok
    ((CUR_FAIL)) && status=FAILED
    ((CUR_SKIPPED)) && status=skipped
    R_STATUS[$CUR]=$status R_PASS[$CUR]=$CUR_PASS R_FAIL[$CUR]=$CUR_FAIL
    R_SECS[$CUR]="$(secs "$CUR_START")" R_NOTE[$CUR]="$CUR_NOTE"
    printf '==> [%s] %s: %d passed, %d failed in %s s%s\n' "$CUR" "$status" "$CUR_PASS" "$CUR_FAIL" \
        "${R_SECS[$CUR]}" "${CUR_NOTE:+ ($CUR_NOTE)}" | tee -a "$LOG"
}

# ---- setup ------------------------------------------------------------------------------------
if ((SETUP)); then
    banner "setup (scripts/setup.sh; skip with --no-setup)"
    start_row setup
    # Setup is not a test stage: its failure counts as one failure, its success adds nothing.
    if ! run_step install bash scripts/setup.sh; then
        add 0 1
        note "scripts/setup.sh failed"
    fi
    end_row
fi

# ---- cmake stages -----------------------------------------------------------------------------
cmake_stage() {
    local preset="${PRESET[$CUR]}" rc
    if ((CLEAN)); then
        echo "==> [$CUR] --clean: removing build/$preset" | tee -a "$LOG"
        rm -rf "$ROOT/build/$preset"
    fi
    if ! run_step configure cmake --preset "$preset"; then
        add 0 1; note "configure failed"; return
    fi
    if ! run_step build cmake --build --preset "$preset" -j2; then
        add 0 1; note "build failed"; return
    fi
    local ctest=(ctest --preset "$preset" --timeout "$TEST_TIMEOUT" --no-tests=error
        --output-junit "$ART/junit/$CUR.xml")
    if [[ "$CUR" == tsan ]]; then
        # GCC 12's TSan cannot map its shadow memory with >28 bits of mmap ASLR (newer kernels):
        # run without address randomization there.
        local bits
        bits="$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)"
        if ((bits > 28)) && command -v setarch >/dev/null; then
            ctest=(setarch "$(uname -m)" -R "${ctest[@]}")
        fi
    fi
    run_step test "${ctest[@]}"
    rc=$?
    parse_ctest $rc
}

e2e_stage() {
    local ran=0 rc
    if compgen -G "tests/e2e/test_*.py" >/dev/null; then
        ran=1
        run_step unittest timeout --kill-after=30 "$E2E_TIMEOUT" \
            python3 -m unittest discover -s tests/e2e -p 'test_*.py' -v
        rc=$?
        ((rc == 124)) && note "unittest timed out after $E2E_TIMEOUT s"
        parse_unittest $rc
    fi
    if compgen -G "tests/e2e/*.test.mjs" >/dev/null; then
        ran=1
        run_step node-test timeout --kill-after=30 "$E2E_TIMEOUT" node --test tests/e2e/
        rc=$?
        ((rc == 124)) && note "node --test timed out after $E2E_TIMEOUT s"
        parse_node $rc
    fi
    if ((!ran)); then
        echo "==> [e2e] skipped: no tests/e2e/test_*.py and no tests/e2e/*.test.mjs" | tee -a "$LOG"
        CUR_SKIPPED=1
        note "no e2e tests yet"
    fi
}

for stage in "${STAGES[@]}"; do
    banner "stage $stage (log: ${LOGDIR#"$ROOT"/}/$stage.log)"
    start_row "$stage"
    case "$stage" in
        native|sim) cmake_stage ;;
        tsan)
            TSAN_OPTIONS="second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}" cmake_stage
            ;;
        asan)
            ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
                UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
                cmake_stage
            ;;
        wasm|wasm-sim)
            # Debian's emscripten runs its JS tools with node and needs Debian's node modules.
            NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}" cmake_stage
            ;;
        e2e) e2e_stage ;;
    esac
    end_row
done

# ---- summary ----------------------------------------------------------------------------------
TOTAL_PASS=0 TOTAL_FAIL=0 ANY_FAILED=0
{
    echo
    echo "==> summary"
    printf '%-8s %-8s %7s %7s %9s  %s\n' stage result passed failed seconds note
    for r in "${ROWS[@]}"; do
        if [[ "$r" == setup ]]; then # not a test stage: only its failure counts
            printf '%-8s %-8s %7s %7d %9s  %s\n' "$r" "${R_STATUS[$r]}" - "${R_FAIL[$r]}" \
                "${R_SECS[$r]}" "${R_NOTE[$r]}"
            continue
        fi
        if [[ "${R_STATUS[$r]}" == skipped ]]; then
            printf '%-8s %-8s %7s %7s %9s  %s\n' "$r" skipped - - "${R_SECS[$r]}" "${R_NOTE[$r]}"
            continue
        fi
        printf '%-8s %-8s %7d %7d %9s  %s\n' "$r" "${R_STATUS[$r]}" "${R_PASS[$r]}" "${R_FAIL[$r]}" \
            "${R_SECS[$r]}" "${R_NOTE[$r]}"
    done
} | tee "$LOGDIR/summary.txt"
for r in "${ROWS[@]}"; do
    TOTAL_PASS=$((TOTAL_PASS + R_PASS[$r])) TOTAL_FAIL=$((TOTAL_FAIL + R_FAIL[$r]))
    [[ "${R_STATUS[$r]}" == FAILED ]] && ANY_FAILED=1
done
if ((TOTAL_PASS + TOTAL_FAIL == 0)); then
    echo "run.sh: no test ran" | tee -a "$LOGDIR/summary.txt"
fi
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed" | tee -a "$LOGDIR/summary.txt"
((ANY_FAILED == 0 && TOTAL_FAIL == 0 && TOTAL_PASS > 0))
