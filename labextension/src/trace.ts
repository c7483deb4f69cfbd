/**
 * GitLab job traces: lines, collapsible sections and the failure line.
 *
 * A trace is the job's output with ANSI colours plus section markers,
 * `section_start:<unix time>:<name>[options]\r\e[0K<header>` and
 * `section_end:<unix time>:<name>\r\e[0K`. `TraceParser` reads it in chunks
 * (the log viewer polls a running job) and emits events; `buildTraceTree`
 * nests them. Pure functions, no DOM.
 */

import {
  IAnsiSegment,
  IAnsiStyle,
  parseAnsi,
  PLAIN_STYLE,
  stripAnsi
} from './ansi';

/** One line of the log. */
export interface ITraceLine {
  kind: 'line';
  /** 1-based line number, as GitLab shows it. */
  number: number;
  segments: IAnsiSegment[];
  /** The text without escapes. */
  text: string;
}

/** A section opens; `header` is its first line. */
export interface ITraceSectionStart {
  kind: 'section-start';
  name: string;
  /** Unix time in seconds. */
  time: number;
  /** `[collapsed=true]` was given. */
  collapsed: boolean;
  header: ITraceLine;
}

/** A section closes. */
export interface ITraceSectionEnd {
  kind: 'section-end';
  name: string;
  /** Unix time in seconds. */
  time: number;
}

export type TraceEvent = ITraceLine | ITraceSectionStart | ITraceSectionEnd;

/** A section with what it holds, as built by `buildTraceTree`. */
export interface ITraceSection {
  kind: 'section';
  name: string;
  header: ITraceLine;
  collapsed: boolean;
  start: number;
  /** Unix time of the end marker; null while the section is open. */
  end: number | null;
  children: TraceNode[];
}

export type TraceNode = ITraceLine | ITraceSection;

