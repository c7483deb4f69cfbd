/**
 * The runner's terminal retention, read from a job trace: once the script
 * has ended, the runner keeps the job (and its shell) open while a terminal
 * is attached, up to its session timeout. Pure functions, no DOM.
 */

import { stripAnsi } from './ansi';

const DURATION_UNITS: Record<string, number> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  us: 1e-6,
  µs: 1e-6,
  ns: 1e-9
};

/**
 * Parse a Go `time.Duration` string (`30m0s`, `1h0m0s`, `1.5s`, `500ms`).
 *
 * @returns Seconds, or null when `text` is not a duration.
 */
export function parseGoDuration(text: string): number | null {
  const value = text.trim();
  if (value === '0') {
    return 0;
  }
  const unit = /(\d+(?:\.\d*)?|\.\d+)(h|ms|us|µs|ns|m|s)/y;
  let seconds = 0;
  let pos = 0;
  while (pos < value.length) {
    unit.lastIndex = pos;
    const match = unit.exec(value);
    if (!match) {
      return null;
    }
    seconds += Number(match[1]) * DURATION_UNITS[match[2]];
    pos = unit.lastIndex;
  }
  return pos > 0 ? seconds : null;
}

/** The runner keeps a job's shell open for a while: until when. */
export interface IRetention {
  /** `retention`: a terminal is attached after the script; `hold`: CI_DEBUG_HOLD. */
  kind: 'retention' | 'hold';
  /** Seconds the runner waits, as announced. */
  timeout: number;
  /**
   * Unix time (seconds) of the last section marker before the message, close
   * to when the wait began; null when the trace has none.
   */
  since: number | null;
  /** The trace says the wait is over (disconnected, timed out, cancelled). */
  over: boolean;
}

const RETENTION = [
  {
    kind: 'retention' as const,
    pattern: /Terminal is connected, will time out in (\S+?)\.\.\./g
  },
  {
    kind: 'hold' as const,
    pattern: /attach a terminal within (\S+?)\.(?:\s|$)/g
  }
];

const RETENTION_OVER =
  /Terminal disconnected|Terminal session timed out|Job cancelled, killing the terminal session/;

/**
 * Find the runner's last "terminal retention" announcement in a trace.
 *
 * gitlab-runner writes `Terminal is connected, will time out in 30m0s...`
 * when the script has ended while a terminal is attached; the local runner
 * also announces a `CI_DEBUG_HOLD` wait ("attach a terminal within 30m0s.").
 */
export function findRetention(trace: string): IRetention | null {
  const text = stripAnsi(trace);
  let found: { kind: IRetention['kind']; index: number; raw: string } | null =
    null;
  for (const { kind, pattern } of RETENTION) {
    for (const match of text.matchAll(pattern)) {
      const index = match.index ?? 0;
      if (!found || index > found.index) {
        found = { kind, index, raw: match[1] };
      }
    }
  }
  if (!found) {
    return null;
  }
  const timeout = parseGoDuration(found.raw);
  if (timeout === null) {
    return null;
  }
  let since: number | null = null;
  const markers = /section_(?:start|end):(\d+):/g;
  for (const match of text.slice(0, found.index).matchAll(markers)) {
    since = Number(match[1]);
  }
  return {
    kind: found.kind,
    timeout,
    since,
    over: RETENTION_OVER.test(text.slice(found.index))
  };
}

/**
 * Seconds left of a retention at `now` (unix seconds), between 0 and the
 * timeout.
 *
 * @param seenAt - When the announcement was first seen, used when the trace
 *   gives no start time.
 */
export function retentionLeft(
  retention: IRetention,
  now: number,
  seenAt: number
): number {
  const since = retention.since ?? seenAt;
  const left = retention.timeout - (now - since);
  return Math.max(0, Math.min(retention.timeout, left));
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
