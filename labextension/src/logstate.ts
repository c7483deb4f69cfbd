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
