import { IJob } from './tokens';

/**
 * The log text of a trace response: the API answers an empty body (read as
 * `undefined`) for a job that has not written any yet.
 */
export function traceText(trace: unknown): string {
  return typeof trace === 'string' ? trace : '';
}

/** What an empty log says instead of nothing, or null while one is expected. */
export function emptyLogText(job: Pick<IJob, 'status' | 'started_at'>): string {
  if (job.started_at === null) {
    return job.status === 'manual'
      ? 'This job has not run yet: it is manual, Play starts it.'
      : 'This job has not run yet.';
  }
  return 'This job has not written any log yet.';
}

/**
 * The line over a waiting job's log: "Waiting: <reason>" from the runner's
 * `pending_reason`, or null when the job does not wait (or the backend does
 * not say why). A reason that already says "waiting for …" is not repeated.
 */
export function waitingText(job: Pick<IJob, 'pending_reason'>): string | null {
  const reason = job.pending_reason?.trim();
  if (!reason) {
    return null;
  }
  return /^waiting\b/i.test(reason)
    ? reason.charAt(0).toUpperCase() + reason.slice(1)
    : `Waiting: ${reason}`;
}
