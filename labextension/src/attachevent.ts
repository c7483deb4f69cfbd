/**
 * The open-terminal event of a kernel's `%ci_attach`. The kernel's request
 * created the job's terminal session on the server, and the event names it:
 * JupyterLab opens that session by name instead of asking for one again.
 */
import { OPEN_TERMINAL_EVENT } from './tokens';

/** What an open-terminal event says (see the server's open-terminal.yaml). */
export interface IOpenTerminalEvent {
  project: string;
  job: number;
  /** The session the kernel's request created. */
  name: string;
  title: string;
}

/** An event of Jupyter's event bus. */
export interface IEmission {
  schema_id: string;
  [key: string]: unknown;
}

/** The open-terminal request an event carries, or null for any other event. */
export function openTerminalEvent(event: IEmission): IOpenTerminalEvent | null {
  const { project, job, name, title } = event;
  if (
    event.schema_id !== OPEN_TERMINAL_EVENT ||
    typeof project !== 'string' ||
    typeof job !== 'number' ||
    typeof name !== 'string' ||
    name === ''
  ) {
    return null;
  }
  return { project, job, name, title: typeof title === 'string' ? title : '' };
}

/**
 * Open the session an open-terminal event names (other events are ignored).
 *
 * @param open - Opens a session's tab by name, creating no session.
 * @param report - Shows why the tab could not open.
 */
export async function onOpenTerminalEvent(
  event: IEmission,
  open: (name: string) => Promise<unknown>,
  report: (error: unknown) => void
): Promise<void> {
  const request = openTerminalEvent(event);
  if (request === null) {
    return;
  }
  try {
    await open(request.name);
  } catch (error) {
    report(error);
  }
}
