#!/bin/bash
# usage: runaway.sh BIN SEED (from the worktree whose Labs/ to use)
start=$(date +%s)
out=$( { /usr/bin/time -f "TIME cpu=%Us rss=%MkB" bash -c "cat "$(dirname "$0")"/probe2.txt | timeout 1200 $1 lab monzo-2017 --seed $2 --session /tmp/ra-$2-$$.jsonl" ; } 2>&1 | grep -E "^(CLIENTS|PAY0|TIME)|rror" | tr '\n' ' ')
rm -f /tmp/ra-$2-$$.jsonl
echo "seed $2: $out wall=$(( $(date +%s) - start ))s"
