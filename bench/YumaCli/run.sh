#!/usr/bin/env bash
# `ledger yuma` through the built CLI on generated inputs (docs/benchmarks.md, "ledger yuma on large inputs").
# Usage: bench/YumaCli/run.sh ROUNDS LEDGER_DLL [LEDGER_DLL...]   (each dll is one build; rounds alternate builds)
# Inputs come from bench/Consensus.Bench --write-json (seed 42). Every run is pinned to core 1. Per build and input it
# prints the median and the best wall time over the rounds and the median user+sys CPU; "beyond start" subtracts the
# same build's median for the 3-uid document of docs/yuma-json.md (process start, JIT of the command, one tiny epoch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=$1; shift
work=${YUMA_BENCH_DIR:-/tmp/yuma-cli-bench}
mkdir -p "$work"
bench="$root/bench/Consensus.Bench/bin/Release/net10.0/Bittensor.Ledger.Consensus.Bench.dll"
[ -f "$bench" ] || dotnet build -c Release "$root/bench/Consensus.Bench" -v q -nologo >/dev/null
for shape in 4096/256/10; do
  for mode in Classic Yuma3LiquidAlpha; do
    f="$work/${shape//\//-}-$mode.json"
    [ -f "$f" ] || dotnet "$bench" --write-json "$f" "$shape" "$mode"
  done
done
awk '/^```json$/ {on = 1; next} on && /^```$/ {exit} on' "$root/docs/yuma-json.md" > "$work/tiny.json"
inputs=(tiny 4096-256-10-Classic 4096-256-10-Yuma3LiquidAlpha)
declare -A wall cpu
for ((r = 0; r < rounds; r++)); do
  for dll in "$@"; do
    for in in "${inputs[@]}"; do
      t0=$(date +%s%N)
      /usr/bin/time -f "%U %S" -o "$work/cpu" taskset -c 1 dotnet "$dll" yuma --input "$work/$in.json" --output "$work/out.json"
      t1=$(date +%s%N)
      wall[$dll,$in]+="$(( (t1 - t0) / 1000000 )) "
      cpu[$dll,$in]+="$(awk '{printf "%d", ($1 + $2) * 1000}' "$work/cpu") "
      cmp -s "$work/out.json" "$work/out-$in.json" 2>/dev/null || { [ -f "$work/out-$in.json" ] && echo "OUTPUT DIFFERS: $dll $in" >&2; cp "$work/out.json" "$work/out-$in.json"; }
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best() { tr ' ' '\n' | grep -v '^$' | sort -n | head -1; }
for dll in "$@"; do
  base=$(echo "${wall[$dll,tiny]}" | median)
  for in in "${inputs[@]}"; do
    m=$(echo "${wall[$dll,$in]}" | median)
    printf '%s %-30s median %4d ms  best %4d ms  cpu %4d ms  beyond start %4d ms\n' "$dll" "$in" "$m" \
      "$(echo "${wall[$dll,$in]}" | best)" "$(echo "${cpu[$dll,$in]}" | median)" $((m - base))
  done
done
echo "load: $(cat /proc/loadavg)"
