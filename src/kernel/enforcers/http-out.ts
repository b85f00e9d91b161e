// sys/CapEnforceHttpOut@1: an http.request must fit the grant's allowlists of schemes, hosts,
// ports, methods and path prefixes (each empty or absent = any). The URL is read with the WHATWG
// URL parser (pure computation), the one fetch uses, so the enforcer checks the host the adapter
// will connect to: "https://ok.example@evil.example/" is evil.example to both.
import { ALLOW, deny, kindMismatch, listed, quoted } from './enforcer.ts';
import type { BuiltinEnforcer, CapCheck, CapVerdict } from './enforcer.ts';
import { allowList, natAllowList, requiredText, underPrefix } from './params.ts';

const NAME = 'sys/CapEnforceHttpOut@1';

/** Ports a URL without one connects to, by scheme (WHATWG "special schemes"). */
const DEFAULT_PORTS: ReadonlyMap<string, bigint> = new Map([['http', 80n], ['https', 443n], ['ws', 80n], ['wss', 443n], ['ftp', 21n]]);

/** The built-in enforcer described above. */
export const enforceHttpOut: BuiltinEnforcer = (check: CapCheck): CapVerdict => {
  if (check.effectKind !== 'http.request') return kindMismatch(NAME, check.effectKind);
  const effect = check.effectParams.value;
  const rawUrl = requiredText(effect, 'url', 'effect');
  const method = requiredText(effect, 'method', 'effect');
  const url = parseUrl(rawUrl);
  if (url === null) return deny('invalid_url', `url ${quoted(rawUrl)} is not an absolute URL`);
  const host = withoutTrailingDot(url.hostname);
  if (host === '') return deny('invalid_url', `url ${quoted(rawUrl)} names no host`);
  const cap = check.capParams;

  const scheme = url.protocol.slice(0, -1);
  const schemes = allowList(cap, 'schemes', 'cap');
  if (schemes !== null && !schemes.some((allowed) => allowed.toLowerCase() === scheme)) {
    return deny('scheme_not_allowed', `scheme "${scheme}" is not among the grant's schemes (${listed(schemes)})`);
  }
  const hosts = allowList(cap, 'hosts', 'cap');
  if (hosts !== null && !hosts.some((allowed) => normalizedHost(allowed) === host)) {
    return deny('host_not_allowed', `host ${quoted(host)} is not among the grant's hosts (${listed(hosts)}); hosts match exactly, so list each subdomain`);
  }
  const ports = natAllowList(cap, 'ports', 'cap');
  if (ports !== null) {
    const port = url.port === '' ? DEFAULT_PORTS.get(scheme) : BigInt(url.port);
    if (port === undefined) return deny('port_not_allowed', `url ${quoted(rawUrl)} has no port and scheme "${scheme}" has no default one; the grant allows ports ${listed(ports)}`);
    if (!ports.includes(port)) return deny('port_not_allowed', `port ${port} is not among the grant's ports (${listed(ports)})`);
  }
  const methods = allowList(cap, 'methods', 'cap');
  if (methods !== null && !methods.some((allowed) => allowed.toUpperCase() === method.toUpperCase())) {
    return deny('method_not_allowed', `method ${quoted(method)} is not among the grant's methods (${listed(methods)})`);
  }
  const prefixes = allowList(cap, 'path_prefixes', 'cap');
  if (prefixes !== null && !underPrefix(url.pathname, prefixes)) {
    return deny('path_not_allowed', `path ${quoted(url.pathname)} is not under the grant's path prefixes (${listed(prefixes)})`);
  }
  return ALLOW;
};

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch (error) {
    if (error instanceof TypeError) return null; // the parser's only failure: not a valid absolute URL
    throw error;
  }
}

/** A grant's host as the URL parser would write it (lower case, IDN in punycode), so both sides compare alike. */
function normalizedHost(entry: string): string {
  const parsed = parseUrl(`http://${entry}/`);
  return withoutTrailingDot(parsed !== null && parsed.host === parsed.hostname ? parsed.hostname : entry.toLowerCase());
}

function withoutTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
