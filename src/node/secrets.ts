// The node's AdapterSecrets: a defsecret's value, resolved by its name (`alias@version`) from
// its binding_id, only at execution, never journaled or logged:
//   env:NAME       the node's environment variable NAME, else NAME in the root's `.env` file
//   vault:NAME     the active version of vault entry NAME (<root>/.aos/vault)
//   anything else  the active version of the vault entry named by the binding_id (upstream's
//                  node secret store bindings, such as `llm/openai_api`)
// Only secrets the manifest declares resolve; forGrant(grant) also requires the grant in the
// secret's allowed_caps (the kernel checks refs in params at enqueue; this covers secrets an
// adapter names itself, such as a provider's configured API key). A declared expected_digest
// must match the value. Errors name the secret and where it was looked for, never the value.
import { hashBytes } from '../cbor/index.ts';
import type { DefSecret } from '../air/index.ts';
import type { AdapterSecrets } from '../adapters/index.ts';
import { dotenvFile, readDotenv } from './dotenv.ts';
import { NodeError } from './errors.ts';
import { Vault } from './vault.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a node's secrets resolver needs. */
export interface NodeSecretsOptions {
  /** The world root: its `.env` file and its vault. */
  readonly root: string;
  /** The defsecrets the world's manifest declares (its `secrets` section). */
  readonly secrets: readonly DefSecret[];
  /** The environment; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The vault; default the root's. */
  readonly vault?: Vault;
}

/** Where a binding_id says a secret's value lives. */
export type SecretSource = { readonly kind: 'env'; readonly variable: string } | { readonly kind: 'vault'; readonly entry: string };

/** The source a binding_id names; a malformed `env:` binding is refused. */
export function secretSource(secretName: string, bindingId: string): SecretSource {
  if (bindingId.startsWith('env:')) {
    const variable = bindingId.slice('env:'.length);
    if (!ENV_NAME.test(variable)) throw new NodeError('SECRET_UNAVAILABLE', `secret ${secretName} has binding_id ${JSON.stringify(bindingId)}, whose variable name is not valid`, 'write env:NAME with NAME of letters, digits and _');
    return { kind: 'env', variable };
  }
  return { kind: 'vault', entry: bindingId.startsWith('vault:') ? bindingId.slice('vault:'.length) : bindingId };
}

/** Resolves the manifest's secrets from the environment, the root's `.env` and the vault. */
export class NodeSecrets implements AdapterSecrets {
  readonly #root: string;
  readonly #secrets: ReadonlyMap<string, DefSecret>;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #vault: Vault;

  constructor(options: NodeSecretsOptions) {
    this.#root = options.root;
    this.#secrets = new Map(options.secrets.map((secret) => [secret.name, secret]));
    this.#env = options.env ?? process.env;
    this.#vault = options.vault ?? new Vault(options.root, { env: this.#env });
  }

  /** The value of a declared secret (no grant check: use forGrant when the intent's grant is known). */
  resolve(name: string): string {
    return this.#value(this.#declared(name));
  }

  /** A resolver for one execution under `grant`: only secrets whose allowed_caps list it. */
  forGrant(grant: string): AdapterSecrets {
    return {
      resolve: (name: string): string => {
        const secret = this.#declared(name);
        const allowed = secret.allowed_caps ?? [];
        if (!allowed.includes(grant)) {
          throw new NodeError('SECRET_NOT_ALLOWED', `secret ${name} may be used by grants ${allowed.map((item) => `"${item}"`).join(', ') || '(none)'}, not by "${grant}"`, `add "${grant}" to the allowed_caps of defsecret ${name}`);
        }
        return this.#value(secret);
      },
    };
  }

  #declared(name: string): DefSecret {
    const secret = this.#secrets.get(name);
    if (secret === undefined) {
      const declared = [...this.#secrets.keys()].sort();
      throw new NodeError('SECRET_NOT_ALLOWED', `secret ${name} is not declared in the world's manifest (declared: ${declared.join(', ') || 'none'})`,
        `add a defsecret named ${name} and list it in the manifest's "secrets"`);
    }
    return secret;
  }

  #value(secret: DefSecret): string {
    const source = secretSource(secret.name, secret.binding_id);
    const found = source.kind === 'env' ? this.#fromEnvironment(secret.name, source.variable) : this.#fromVault(secret.name, source.entry);
    if (found.value === '') throw new NodeError('SECRET_UNAVAILABLE', `secret ${secret.name} is empty in ${found.where}`, 'set it to the secret\'s value');
    if (secret.expected_digest !== undefined) {
      const digest = hashBytes(new TextEncoder().encode(found.value));
      if (digest !== secret.expected_digest) {
        throw new NodeError('SECRET_DIGEST_MISMATCH', `secret ${secret.name} from ${found.where} has digest ${digest}, not the expected_digest ${secret.expected_digest} its defsecret declares`,
          'set the value the defsecret expects, or update its expected_digest through a governance proposal');
      }
    }
    return found.value;
  }

  #fromEnvironment(name: string, variable: string): { readonly value: string; readonly where: string } {
    const value = this.#env[variable];
    if (value !== undefined) return { value, where: `environment variable ${variable}` };
    const fromFile = readDotenv(this.#root).get(variable);
    if (fromFile !== undefined) return { value: fromFile, where: `${dotenvFile(this.#root)} (${variable})` };
    throw new NodeError('SECRET_UNAVAILABLE', `secret ${name} is bound to environment variable ${variable}, which is neither set in the node's environment nor in ${dotenvFile(this.#root)}`,
      `export ${variable} before starting the node, or add a line ${variable}=… to ${dotenvFile(this.#root)}`);
  }

  #fromVault(name: string, entry: string): { readonly value: string; readonly where: string } {
    let value: Uint8Array;
    let version: number;
    try {
      const read = this.#vault.read(entry);
      value = read.value;
      version = read.version.version;
    } catch (error) {
      if (error instanceof NodeError && error.code === 'VAULT_NO_ENTRY') {
        throw new NodeError('SECRET_UNAVAILABLE', `secret ${name} is bound to vault entry ${entry}, which is not in ${this.#vault.directory}`,
          `store it with \`aos vault put --root ${this.#root} --name ${entry} --value-stdin\``, { cause: error });
      }
      throw error;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(value);
    } catch (error) {
      throw new NodeError('SECRET_UNAVAILABLE', `secret ${name} in vault entry ${entry} version ${version} is not UTF-8 text`, 'adapters take secrets as text: put the value as text', { cause: error });
    }
    return { value: text, where: `vault entry ${entry} version ${version}` };
  }
}
