/**
 * A job kept open after its script (a CI_DEBUG_HOLD, or gitlab-runner's
 * retention while a terminal is attached), read from the job's JSON: the
 * runner says why (`hold_reason`), until when (`hold_until`) and with which
 * status the job ends (`hold_status`). Pure functions, no DOM; the words
 * are those `%ci_jobs` shows in notebooks.
 */

import { IJob } from './tokens';

/** What a hold is, by `hold_reason`. */
const HOLD_WORDS: Record<string, string> = {
  on_failure: 'held for debugging',
  always: 'held for debugging',
  retention: 'kept open while its terminal is attached'
};

/** `45 s left`, `28 min left` (whole minutes, rounded up, from one minute on). */
export function timeLeft(seconds: number): string {
  const left = Math.max(0, seconds);
  return left < 60
    ? `${Math.ceil(left)} s left`
    : `${Math.ceil(left / 60)} min left`;
}

/**
 * Seconds left of a job's hold at `now` (unix milliseconds), or null when
 * the job is not held or the runner does not say until when.
 */
export function holdSecondsLeft(job: IJob, now: number): number | null {
  if (!job.hold || !job.hold_until) {
    return null;
  }
  const until = Date.parse(job.hold_until);
  return Number.isNaN(until) ? null : Math.max(0, (until - now) / 1000);
}

/**
 * `held for debugging, 28 min left` for a held job; empty when it is not held.
 *
 * @param now - Unix milliseconds.
 */
export function holdText(job: IJob, now: number): string {
  if (!job.hold) {
    return '';
  }
  const words = HOLD_WORDS[job.hold_reason ?? ''] ?? 'held for debugging';
  const left = holdSecondsLeft(job, now);
  return left === null ? words : `${words}, ${timeLeft(left)}`;
}

/** The tooltip of End debugging buttons. */
export const END_HOLD_TITLE =
  "End the hold: the job finishes with its script's status (Cancel would record canceled)";

/** Whether End debugging applies: the job is held by the local runner. */
export function canEndHold(job: IJob): boolean {
  return job.hold === true && job.status === 'running';
}

/** Format a countdown: `29:59`, `1:02:03`. */
export function formatCountdown(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}`
    : `${minutes}:${secs}`;
}
