/**
 * A held job, from its JSON: the words and the time left that the panel,
 * the tab's strip and `%ci_jobs` show alike.
 */
import { jobStatusClass, jobStatusText, shownStatus } from '../jobs';
import {
  canEndHold,
  formatCountdown,
  holdSecondsLeft,
  holdText,
  timeLeft
} from '../retention';
import { CIStatus, IJob } from '../tokens';

const NOW = Date.parse('2027-01-15T08:00:00Z');
const UNTIL = '2027-01-15T08:28:00.000Z';

const job = (status: CIStatus, extra: Partial<IJob> = {}): IJob => ({
  id: 5,
  name: 'train',
  stage: 'test',
  status,
  started_at: null,
  finished_at: null,
  duration: 3,
  allow_failure: false,
  ...extra
});

const held = (extra: Partial<IJob> = {}): IJob =>
  job('running', {
    hold: true,
    hold_reason: 'on_failure',
    hold_until: UNTIL,
    hold_status: 'failed',
    ...extra
  });

describe('timeLeft', () => {
  it.each([
    [0, '0 s left'],
    [-5, '0 s left'],
    [44.2, '45 s left'],
    [60, '1 min left'],
    [1621, '28 min left']
  ])('says %s s as %s', (seconds, text) => {
    expect(timeLeft(seconds)).toBe(text);
  });
});

describe('holdText', () => {
  it.each([
    [job('running'), ''],
    [held(), 'held for debugging, 28 min left'],
    [held({ hold_reason: 'always' }), 'held for debugging, 28 min left'],
    [
      held({ hold_reason: 'retention', hold_status: 'success' }),
      'kept open while its terminal is attached, 28 min left'
    ],
    [held({ hold_until: null, hold_reason: null }), 'held for debugging']
  ] as [IJob, string][])('reads %j', (value, text) => {
    expect(holdText(value, NOW)).toBe(text);
  });
});

describe('a held job looks as the server says it ends', () => {
  it('shows the failed status and icon with the hold, not running', () => {
    expect(shownStatus(held())).toBe('failed');
    expect(jobStatusClass(held())).toBe('jp-CIStatus-failed');
    expect(jobStatusText(held(), NOW)).toBe(
      'failed, held for debugging, 28 min left'
    );
  });

  it('keeps running for a runner without hold_status', () => {
    expect(shownStatus(held({ hold_status: null }))).toBe('running');
  });

  it('counts down from hold_until and offers End debugging while held', () => {
    expect(holdSecondsLeft(held(), NOW)).toBe(28 * 60);
    expect(holdSecondsLeft(job('failed'), NOW)).toBeNull();
    expect(canEndHold(held())).toBe(true);
    expect(canEndHold(job('failed'))).toBe(false);
  });
});

describe('formatCountdown', () => {
  it.each([
    [1799.2, '30:00'],
    [59, '0:59'],
    [3723, '1:02:03'],
    [-3, '0:00']
  ])('formats %s s as %s', (seconds, text) => {
    expect(formatCountdown(seconds)).toBe(text);
  });
});
