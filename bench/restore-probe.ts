// Run by bench/restore.ts, bundled, in a fresh plain-Node process: opens a world read-only and
// reads the counter. Prints the time from the start of this script (Node is up; nothing of
// ours is loaded yet) and from the start of the process to the value.
const scriptStartMs = performance.now();
const { decodeCanonical } = await import('../src/cbor/index.ts');
const { EmbeddedWorld } = await import('../src/node/index.ts');
const world = await EmbeddedWorld.open(process.argv[2] ?? '.', { readOnly: true });
const state = decodeCanonical(world.state('demo/PerfCounter@1') ?? new Uint8Array());
const readMs = performance.now();
world.close();
process.stdout.write(`script_ms=${readMs - scriptStartMs} process_ms=${readMs} state=${JSON.stringify(state)}\n`);
