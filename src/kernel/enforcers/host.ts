// sys/CapEnforceHost@1: host.* effects within the grant's sys/HostCapParams@1. Every allowlist
// that is absent or empty allows any value, as in the other enforcers. Every bound is checked
// on what the params say; where a param the bound needs is absent (the adapter would apply its
// own default, which the grant did not agree to), or hidden behind a blob the kernel cannot
// read, the effect is refused with a message saying which param to give (fail closed).
//
// Checked here: allowed_targets, network_modes, workdir_prefixes, max_mounts, env_allow,
// max_env_vars, max_session_ttl_ns; max_exec_timeout_ns, max_argv_len, max_arg_length;
// allowed_signals; allowed_fs_ops, fs_roots, max_read_bytes, max_write_bytes, max_patch_bytes,
// allowed_patch_formats, max_changed_files, max_edit_replacements, max_grep_results,
// max_glob_results; allowed_output_modes. Left to the adapter, which alone sees the machine:
// the mount fields other than max_mounts (the local adapter mounts nothing), max_inline_bytes,
// max_scan_files, max_scan_bytes and follow_symlinks (the adapter never follows a symlink out
// of the work dir). Paths are relative to the session's work dir; confinement to it is the
// adapter's (it resolves symlinks); fs_roots narrows further, by path prefix.
import type { CborValue } from '../../cbor/index.ts';
import { ALLOW, deny, kindMismatch, listed, quoted } from './enforcer.ts';
import type { BuiltinEnforcer, CapCheck, CapVerdict } from './enforcer.ts';
import { allowList, EnforcerInputError, optionalNat, optionalRecord, optionalText, requiredText, underPrefix } from './params.ts';

const NAME = 'sys/CapEnforceHost@1';

/** The fs ops by effect kind, and the param naming the path each acts on (null: none; apply_patch names them in its text). */
const FS_KINDS: ReadonlyMap<string, { readonly op: string; readonly path: string | null }> = new Map([
  ['host.fs.read_file', { op: 'read_file', path: 'path' }],
  ['host.fs.write_file', { op: 'write_file', path: 'path' }],
  ['host.fs.edit_file', { op: 'edit_file', path: 'path' }],
  ['host.fs.apply_patch', { op: 'apply_patch', path: null }],
  ['host.fs.grep', { op: 'grep', path: 'path' }],
  ['host.fs.glob', { op: 'glob', path: 'path' }],
  ['host.fs.stat', { op: 'stat', path: 'path' }],
  ['host.fs.exists', { op: 'exists', path: 'path' }],
  ['host.fs.list_dir', { op: 'list_dir', path: 'path' }],
]);

const PATCH_HEADERS = ['*** Add File: ', '*** Update File: ', '*** Delete File: ', '*** Move to: '];

/** The built-in enforcer described above. */
export const enforceHost: BuiltinEnforcer = (check: CapCheck): CapVerdict => {
  const cap = check.capParams;
  const effect = check.effectParams.value;
  const output = outputModeVerdict(cap, effect);
  if (!output.allowed) return output;
  switch (check.effectKind) {
    case 'host.session.open': return checkOpen(cap, effect);
    case 'host.exec': return checkExec(cap, effect);
    case 'host.session.signal': {
      const signals = allowList(cap, 'allowed_signals', 'cap');
      const signal = requiredText(effect, 'signal', 'effect');
      if (signals !== null && !signals.includes(signal)) return deny('signal_not_allowed', `signal ${quoted(signal)} is not among the grant's allowed_signals (${listed(signals)})`);
      return ALLOW;
    }
    default: {
      const fs = FS_KINDS.get(check.effectKind);
      return fs === undefined ? kindMismatch(NAME, check.effectKind) : checkFs(cap, effect, check.effectKind, fs);
    }
  }
};

function outputModeVerdict(cap: CborValue, effect: CborValue): CapVerdict {
  const modes = allowList(cap, 'allowed_output_modes', 'cap');
  if (modes === null) return ALLOW;
  const fields = effect as Record<string, CborValue>;
  if (!('output_mode' in fields)) return ALLOW; // this kind has no output
  const mode = optionalText(effect, 'output_mode', 'effect') ?? 'auto';
  return modes.includes(mode) ? ALLOW : deny('output_mode_not_allowed', `output_mode ${quoted(mode)} is not among the grant's allowed_output_modes (${listed(modes)})`);
}

/** A nat param under a nat bound of the grant; absent while bounded is refused. */
function bounded(cap: CborValue, capField: string, effect: CborValue, field: string, code: string): CapVerdict {
  const max = optionalNat(cap, capField, 'cap');
  if (max === null) return ALLOW;
  const value = optionalNat(effect, field, 'effect');
  if (value === null) return deny(code, `the grant caps ${field} at ${max} (${capField}), and the params give none; pass ${field} of at most ${max}`);
  return value <= max ? ALLOW : deny(code, `${field} ${value} is over the grant's ${capField} of ${max}`);
}

