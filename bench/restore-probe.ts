// Run by bench/restore.ts, bundled with code splitting, in a fresh plain-Node process: loads our
// code, opens a world read-only and reads the counter. Prints the time from the start of this
// script (Node is up; none of our code is loaded or parsed yet: the imports below load their
// chunks when they run) and from the start of the process to the value.
const scriptStartMs = performance.now();
const { decodeCanonical } = await import('../src/cbor/index.ts');
// The module that opens worlds, not the node layer's index, which re-exports the adapters
// (LLM SDKs and all) that reading a world never needs.
const { EmbeddedWorld } = await import('../src/node/embedded-world.ts');
const world = await EmbeddedWorld.open(process.argv[2] ?? '.', { readOnly: true });
const state = decodeCanonical(world.state('demo/PerfCounter@1') ?? new Uint8Array());
const readMs = performance.now();
world.close();
process.stdout.write(`script_ms=${readMs - scriptStartMs} process_ms=${readMs} state=${JSON.stringify(state)}\n`);
