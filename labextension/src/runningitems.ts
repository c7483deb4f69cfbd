/** What the Running panel shows of CI terminal sessions (pure, see `running`). */
import { ITerminalSession } from './tokens';

/** The detail of a session's item: how many tabs watch it. */
export function viewersDetail(session: ITerminalSession): string {
  const viewers = session.viewers ?? 0;
  return viewers === 1 ? '1 viewer' : `${viewers} viewers`;
}

/** Whether two session lists would show alike (same items, same details). */
export function sameSessions(
  a: readonly ITerminalSession[],
  b: readonly ITerminalSession[]
): boolean {
  const key = (s: ITerminalSession): string =>
    `${s.name}|${s.title}|${s.viewers ?? 0}|${s.ended ?? ''}`;
  return a.length === b.length && a.every((s, i) => key(s) === key(b[i]));
}
