// Progress for long CLI work (exports, imports, forks, audits, replays): a spinner on stderr with
// the current phase and count, shown only to a person at a terminal. It is off with --json, when
// stderr is not a TTY (pipes, files, tests) and whenever CI is set, so machine output and CI logs
// never carry spinner frames. The only file that imports ora.
import type { Ora } from 'ora';
import type { ProgressListener } from '../node/index.ts';

/** The least time between two redraws forced by progress reports. */
const REDRAW_INTERVAL_MS = 80;

/** A running progress display; `done` clears it before the result is printed. */
interface Progress {
  readonly listener: ProgressListener;
  done(): void;
}

/** True when progress may be drawn: a terminal on stderr, no --json, no CI variable at all (CI systems set it, some to an empty string). */
function progressEnabled(json: boolean | undefined): boolean {
  // A pseudo-terminal without a width (columns 0) makes a spinner's line arithmetic divide by
  // zero and never finish clearing; such a terminal gets no progress either.
  return json !== true && process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0 && !('CI' in process.env) && process.env.TERM !== 'dumb';
}

/** Starts progress for `title` (a no-op display when progressEnabled is false). */
async function startProgress(title: string, json: boolean | undefined): Promise<Progress> {
  if (!progressEnabled(json)) return { listener: () => undefined, done: () => undefined };
  // Loaded only when drawn: commands that print no progress do not pay for loading it.
  const { default: ora } = await import('ora');
  let drawnAtMs = 0;
  const spinner: Ora = ora({ text: title, stream: process.stderr, isEnabled: true, discardStdin: false, color: process.env.NO_COLOR === undefined ? 'cyan' : false }).start();
  return {
    listener: (phase, done, total) => {
      spinner.text = `${title}: ${phase}${total > 0 ? ` ${done}/${total}` : ''}`;
      // Export, import and audit work synchronously in long stretches, so the spinner's timer
      // cannot fire: draw the new text now, at most once per frame interval.
      const nowMs = Date.now();
      if (nowMs - drawnAtMs >= REDRAW_INTERVAL_MS) {
        spinner.render();
        drawnAtMs = nowMs;
      }
    },
    done: () => spinner.stop(),
  };
}

/** Runs `work` with progress for `title`, clearing the display however it ends. */
export async function withProgress<T>(title: string, json: boolean | undefined, work: (listener: ProgressListener) => T | Promise<T>): Promise<T> {
  const progress = await startProgress(title, json);
  try {
    return await work(progress.listener);
  } finally {
    progress.done();
  }
}
