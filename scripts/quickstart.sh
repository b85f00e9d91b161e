#!/usr/bin/env bash
# The main job on the embedded default: check the bundled worlds, create the counter world in a
# scratch folder, send it events, show its state and journal, verify replay, run the ladder.
set -euo pipefail
cd "$(dirname "$0")/.."
aos() { node bin/aos.js "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "Validate the bundled example worlds"
aos air check worlds/ladder/00-counter worlds/ladder/12-performance worlds/ladder/12-performance-keyed

scratch=$(mktemp -d "${TMPDIR:-/tmp}/aos-quickstart-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp -r worlds/ladder/00-counter "$scratch/counter"
rm -rf "$scratch/counter/.aos"
world="$scratch/counter"

step "Create the counter world (builds its TypeScript workflow, journals genesis) in $world"
aos world create --root "$world"

step "Send Start{3} and three Ticks; each is acknowledged once durable"
aos world send --root "$world" --schema demo/CounterEvent@1 --value-json '{"Start":{"target":3}}'
for _ in 1 2 3; do aos world send --root "$world" --schema demo/CounterEvent@1 --value-json '"Tick"'; done

step "Read the state"
aos world state --root "$world" demo/CounterSM@1

step "The hash-chained journal"
aos journal tail --root "$world"

step "Replay or die: rebuild from genesis and every snapshot and compare"
aos replay --verify --root "$world"

step "The ladder: every ladder world end to end, ending with replay-or-die"
node --import tsx scripts/ladder.ts
