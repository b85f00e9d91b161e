// Goal: sys/CapEnforceHost@1 allows host effects inside the grant's sys/HostCapParams@1 and
// refuses each bound with its own code and a message naming what was refused; a bound whose
// param is absent (or hidden in a blob) is refused, not assumed (fail closed).
// Method: grant and effect params written as AIR JSON, read through the built-in schemas as the
// kernel reads them, then checked by the enforcer function; plus its registration by module
// name and by cap type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog, valueFromJson } from '../../../src/air/index.ts';
import type { DefCap } from '../../../src/air/index.ts';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { CapVerdict } from '../../../src/kernel/enforcers/enforcer.ts';
import { enforceHost } from '../../../src/kernel/enforcers/host.ts';
import { resolveEnforcer } from '../../../src/kernel/enforcers/index.ts';

const catalog = builtinCatalog();
const hostCap = (): DefCap => catalog.get('defcap', 'sys/host@1')!.def;

function check(grant: unknown, kind: string, params: unknown): CapVerdict {
  const paramsSchema = catalog.get('defeffect', `sys/${kind}@1`)!.def.params_schema;
  const capParams = valueFromJson(grant, hostCap().schema, catalog, {});
  const value = valueFromJson(params, { ref: paramsSchema }, catalog, {});
  return enforceHost({ grant: 'g', capParams, effectKind: kind, effectParams: { bytes: encodeCanonical(value, { selfDescribe: false }), value } });
}

function denied(verdict: CapVerdict, code: string, says: RegExp): void {
  assert.equal(verdict.allowed, false, `expected a ${code} denial`);
  if (verdict.allowed) return;
  assert.equal(verdict.code, code, verdict.message);
  assert.match(verdict.message, says);
}

const ALLOWED = { allowed: true };
const open = (local: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ target: { $tag: 'local', $value: { network_mode: 'none', ...local } }, ...extra });

test('host enforcer is registered for sys/CapEnforceHost@1 and for the host cap type', () => {
  const resolved = resolveEnforcer(hostCap(), catalog as never, 'sha256:00' as never);
  assert.equal(resolved.kind, 'builtin');
  assert.equal(resolved.name, 'sys/CapEnforceHost@1');
});

test('session.open: targets, network modes, work dir prefixes, env allowlist and TTL', () => {
  const grant = { allowed_targets: ['local'], network_modes: ['none'], workdir_prefixes: ['/srv/agents/'], env_allow: ['LANG'], max_env_vars: 1, max_session_ttl_ns: 1000 };
  assert.deepEqual(check(grant, 'host.session.open', open({ workdir: '/srv/agents/a', env: { LANG: 'C' } }, { session_ttl_ns: 1000 })), ALLOWED);
  assert.deepEqual(check({}, 'host.session.open', open({})), ALLOWED, 'an empty grant bounds nothing');
  denied(check(grant, 'host.session.open', open({ workdir: '/srv/agents/a', network_mode: 'host' }, { session_ttl_ns: 1 })), 'network_mode_not_allowed', /"host"/);
  denied(check(grant, 'host.session.open', open({ workdir: '/etc' }, { session_ttl_ns: 1 })), 'workdir_not_allowed', /"\/etc" is not under/);
  denied(check(grant, 'host.session.open', open({ workdir: '/srv/agents/../../etc' }, { session_ttl_ns: 1 })), 'workdir_not_allowed', /"\.\." segments/);
  denied(check(grant, 'host.session.open', open({}, { session_ttl_ns: 1 })), 'workdir_not_allowed', /names none/);
  denied(check(grant, 'host.session.open', open({ workdir: '/srv/agents/a', env: { AWS_SECRET: 'x' } }, { session_ttl_ns: 1 })), 'env_not_allowed', /"AWS_SECRET"/);
  denied(check(grant, 'host.session.open', open({ workdir: '/srv/agents/a' }, { session_ttl_ns: 5000 })), 'ttl_not_allowed', /5000 is over/);
  denied(check(grant, 'host.session.open', open({ workdir: '/srv/agents/a' })), 'ttl_not_allowed', /give none; pass session_ttl_ns/);
});

test('exec: argv bounds, env_patch allowlist, cwd under fs_roots, timeout bound', () => {
  const grant = { max_argv_len: 3, max_arg_length: 8, env_allow: ['LANG'], fs_roots: ['src'], max_exec_timeout_ns: 10_000 };
  const exec = (params: Record<string, unknown>) => check(grant, 'host.exec', { session_id: 's', argv: ['ls', '-la'], cwd: 'src', timeout_ns: 10_000, ...params });
  assert.deepEqual(exec({ env_patch: { LANG: 'C' } }), ALLOWED);
  denied(exec({ argv: ['a', 'b', 'c', 'd'] }), 'argv_too_long', /4 items/);
  denied(exec({ argv: ['echo', 'much-too-long'] }), 'arg_too_long', /"much-too-long"/);
  denied(exec({ env_patch: { PATH: '/tmp/evil' } }), 'env_not_allowed', /"PATH"/);
  denied(exec({ cwd: '..' }), 'path_not_allowed', /"\.\." segments/);
  denied(exec({ cwd: 'docs' }), 'path_not_allowed', /"docs" is not under/);
  denied(exec({ timeout_ns: 20_000 }), 'timeout_not_allowed', /20000 is over/);
  denied(exec({ timeout_ns: null }), 'timeout_not_allowed', /pass timeout_ns/);
});

