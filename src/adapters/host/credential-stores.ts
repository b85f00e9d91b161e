// Where the users of a machine keep their credentials: SSH and GPG keys, cloud and cluster
// logins, registry tokens. A host command runs as the node's user, so without the sandbox
// hiding these it could read them and print them into its receipt, and so into the journal.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isOutOfReach } from './confine.ts';

/** The credential stores hidden in every home folder, relative to it: folders and files. */
export const CREDENTIAL_STORES: readonly string[] = Object.freeze([
  '.ssh', '.gnupg', '.password-store', '.local/share/keyrings',
  '.aws', '.azure', '.config/gcloud', '.oci', '.kube', '.docker', '.terraform.d',
  '.config/gh', '.config/hub', '.git-credentials', '.netrc', '.pgpass', '.my.cnf',
  '.npmrc', '.yarnrc.yml', '.pypirc', '.cargo/credentials', '.cargo/credentials.toml', '.gem/credentials', '.m2/settings.xml',
  '.vault-token',
]);

/** Where users' home folders are on a Linux machine, besides the node user's own. */
const HOMES_FOLDER = '/home';
const ROOT_HOME = '/root';

/** The home folders on this machine: the node user's, root's and each one under /home. */
export function machineHomes(): string[] {
  let users: string[] = [];
  try {
    users = readdirSync(HOMES_FOLDER, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(HOMES_FOLDER, entry.name));
  } catch (error) {
    // A /home the node cannot list is one whose folders its commands cannot find either.
    if (!isOutOfReach(error)) throw error;
  }
  return [...new Set([homedir(), ROOT_HOME, ...users])];
}

/** Every credential store's path in each of `homes` (existing or not). */
export function credentialPaths(homes: readonly string[]): string[] {
  return homes.flatMap((home) => CREDENTIAL_STORES.map((store) => join(home, store)));
}
