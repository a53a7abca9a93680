#!/bin/bash
# usage: vet.sh BIN_DIR SEED  (run from the worktree whose Labs/ to use)
seed=$2
out=$(cat "$(dirname "$0")"/vet.txt | timeout 600 $1/firedrill lab monzo-2017 --seed $seed --session /tmp/vet-$seed-$$.jsonl 2>&1 | grep -E "^(PROBE|ROLL|PAY1|STALE|NPE)|rror" | tr '\n' ' ')
rm -f /tmp/vet-$seed-$$.jsonl
echo "seed $seed: $out"