test('signal and output modes', () => {
  assert.deepEqual(check({ allowed_signals: ['interrupt'] }, 'host.session.signal', { session_id: 's', signal: 'interrupt' }), ALLOWED);
  denied(check({ allowed_signals: ['interrupt'] }, 'host.session.signal', { session_id: 's', signal: 'kill' }), 'signal_not_allowed', /"kill"/);
  denied(check({ allowed_output_modes: ['auto'] }, 'host.fs.list_dir', { session_id: 's', output_mode: 'blob' }), 'output_mode_not_allowed', /"blob"/);
  assert.deepEqual(check({ allowed_output_modes: ['auto'] }, 'host.fs.list_dir', { session_id: 's' }), ALLOWED, 'absent reads as auto');
});

test('fs: ops, roots, read/write/result bounds, edit replacements', () => {
  denied(check({ allowed_fs_ops: ['read_file'] }, 'host.fs.write_file', { session_id: 's', path: 'a', content: { $tag: 'inline_text', $value: { text: 'x' } } }), 'fs_op_not_allowed', /"write_file"/);
  denied(check({ fs_roots: ['src/'] }, 'host.fs.read_file', { session_id: 's', path: 'secrets/key' }), 'path_not_allowed', /fs_roots/);
  assert.deepEqual(check({ fs_roots: ['src/'] }, 'host.fs.read_file', { session_id: 's', path: 'src/a.ts' }), ALLOWED);
  denied(check({ max_read_bytes: 100 }, 'host.fs.read_file', { session_id: 's', path: 'a', max_bytes: 101 }), 'read_too_large', /101 is over/);
  denied(check({ max_read_bytes: 100 }, 'host.fs.read_file', { session_id: 's', path: 'a' }), 'read_too_large', /pass max_bytes/);
  denied(check({ max_write_bytes: 3 }, 'host.fs.write_file', { session_id: 's', path: 'a', content: { $tag: 'inline_text', $value: { text: 'four' } } }), 'write_too_large', /4 bytes/);
  denied(check({ max_write_bytes: 3 }, 'host.fs.write_file', { session_id: 's', path: 'a', content: { $tag: 'blob_ref', $value: { blob_ref: `sha256:${'0'.repeat(64)}` } } }), 'write_too_large', /blob_ref cannot be sized/);
  denied(check({ max_grep_results: 10 }, 'host.fs.grep', { session_id: 's', pattern: 'x', max_results: 11 }), 'results_too_many', /11 is over/);
  denied(check({ max_glob_results: 10 }, 'host.fs.glob', { session_id: 's', pattern: '*' }), 'results_too_many', /pass max_results/);
  denied(check({ max_edit_replacements: 1 }, 'host.fs.edit_file', { session_id: 's', path: 'a', old_string: 'x', new_string: 'y', replace_all: true }), 'edit_not_allowed', /replace_all/);
});

test('apply_patch: format, size, file count and every target path under fs_roots', () => {
  const patch = (text: string, extra: Record<string, unknown> = {}) => ({ session_id: 's', patch: { $tag: 'inline_text', $value: { text } }, ...extra });
  const good = '*** Begin Patch\n*** Add File: src/a.ts\n+x\n*** End Patch\n';
  assert.deepEqual(check({ fs_roots: ['src'], max_changed_files: 1, max_patch_bytes: 1000 }, 'host.fs.apply_patch', patch(good)), ALLOWED);
  denied(check({ allowed_patch_formats: ['v4a'] }, 'host.fs.apply_patch', patch(good, { patch_format: 'unified' })), 'patch_format_not_allowed', /"unified"/);
  denied(check({ max_patch_bytes: 10 }, 'host.fs.apply_patch', patch(good)), 'patch_too_large', /over the grant's max_patch_bytes/);
  denied(check({ max_changed_files: 1 }, 'host.fs.apply_patch', patch('*** Begin Patch\n*** Delete File: src/a\n*** Delete File: src/b\n*** End Patch\n')), 'patch_too_large', /names 2 paths/);
  denied(check({ fs_roots: ['src'] }, 'host.fs.apply_patch', patch('*** Begin Patch\n*** Update File: src/a.ts\n*** Move to: ../etc/x\n@@\n-a\n+b\n*** End Patch\n')), 'path_not_allowed', /patch path "\.\.\/etc\/x"/);
  denied(check({ fs_roots: ['src'] }, 'host.fs.apply_patch', { session_id: 's', patch: { $tag: 'blob_ref', $value: { blob_ref: `sha256:${'0'.repeat(64)}` } } }), 'patch_not_allowed', /give the patch inline/);
});

test('a kind the host enforcer does not know is refused (fail closed)', () => {
  const verdict = enforceHost({ grant: 'g', capParams: {}, effectKind: 'http.request', effectParams: { bytes: new Uint8Array(), value: {} } });
  denied(verdict, 'effect_kind_mismatch', /http\.request/);
});
