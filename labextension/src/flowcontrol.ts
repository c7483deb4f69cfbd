/**
 * Flow control for CI terminal tabs: `["ack", n]` once xterm.js has parsed
 * `n` more characters of `stdout`.
 *
 * JupyterLab's Terminal widget writes every `stdout` message into xterm.js
 * at once, and xterm.js queues without limit, so without acknowledgements
 * the server cannot tell that a tab is seconds behind. A session whose JSON
 * says `acks: true` accepts them, and sends a tab that falls behind its
 * current screen instead of the backlog.
 */
import { Terminal as TerminalNS } from '@jupyterlab/services';
import { Terminal } from '@jupyterlab/terminal';

/** Least time between two acks, in ms: acks of a flood are summed. */
export const ACK_INTERVAL = 50;

/**
 * The server counts characters as Python does (code points), JavaScript's
 * `length` counts UTF-16 units: a character outside the BMP is one of the
 * first and two of the second.
 */
export function codePoints(text: string): number {
  const pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
  return text.length - (pairs?.length ?? 0);
}

/**
 * How many ms to wait before sending an ack, `interval` after the last one
 * (0: send now).
 */
export function ackDelay(
  now: number,
  lastSent: number | null,
  interval: number = ACK_INTERVAL
): number {
  return lastSent === null ? 0 : Math.max(0, lastSent + interval - now);
}

/**
 * The characters of one connection's `stdout`: received, parsed by the
 * terminal, acknowledged. Positions are counts since the connection (re)
 * opened; a reconnection starts a new epoch, which a server counts afresh.
 */
export class AckLedger {
  /** Characters received in this epoch: the position a parse probe waits for. */
  get received(): number {
    return this._received;
  }

  /** Increases at each `reset`: a probe of an older epoch is ignored. */
  get epoch(): number {
    return this._epoch;
  }

  /** Count `chars` more received characters. */
  receive(chars: number): void {
    this._received += chars;
  }

  /** Everything up to `position` (of epoch `epoch`) is parsed. */
  parsed(position: number, epoch: number): void {
    if (epoch === this._epoch) {
      this._parsed = Math.max(this._parsed, Math.min(position, this._received));
    }
  }

  /** The parsed characters not acknowledged yet, now counted as acknowledged. */
  take(): number {
    const chars = this._parsed - this._acked;
    this._acked = this._parsed;
    return chars;
  }

  /** A new connection: nothing received, parsed or acknowledged on it yet. */
  reset(): void {
    this._epoch += 1;
    this._received = this._parsed = this._acked = 0;
  }

  private _epoch = 0;
  private _received = 0;
  private _parsed = 0;
  private _acked = 0;
}

/** The part of xterm.js's `Terminal` that acknowledgements use. */
export interface IParsedProbe {
  /** xterm.js: `callback` runs once everything written before is parsed. */
  write(data: string, callback: () => void): void;
}

/**
 * The xterm.js terminal of JupyterLab's Terminal widget, once it is ready.
 *
 * The widget keeps it private (`_term`) and writes each `stdout` message
 * into it itself; only xterm.js knows when a write has been parsed, so the
 * acknowledgements reach in for `write('', callback)` and nothing else.
 */
function xtermOf(widget: Terminal): IParsedProbe | null {
  const term = (widget as unknown as { _term?: IParsedProbe })._term;
  return term && typeof term.write === 'function' ? term : null;
}

/** What `TerminalAcks` needs of the tab's content (a `Terminal` widget). */
export interface IAckedTerminal {
  readonly ready: Promise<void>;
  /** The terminal to probe once `ready`, or null (acks are then not sent). */
  probe(): IParsedProbe | null;
}

/** `IAckedTerminal` of JupyterLab's Terminal widget. */
export function ackedTerminal(widget: Terminal): IAckedTerminal {
  return { ready: widget.ready, probe: () => xtermOf(widget) };
}

/**
 * Sends `["ack", n]` on `connection` as the terminal parses its `stdout`:
 * at most one ack per `interval` ms, each the sum of what was parsed since
 * the previous one.
 */
export class TerminalAcks {
  constructor(
    readonly connection: TerminalNS.ITerminalConnection,
    readonly terminal: IAckedTerminal,
    readonly interval: number = ACK_INTERVAL
  ) {
    connection.messageReceived.connect(this._onMessage, this);
    connection.connectionStatusChanged.connect(this._onStatus, this);
    connection.disposed.connect(() => this.dispose());
  }

  /** How many acks were sent, and how many characters they acknowledged. */
  get sent(): { acks: number; chars: number } {
    return { acks: this._acks, chars: this._chars };
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._timer);
    this.connection.messageReceived.disconnect(this._onMessage, this);
    this.connection.connectionStatusChanged.disconnect(this._onStatus, this);
  }

  private _onMessage(
    _: TerminalNS.ITerminalConnection,
    msg: TerminalNS.IMessage
  ): void {
    const text = msg.type === 'stdout' ? msg.content?.[0] : undefined;
    if (typeof text !== 'string' || text.length === 0) {
      return;
    }
    this._ledger.receive(codePoints(text));
    if (this._probing) {
      return;
    }
    // After the emission: the widget writes the message in its own slot,
    // which may come after this one; the probe must follow that write.
    this._probing = true;
    void this.terminal.ready.then(() => {
      this._probing = false;
      const term = this._isDisposed ? null : this.terminal.probe();
      const { received, epoch } = this._ledger;
      term?.write('', () => {
        this._ledger.parsed(received, epoch);
        this._schedule();
      });
    });
  }

  private _onStatus(): void {
    // A new websocket is a new viewer on the server, which counts afresh.
    if (this.connection.connectionStatus !== 'connected') {
      this._ledger.reset();
    }
  }

  private _schedule(): void {
    if (this._isDisposed || this._timer !== undefined) {
      return;
    }
    const delay = ackDelay(Date.now(), this._lastSent, this.interval);
    if (delay === 0) {
      this._send();
    } else {
      this._timer = setTimeout(() => {
        this._timer = undefined;
        this._send();
      }, delay);
    }
  }

  private _send(): void {
    // Queued while reconnecting, it would reach a viewer that never sent it.
    if (this._isDisposed || this.connection.connectionStatus !== 'connected') {
      return;
    }
    const chars = this._ledger.take();
    if (chars > 0) {
      // The terminado message type `ack`, which JupyterLab's type does not list.
      this.connection.send({
        type: 'ack' as TerminalNS.MessageType,
        content: [chars]
      });
      this._lastSent = Date.now();
      this._acks += 1;
      this._chars += chars;
    }
  }

  private _acks = 0;
  private _chars = 0;
  private _isDisposed = false;
  private _lastSent: number | null = null;
  private _ledger = new AckLedger();
  private _probing = false;
  private _timer: ReturnType<typeof setTimeout> | undefined = undefined;
}