function envVerdict(cap: CborValue, env: CborValue | undefined, field: string): CapVerdict {
  const names = env === undefined || env === null ? [] : Object.keys(env as Record<string, CborValue>);
  const allowed = allowList(cap, 'env_allow', 'cap');
  const refused = allowed === null ? [] : names.filter((name) => !allowed.includes(name));
  if (refused.length > 0) return deny('env_not_allowed', `${field} sets ${listed(refused)}, not among the grant's env_allow (${listed(allowed ?? [])})`);
  const max = optionalNat(cap, 'max_env_vars', 'cap');
  if (max !== null && BigInt(names.length) > max) return deny('too_many_env_vars', `${field} sets ${names.length} variables, over the grant's max_env_vars of ${max}`);
  return ALLOW;
}

function checkOpen(cap: CborValue, effect: CborValue): CapVerdict {
  const target = optionalRecord(effect, 'target', 'effect');
  const tag = target?.['$tag'];
  const local = optionalRecord(target ?? {}, '$value', 'effect');
  if (typeof tag !== 'string' || local === null) throw new EnforcerInputError('effect', 'the effect params\' "target" is not a host target variant');
  const targets = allowList(cap, 'allowed_targets', 'cap');
  if (targets !== null && !targets.includes(tag)) return deny('target_not_allowed', `target ${quoted(tag)} is not among the grant's allowed_targets (${listed(targets)})`);
  const networkMode = optionalText(local, 'network_mode', 'effect') ?? '';
  const networkModes = allowList(cap, 'network_modes', 'cap');
  if (networkModes !== null && !networkModes.includes(networkMode)) return deny('network_mode_not_allowed', `network_mode ${quoted(networkMode)} is not among the grant's network_modes (${listed(networkModes)})`);
  const prefixes = allowList(cap, 'workdir_prefixes', 'cap');
  if (prefixes !== null) {
    const workdir = optionalText(local, 'workdir', 'effect');
    if (workdir === null) return deny('workdir_not_allowed', `the grant bounds work dirs to ${listed(prefixes)}, and the target names none; give a workdir under one of them`);
    if (workdir.split('/').includes('..')) return deny('workdir_not_allowed', `workdir ${quoted(workdir)} has ".." segments, which the grant's workdir_prefixes cannot bound`);
    if (!underPrefix(workdir, prefixes)) return deny('workdir_not_allowed', `workdir ${quoted(workdir)} is not under the grant's workdir_prefixes (${listed(prefixes)})`);
  }
  const mounts = local['mounts'];
  const mountCount = Array.isArray(mounts) ? mounts.length : 0;
  const maxMounts = optionalNat(cap, 'max_mounts', 'cap');
  if (maxMounts !== null && BigInt(mountCount) > maxMounts) return deny('too_many_mounts', `the target has ${mountCount} mounts, over the grant's max_mounts of ${maxMounts}`);
  const env = envVerdict(cap, local['env'], 'the target env');
  if (!env.allowed) return env;
  return bounded(cap, 'max_session_ttl_ns', effect, 'session_ttl_ns', 'ttl_not_allowed');
}

function checkExec(cap: CborValue, effect: CborValue): CapVerdict {
  const argv = (effect as Record<string, CborValue>)['argv'];
  if (!Array.isArray(argv) || !argv.every((arg) => typeof arg === 'string')) throw new EnforcerInputError('effect', 'the effect params\' "argv" is not a list of text');
  const maxArgv = optionalNat(cap, 'max_argv_len', 'cap');
  if (maxArgv !== null && BigInt(argv.length) > maxArgv) return deny('argv_too_long', `argv has ${argv.length} items, over the grant's max_argv_len of ${maxArgv}`);
  const maxArg = optionalNat(cap, 'max_arg_length', 'cap');
  const long = maxArg === null ? undefined : (argv as string[]).find((arg) => BigInt(utf8Length(arg)) > maxArg);
  if (long !== undefined) return deny('arg_too_long', `argument ${quoted(long)} has ${utf8Length(long)} bytes, over the grant's max_arg_length of ${maxArg}`);
  const env = envVerdict(cap, (effect as Record<string, CborValue>)['env_patch'], 'env_patch');
  if (!env.allowed) return env;
  const cwd = pathVerdict(cap, optionalText(effect, 'cwd', 'effect') ?? '.', 'cwd');
  if (!cwd.allowed) return cwd;
  return bounded(cap, 'max_exec_timeout_ns', effect, 'timeout_ns', 'timeout_not_allowed');
}

