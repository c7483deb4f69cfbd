import { emptyLogText, traceText } from '../logstate';
import { CIStatus } from '../tokens';

describe('traceText', () => {
  it.each([
    [undefined, ''],
    [null, ''],
    ['', ''],
    ['line\n', 'line\n']
  ])('reads %j as %j', (body, text) => {
    expect(traceText(body)).toBe(text);
  });
});

describe('emptyLogText', () => {
  it.each<[CIStatus, string | null, string]>([
    ['manual', null, 'This job has not run yet: it is manual, Play starts it.'],
    ['created', null, 'This job has not run yet.'],
    ['pending', null, 'This job has not run yet.'],
    ['skipped', null, 'This job has not run yet.'],
    ['running', '2026-01-01T00:00:00Z', 'This job has not written any log yet.']
  ])('a %s job started at %j: %s', (status, started_at, text) => {
    expect(emptyLogText({ status, started_at })).toBe(text);
  });
});
