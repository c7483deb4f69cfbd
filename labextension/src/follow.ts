/**
 * Following a retried job until it runs, for "Retry and Debug": what each
 * state means, how often to ask, and what to tell the user. Pure: the
 * fetch, the wait and the clock are injected.
 */

import { formatDuration, statusLabel } from './jobs';
import { IJob } from './tokens';

/** What a job's state means to a wait for its shell. */
export type FollowStep = 'wait' | 'running' | 'ended' | 'manual';

/**
 * Whether to keep waiting for a job (queued, delayed, being canceled), open
 * its terminal (running), or give up: it ended without running long enough
 * to be seen, or waits for someone to play it.
 */
export function followStep(job: IJob): FollowStep {
  switch (job.status) {
    case 'running':
      return 'running';
    case 'manual':
      return 'manual';
    case 'success':
    case 'failed':
    case 'canceled':
    case 'skipped':
      return 'ended';
    default:
      return 'wait';
  }
}

/** How a wait for a job to run ended. */
export interface IFollowOutcome {
  /** `running`, `ended`, `manual` (see `followStep`), or why the wait stopped. */
  kind: FollowStep | 'stopped' | 'timeout' | 'error';
  /** The job as last seen. */
  job: IJob;
  /** Milliseconds waited. */
  waited: number;
  /** The last failed fetch, for `error`. */
  error?: unknown;
}

/** Options of `followUntilRunning`. */
export interface IFollowOptions {
  /** Fetch the job's current state. */
  fetch: () => Promise<IJob>;
  /** Told each new status of the job that is still waited for. */
  onStatus?: (job: IJob) => void;
  /** Aborting stops the wait at once (outcome `stopped`). */
  signal?: AbortSignal;
  /** Milliseconds to wait for the job to run; 30 minutes by default. */
  timeout?: number;
  /** Failed fetches in a row that end the wait; 3 by default. */
  maxErrors?: number;
  /** Milliseconds between fetches after waiting `elapsed` ms; `pollDelay` by default. */
  delay?: (elapsed: number) => number;
  /** Wait `ms`, or less when `signal` aborts; `sleep` by default. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock, in milliseconds; `Date.now` by default. */
  now?: () => number;
}

/** How long "Retry and Debug" waits for the new job to run. */
export const FOLLOW_TIMEOUT = 30 * 60 * 1000;

/**
 * Milliseconds between fetches of a job waited for: every second for a
 * minute, as a job usually starts by then and the shell is wanted at its
 * start; every 5 s after that, gentler on a busy CI server.
 */
export function pollDelay(elapsed: number): number {
  return elapsed < 60 * 1000 ? 1000 : 5000;
}

/** Resolve after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

/**
 * Follow `job` (e.g. the answer of a retry) until it runs, ends, becomes
 * manual, the wait is stopped or times out, or fetches keep failing.
 *
 * A state is acted on as soon as it is seen: `job` itself first, without a
 * fetch.
 */
export async function followUntilRunning(
  job: IJob,
  options: IFollowOptions
): Promise<IFollowOutcome> {
  const {
    fetch,
    onStatus,
    signal,
    timeout = FOLLOW_TIMEOUT,
    maxErrors = 3,
    delay = pollDelay,
    now = Date.now
  } = options;
  const wait = options.sleep ?? sleep;
  const start = now();
  let current = job;
  let errors = 0;
  for (;;) {
    const waited = now() - start;
    if (signal?.aborted) {
      return { kind: 'stopped', job: current, waited };
    }
    const step = followStep(current);
    if (step !== 'wait') {
      return { kind: step, job: current, waited };
    }
    if (waited >= timeout) {
      return { kind: 'timeout', job: current, waited };
    }
    await wait(Math.min(delay(waited), timeout - waited), signal);
    if (signal?.aborted) {
      continue;
    }
    try {
      const next = await fetch();
      errors = 0;
      // Not for the status that ends the wait: its outcome says it.
      if (next.status !== current.status && followStep(next) === 'wait') {
        onStatus?.(next);
      }
      current = next;
    } catch (error) {
      if (++errors >= maxErrors) {
        return { kind: 'error', job: current, waited: now() - start, error };
      }
    }
  }
}

/** `lint #12`. */
const jobLabel = (job: IJob): string => `${job.name} #${job.id}`;

/** The line shown while waiting: "Waiting for lint #12 to start… (pending)". */
export function waitingMessage(job: IJob): string {
  return `Waiting for ${jobLabel(job)} to start… (${statusLabel(job.status)})`;
}

/**
 * One sentence saying why no terminal opened, for the outcomes that end the
 * wait without one; null for `running` and `stopped`.
 *
 * @param describe - Words for a fetch error.
 */
export function outcomeMessage(
  outcome: IFollowOutcome,
  describe: (error: unknown) => string = String
): string | null {
  const { job } = outcome;
  switch (outcome.kind) {
    case 'ended':
      return `${jobLabel(job)} ended (${statusLabel(job.status)}) before its terminal could open.`;
    case 'manual':
      return `${jobLabel(job)} waits to be started by hand: press Play, then Debug once it runs.`;
    case 'timeout':
      return `${jobLabel(job)} has not started after ${formatDuration(outcome.waited / 1000)}; stopped waiting for it.`;
    case 'error':
      return `Stopped waiting for ${jobLabel(job)}: ${describe(outcome.error)}`;
    default:
      return null;
  }
}