/** A session-relative path under the grant's fs_roots (absent or empty: any). */
function pathVerdict(cap: CborValue, path: string, what: string): CapVerdict {
  const roots = allowList(cap, 'fs_roots', 'cap');
  if (roots === null) return ALLOW;
  const clean = path.replace(/^\.\/+/, '').replace(/^\.$/, '');
  if (clean.split('/').some((segment) => segment === '..')) return deny('path_not_allowed', `${what} ${quoted(path)} has ".." segments, which the grant's fs_roots cannot bound`);
  return underPrefix(clean, roots) ? ALLOW : deny('path_not_allowed', `${what} ${quoted(path)} is not under the grant's fs_roots (${listed(roots)})`);
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function checkFs(cap: CborValue, effect: CborValue, kind: string, fs: { readonly op: string; readonly path: string | null }): CapVerdict {
  const ops = allowList(cap, 'allowed_fs_ops', 'cap');
  if (ops !== null && !ops.includes(fs.op)) return deny('fs_op_not_allowed', `fs op ${quoted(fs.op)} (of "${kind}") is not among the grant's allowed_fs_ops (${listed(ops)})`);
  if (fs.path !== null) {
    const path = pathVerdict(cap, optionalText(effect, fs.path, 'effect') ?? '.', 'path');
    if (!path.allowed) return path;
  }
  switch (kind) {
    case 'host.fs.read_file': return bounded(cap, 'max_read_bytes', effect, 'max_bytes', 'read_too_large');
    case 'host.fs.write_file': return checkWrite(cap, effect);
    case 'host.fs.edit_file': {
      const max = optionalNat(cap, 'max_edit_replacements', 'cap');
      const all = (effect as Record<string, CborValue>)['replace_all'] === true;
      if (max !== null && all) return deny('edit_not_allowed', `the grant caps replacements at ${max} (max_edit_replacements), and replace_all could make more; edit one occurrence at a time`);
      if (max === 0n) return deny('edit_not_allowed', 'the grant allows no replacements (max_edit_replacements 0)');
      return ALLOW;
    }
    case 'host.fs.apply_patch': return checkPatch(cap, effect);
    case 'host.fs.grep': return bounded(cap, 'max_grep_results', effect, 'max_results', 'results_too_many');
    case 'host.fs.glob': return bounded(cap, 'max_glob_results', effect, 'max_results', 'results_too_many');
    default: return ALLOW;
  }
}

function checkWrite(cap: CborValue, effect: CborValue): CapVerdict {
  const max = optionalNat(cap, 'max_write_bytes', 'cap');
  if (max === null) return ALLOW;
  const content = optionalRecord(effect, 'content', 'effect');
  const inner = optionalRecord(content ?? {}, '$value', 'effect');
  let size: number;
  if (content?.['$tag'] === 'inline_text' && typeof inner?.['text'] === 'string') size = utf8Length(inner['text']);
  else if (content?.['$tag'] === 'inline_bytes' && inner?.['bytes'] instanceof Uint8Array) size = inner['bytes'].byteLength;
  else return deny('write_too_large', `the grant caps writes at ${max} bytes (max_write_bytes), and content given by blob_ref cannot be sized here; write the content inline`);
  return BigInt(size) <= max ? ALLOW : deny('write_too_large', `the content has ${size} bytes, over the grant's max_write_bytes of ${max}`);
}

function checkPatch(cap: CborValue, effect: CborValue): CapVerdict {
  const format = optionalText(effect, 'patch_format', 'effect') ?? 'v4a';
  const formats = allowList(cap, 'allowed_patch_formats', 'cap');
  if (formats !== null && !formats.includes(format)) return deny('patch_format_not_allowed', `patch_format ${quoted(format)} is not among the grant's allowed_patch_formats (${listed(formats)})`);
  const patch = optionalRecord(effect, 'patch', 'effect');
  const inner = optionalRecord(patch ?? {}, '$value', 'effect');
  const text = patch?.['$tag'] === 'inline_text' && typeof inner?.['text'] === 'string' ? inner['text'] : null;
  const needsText = ['max_patch_bytes', 'max_changed_files', 'fs_roots'].filter((field) => {
    const value = (cap as Record<string, CborValue>)[field];
    return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
  });
  if (needsText.length === 0) return ALLOW;
  if (text === null) return deny('patch_not_allowed', `the grant bounds patches (${needsText.join(', ')}), and a patch given by blob_ref cannot be read here; give the patch inline`);
  const maxBytes = optionalNat(cap, 'max_patch_bytes', 'cap');
  if (maxBytes !== null && BigInt(utf8Length(text)) > maxBytes) return deny('patch_too_large', `the patch has ${utf8Length(text)} bytes, over the grant's max_patch_bytes of ${maxBytes}`);
  const paths = text.split('\n').flatMap((line) => {
    const header = PATCH_HEADERS.find((prefix) => line.startsWith(prefix));
    return header === undefined ? [] : [line.slice(header.length).trim()];
  });
  const maxFiles = optionalNat(cap, 'max_changed_files', 'cap');
  if (maxFiles !== null && BigInt(paths.length) > maxFiles) return deny('patch_too_large', `the patch names ${paths.length} paths, over the grant's max_changed_files of ${maxFiles}`);
  for (const path of paths) {
    const verdict = pathVerdict(cap, path, 'patch path');
    if (!verdict.allowed) return verdict;
  }
  return ALLOW;
}
