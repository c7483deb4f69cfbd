import {
  findRetention,
  formatCountdown,
  parseGoDuration,
  retentionLeft
} from '../retention';

const ESC = '\x1b';
const end = (time: number, name: string): string =>
  `section_end:${time}:${name}\r${ESC}[0K`;

/** The end of a local runner trace, after the script. */
const SCRIPT_ENDED =
  `${ESC}[32;1m$ make test${ESC}[0;m\nok\n` + end(112, 'step_script');

describe('parseGoDuration', () => {
  it.each([
    ['30m0s', 1800],
    ['1h0m0s', 3600],
    ['45s', 45],
    ['1h30m', 5400],
    ['1.5s', 1.5],
    ['500ms', 0.5],
    ['0', 0]
  ])('reads %s', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds);
  });

  it.each(['', 'soon', '10', '5x', '1h 2m'])('refuses %j', text => {
    expect(parseGoDuration(text)).toBeNull();
  });
});

describe('findRetention', () => {
  const retained =
    SCRIPT_ENDED + 'Terminal is connected, will time out in 30m0s...\n';

  it('finds the announcement and when the wait began', () => {
    expect(findRetention(retained)).toEqual({
      kind: 'retention',
      timeout: 1800,
      since: 112,
      over: false
    });
  });

  it('knows when the wait is over', () => {
    const trace = `${retained}Terminal disconnected\n${ESC}[32;1mJob succeeded${ESC}[0;m\n`;
    expect(findRetention(trace)?.over).toBe(true);
  });

  it('reads a CI_DEBUG_HOLD wait', () => {
    const trace =
      `${end(50, 'step_script')}${ESC}[32;1mCI_DEBUG_HOLD=always: the job's shell stays open for ` +
      `debugging; attach a terminal within 1h0m0s. The job ends when the terminal disconnects.${ESC}[0;m\n`;
    expect(findRetention(trace)).toEqual({
      kind: 'hold',
      timeout: 3600,
      since: 50,
      over: false
    });
  });

  it('is null when the runner announced nothing', () => {
    expect(findRetention(SCRIPT_ENDED)).toBeNull();
    expect(findRetention('will time out in soon...')).toBeNull();
  });

  it('uses the last announcement', () => {
    const trace =
      'Terminal is connected, will time out in 10s...\nTerminal disconnected\n' +
      'Terminal is connected, will time out in 20s...\n';
    expect(findRetention(trace)).toMatchObject({ timeout: 20, over: false });
  });
});

describe('retentionLeft', () => {
  const retention = {
    kind: 'retention' as const,
    timeout: 60,
    since: 1000,
    over: false
  };

  it('counts down from the marker time', () => {
    expect(retentionLeft(retention, 1015, 0)).toBe(45);
    expect(retentionLeft(retention, 2000, 0)).toBe(0);
  });

  it('falls back to when it was seen, and clamps clock skew', () => {
    expect(retentionLeft({ ...retention, since: null }, 1010, 1000)).toBe(50);
    expect(retentionLeft(retention, 900, 0)).toBe(60);
  });
});

describe('formatCountdown', () => {
  it('formats minutes and hours', () => {
    expect(formatCountdown(1799.2)).toBe('30:00');
    expect(formatCountdown(61)).toBe('1:01');
    expect(formatCountdown(3723)).toBe('1:02:03');
    expect(formatCountdown(-5)).toBe('0:00');
  });
});