const MARKER =
  // eslint-disable-next-line no-control-regex
  /section_(start|end):(\d+):([^\s[\]:]+)(\[[^\]\r\n]*\])?\r\x1b\[0?K/g;

/** Where a marker may begin in an incomplete tail. */
const PARTIAL_MARKER = /section_(?:start|end):/;

/** Reads a trace chunk by chunk; only complete lines become events. */
export class TraceParser {
  /** Characters consumed so far (complete events plus the pending tail). */
  get length(): number {
    return this._length;
  }

  /**
   * Feed more of the trace.
   *
   * @returns The events completed by this chunk, in order.
   */
  push(chunk: string): TraceEvent[] {
    this._length += chunk.length;
    this._buffer += chunk;
    return this._drain(false);
  }

  /** The trace is complete: emit the unterminated last line, if any. */
  flush(): TraceEvent[] {
    return this._drain(true);
  }

  /**
   * The unterminated last line as it would show now, or null.
   *
   * Does not consume anything: the line is emitted once it is complete.
   */
  pending(): ITraceLine | null {
    let tail = this._buffer;
    const partial = tail.search(PARTIAL_MARKER);
    if (partial >= 0) {
      tail = tail.slice(0, partial);
    }
    const line = this._line(tail, this._style, this._number + 1);
    return line.text.trim() === '' ? null : line;
  }

  private _drain(final: boolean): TraceEvent[] {
    const events: TraceEvent[] = [];
    let pos = 0;
    const buffer = this._buffer;
    while (pos < buffer.length) {
      const newline = buffer.indexOf('\n', pos);
      MARKER.lastIndex = pos;
      const marker = MARKER.exec(buffer);
      if (marker && (newline < 0 || marker.index < newline)) {
        const before = buffer.slice(pos, marker.index);
        const start = marker[1] === 'start';
        // A section's header runs to the end of its line (or the next marker).
        let headerEnd = marker.index + marker[0].length;
        if (start) {
          MARKER.lastIndex = headerEnd;
          const next = MARKER.exec(buffer);
          const stop = Math.min(
            newline < 0 ? Infinity : newline,
            next ? next.index : Infinity
          );
          if (stop === Infinity && !final) {
            break;
          }
          headerEnd = stop === Infinity ? buffer.length : stop;
        }
        this._emitText(before, events);
        this._afterEnd = false;
        const [, , time, name, options] = marker;
        if (start) {
          const text = buffer.slice(marker.index + marker[0].length, headerEnd);
          const header = this._next(text);
          if (header.text.trim() === '') {
            header.text = name;
            header.segments = [{ text: name, style: PLAIN_STYLE }];
          }
          events.push({
            kind: 'section-start',
            name,
            time: Number(time),
            collapsed: /collapsed=true/.test(options ?? ''),
            header
          });
          pos = buffer[headerEnd] === '\n' ? headerEnd + 1 : headerEnd;
        } else {
          events.push({ kind: 'section-end', name, time: Number(time) });
          pos = headerEnd;
          // `echo -e "…section_end…\r\e[0K"` ends the marker's line: no blank line.
          this._afterEnd = true;
        }
        continue;
      }
      if (newline >= 0) {
        this._emitText(buffer.slice(pos, newline), events, true);
        pos = newline + 1;
        continue;
      }
      if (final) {
        this._emitText(buffer.slice(pos), events);
        pos = buffer.length;
      }
      break;
    }
    this._buffer = buffer.slice(pos);
    return events;
  }

  /**
   * Emit `text` as a line. Text before a marker on the same line counts
   * only if it shows anything; a blank line counts unless it only ends the
   * line of a section end marker.
   */
  private _emitText(
    text: string,
    events: TraceEvent[],
    wholeLine = false
  ): void {
    const blank = stripAnsi(text).trim() === '';
    const afterEnd = this._afterEnd;
    this._afterEnd = false;
    if (blank && (!wholeLine || afterEnd)) {
      this._style = parseAnsi(text, this._style).style;
      return;
    }
    events.push(this._next(text));
  }

  private _next(raw: string): ITraceLine {
    const line = this._line(raw, this._style, ++this._number);
    this._style = this._endStyle;
    return line;
  }

  /**
   * Parse one line. A carriage return starts the line over, as progress
   * bars expect, so only the text after the last one shows; its escapes
   * still count.
   */
  private _line(
    raw: string,
    style: Readonly<IAnsiStyle>,
    number: number
  ): ITraceLine {
    const parts = raw.replace(/\r+$/, '').split('\r');
    let current = style;
    for (const part of parts.slice(0, -1)) {
      current = parseAnsi(part, current).style;
    }
    const { segments, style: end } = parseAnsi(
      parts[parts.length - 1],
      current
    );
    this._endStyle = end;
    return {
      kind: 'line',
      number,
      segments,
      text: segments.map(segment => segment.text).join('')
    };
  }

  private _afterEnd = false;
  private _buffer = '';
  private _endStyle: Readonly<IAnsiStyle> = PLAIN_STYLE;
  private _length = 0;
  private _number = 0;
  private _style: Readonly<IAnsiStyle> = PLAIN_STYLE;
}

/** Parse a whole trace into lines and nested sections. */
export function parseTrace(text: string): TraceNode[] {
  const parser = new TraceParser();
  return buildTraceTree([...parser.push(text), ...parser.flush()]);
}

/**
 * Nest events into sections. An end marker closes the innermost open
 * section of that name (and any opened inside it); an unmatched one is
 * ignored.
 */
export function buildTraceTree(events: TraceEvent[]): TraceNode[] {
  const root: TraceNode[] = [];
  const stack: ITraceSection[] = [];
  const children = (): TraceNode[] =>
    stack.length > 0 ? stack[stack.length - 1].children : root;
  for (const event of events) {
    if (event.kind === 'line') {
      children().push(event);
    } else if (event.kind === 'section-start') {
      const section: ITraceSection = {
        kind: 'section',
        name: event.name,
        header: event.header,
        collapsed: event.collapsed,
        start: event.time,
        end: null,
        children: []
      };
      children().push(section);
      stack.push(section);
    } else {
      const index = stack.map(section => section.name).lastIndexOf(event.name);
      if (index >= 0) {
        stack[index].end = event.time;
        stack.length = index;
      }
    }
  }
  return root;
}

/** The text GitLab runners write when a job fails. */
const FAILURE = /^ERROR: Job failed\b/;

/** Whether a log line is the job's failure verdict (`ERROR: Job failed…`). */
export function isFailureLine(text: string): boolean {
  return FAILURE.test(text.trim());
}

/** Format a section's duration as GitLab does: `00:05`, `01:02:03`. */
export function formatSectionDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const pad = (value: number): string => String(value).padStart(2, '0');
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = `${pad(minutes)}:${pad(total % 60)}`;
  return hours > 0 ? `${pad(hours)}:${rest}` : rest;
}
