#!/usr/bin/env bash
# The main job on the embedded default: check the bundled worlds; create the counter world in a
# scratch folder, send it events, show its state and journal, verify replay;
# run the ladder; then let a world evolve itself through governance (propose, shadow, a human
# principal's signed approval, apply) and show its signed receipts and audit; then give the
# Demiurge agent a task (scripted model) and audit that world too.
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

evolve="$scratch/self-evolve"
cp -r worlds/examples/self-evolve "$evolve"
rm -rf "$evolve/.aos"

step "A governed world in $evolve: your principal key, and adapter keys for blobs and the kernel's own effects"
human=$(aos key gen --root "$evolve" --name human --role principal --json | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).public_key))')
# The example names a demo key as its approver; this run puts yours in its approval policy instead.
node -e '
  const fs = require("node:fs"); const file = process.argv[1];
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  manifest.approval_policy.principals = [{ name: "human", public_key: process.argv[2] }];
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");' "$evolve/air/manifest.air.json" "$human"
aos key gen --root "$evolve" --name kernel --role adapter
aos key gen --root "$evolve" --name blob.default --role adapter
aos world create --root "$evolve"

step "Its first policy denies storing notes: the denial is journaled, and diagnose says why"
aos world send --root "$evolve" --schema demo/Note@1 --value-json '{"text":"first"}'
aos diagnose --root "$evolve" --schema demo/Note@1 --correlate-by text --value '"first"'

step "Evolve: a workflow drafts a policy patch, proposes and shadows it through governance effects"
aos world send --root "$evolve" --schema demo/EvolveEvent@1 --value-json '{"Evolve":null}'
aos world run --root "$evolve"
aos gov show 0 --root "$evolve"

step "You approve it with your principal key (a signature over the proposal and its patch hash)"
aos gov approve 0 --key human --root "$evolve"

step "The workflow applies it (its own pending apply does not block the swap); notes are stored now"
aos world send --root "$evolve" --schema demo/EvolveEvent@1 --value-json '{"Apply":null}'
aos world run --root "$evolve"
aos world send --root "$evolve" --schema demo/Note@1 --value-json '{"text":"second"}'
aos world run --root "$evolve"
aos world state --root "$evolve" demo/Notes@1

step "Receipts, each signed by its adapter's key"
aos receipts ls --root "$evolve"

step "Audit: the hash chain, every receipt and approval signature, replay or die"
aos audit verify --root "$evolve"

step "An agent task: Demiurge opens a host session on its work dir and runs the (scripted) model's tool calls"
# The bundled demo script stands in for a model, so this step is the same offline and in CI.
aos task "Read the README in the work dir and tell me what it is for" --root "$scratch/agent" --script worlds/demiurge/demo-script.json

step "Audit the agent's world too: its whole task replays"
aos audit verify --root "$scratch/agent"

