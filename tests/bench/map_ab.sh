#!/usr/bin/env bash
# Whole-process A/B for tests/bench/RESULTS.md: `misp-agent map` of one input by two builds,
# interleaved (A, B, A, B, ...), with GNU time; prints each build's CPU time (user + sys: min and
# median), median wall time and peak RSS.
#   bash tests/bench/map_ab.sh AGENT_A AGENT_B INPUT DATASET [RUNS=5]
# AGENT_x: a misp-agent binary (it loads the plugin next to it); DATASET: threat|threat_attributes.
set -euo pipefail
a=$1 b=$2 input=$3 dataset=$4 runs=${5:-5}
for _ in $(seq "$runs"); do
  for agent in "$a" "$b"; do
    /usr/bin/time -f "$agent %U %S %e %M" "$agent" map --dataset "$dataset" "$input" 2>&1 >/dev/null |
      tail -1
  done
done | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    agent, user, sys_, wall, rss = line.split()
    runs.setdefault(agent, []).append((float(user) + float(sys_), float(wall), int(rss)))
for agent, r in runs.items():
    cpu = sorted(x[0] for x in r)
    print("%s: cpu min %.2f s, median %.2f s; wall median %.2f s; peak RSS %d KiB (%d runs)" % (
        agent, cpu[0], statistics.median(cpu), statistics.median(x[1] for x in r),
        max(x[2] for x in r), len(r)))'
