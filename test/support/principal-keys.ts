// Approval principals for tests: keys derived from fixed seeds (reproducible runs), and a variant
// of a world folder whose manifest gets an approval policy and grant budgets, written to a
// temporary folder (the module sources stay where they are).
import { createPrivateKey } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApprovalSigner } from '../../src/node/approval-signer.ts';

/** DER prefix of a PKCS#8 ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The principal `name` whose key is derived from its name (the same name always gives the same key). */
export function testPrincipal(name: string): ApprovalSigner {
  const raw = Buffer.alloc(32, 0x5a);
  raw.write(name.slice(0, 32), 'utf8');
  return new ApprovalSigner(name, createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, raw]), format: 'der', type: 'pkcs8' }));
}

/** What to add to a world's manifest. */
export interface ManifestChanges {
  readonly approvers?: readonly ApprovalSigner[];
  readonly quorum?: number;
  /** Budgets by grant name. */
  readonly budgets?: Readonly<Record<string, Record<string, number>>>;
}

const variants: string[] = [];

/** Deletes every variant folder made so far (call it from an `after` hook). */
export function removeVariants(): void {
  for (const dir of variants.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A copy of `dir`'s AIR (and sync config) in a temporary folder, its manifest changed; returns the folder. */
export function worldVariant(dir: string, changes: ManifestChanges): string {
  const target = mkdtempSync(join(tmpdir(), 'aos-variant-'));
  variants.push(target);
  mkdirSync(join(target, 'air'));
  for (const file of readdirSync(join(dir, 'air'))) copyFileSync(join(dir, 'air', file), join(target, 'air', file));
  copyFileSync(join(dir, 'aos.sync.json'), join(target, 'aos.sync.json'));
  const file = join(target, 'air', 'manifest.air.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { defaults: { cap_grants: Array<{ name: string; budget?: unknown }> }; approval_policy?: unknown };
  if (changes.approvers !== undefined) {
    manifest.approval_policy = { principals: changes.approvers.map((signer) => ({ name: signer.name, public_key: signer.keyId })), quorum: changes.quorum ?? 1 };
  }
  for (const grant of manifest.defaults.cap_grants) {
    const budget = changes.budgets?.[grant.name];
    if (budget !== undefined) grant.budget = budget;
  }
  writeFileSync(file, JSON.stringify(manifest, null, 2));
  return target;
}

/** The module sources of a world folder as absolute paths, to build a variant's modules from the originals. */
export function sourcesOf(dir: string): Record<string, string> {
  const modules = (JSON.parse(readFileSync(join(dir, 'aos.sync.json'), 'utf8')) as { build: { modules: Record<string, string> } }).build.modules;
  return Object.fromEntries(Object.entries(modules).map(([name, source]) => [name, join(dir, source)]));
}
