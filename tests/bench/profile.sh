#!/usr/bin/env bash
# Profiles one command with perf and prints where carnet's time goes.
#
#   tests/bench/profile.sh NAME -- COMMAND [ARGS...]
#   tests/bench/profile.sh NAME            # report an existing recording again
#
# Records `perf record -F 250 --call-graph dwarf` of COMMAND (and every process
# it starts, so a benchmark's server is included) into
# target/profile/NAME.data, then prints the hottest functions by self time and
# carnet's functions by inclusive time. `PROFILE_COMM` keeps only the samples
# of threads with those names (comma-separated), e.g. the server's and not
# the benchmark client's: `PROFILE_COMM=server` is short for carnet's
# threads (main, tokio workers, the writer, the file watcher).
# Examples (see docs/performance.md):
#
#   tests/bench/profile.sh check-shared -- target/release/carnet check target/bench-vaults/shared-100000
#   CARNET_BENCH_LSP_ONLY=references CARNET_BENCH_LSP_ENCODINGS=utf-16 PROFILE_COMM=carnet \
#     tests/bench/profile.sh refs-utf16 -- target/release/deps/lsp-<hash>
#
# The machine's virtual CPUs have no hardware counters, so perf samples the
# cpu-clock; the shares are what matters, not the absolute sample counts.
set -euo pipefail

if [[ $# -lt 1 || ($# -ge 2 && $2 != "--") || $# -eq 2 ]]; then
    sed -n '2,24p' "$0" >&2
    exit 2
fi
name=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/target/profile"
mkdir -p "$out"
data="$out/$name.data"

if [[ $# -ge 3 ]]; then
    shift 2
    perf record -q -F "${PROFILE_FREQ:-250}" --call-graph dwarf,16384 -o "$data" -- "$@" >"$out/$name.stdout"
fi
filter=()
comm=${PROFILE_COMM:-}
if [[ $comm == server ]]; then
    comm="carnet,tokio-rt-worker,carnet-writer,notify-rs inoti"
fi
if [[ -n $comm ]]; then
    # Shares of the selected threads' samples, not of all samples.
    filter=(--comms "$comm" --percentage relative)
fi
report() {
    perf report -i "$data" "${filter[@]}" --stdio -g none --percent-limit 0.5 "$@" 2>/dev/null |
        grep -v '^#' | grep '%' | cut -c1-170
}
echo "== $name: samples by command"
perf report -i "$data" --stdio --sort comm -g none 2>/dev/null | grep -v '^#' | grep '%' | head -8
echo "== $name: self time (top 30)"
report --no-children --sort sym | head -30
echo "== $name: carnet functions, inclusive time (top 40)"
report --children --sort sym |
    grep -E 'carnet::' | grep -vE 'closure|call_once|call_mut|consume_iter|__rust_begin' | head -40
echo "== $name: all functions, inclusive time, without runtime wrappers (top 40)"
report --children --sort sym |
    grep -vE 'closure|call_once|call_mut|consume_iter|__rust_begin|catch_unwind|do_call|poll<|Poll|async|block_on|run<|enter<|with<|set<|thread_start|clone3|start_thread|coop|budget|spawn_blocking|BlockingTask|Harness|Core<|tokio::runtime|rayon_core|lang_start|libc_start|run_worker|\(inlined\)' |
    head -40
