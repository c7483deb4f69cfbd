import { debugState } from '../jobs';
import { CIStatus, IJob, isDebuggable } from '../tokens';

const job = (status: CIStatus, extra: Partial<IJob> = {}): IJob => ({
  id: 7,
  name: 'test',
  stage: 'test',
  status,
  started_at: null,
  finished_at: null,
  duration: null,
  allow_failure: false,
  ...extra
});

describe('a job whose ci-terminal-agent is connected', () => {
  const noSessionServer = {
    available: false,
    reason: 'The runner has no session server.'
  };

  it('offers Debug even though its runner has no terminal', () => {
    const state = debugState(
      job('running', { agent: true, terminal: noSessionServer })
    );
    expect(state).toEqual({
      enabled: true,
      title: 'Open a terminal in test #7 through its agent'
    });
    expect(
      isDebuggable(job('running', { agent: true, terminal: noSessionServer }))
    ).toBe(true);
  });

  it('keeps Debug disabled when the server refuses every terminal', () => {
    expect(
      debugState(job('running', { agent: true }), 'CI terminals are disabled.')
    ).toEqual({ enabled: false, title: 'CI terminals are disabled.' });
  });

  it('without an agent, keeps the runner reason', () => {
    expect(
      debugState(job('running', { terminal: noSessionServer }))?.enabled
    ).toBe(false);
  });
});
