import { caretDownIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { IAnsiSegment, segmentAttributes } from './ansi';
import {
  formatSectionDuration,
  isFailureLine,
  ITraceLine,
  TraceEvent,
  TraceParser
} from './trace';

/** Within this many pixels of the end, the view follows new output. */
const FOLLOW_SLACK = 8;

/** An open section being filled. */
interface IOpenSection {
  name: string;
  start: number;
  node: HTMLElement;
  body: HTMLElement;
}

/**
 * A job log: coloured lines in collapsible sections, as on GitLab's job page.
 *
 * Feed it the trace with `setTrace`; it appends what is new, and keeps
 * following the end while the user has not scrolled up.
 */
export class LogView extends Widget {
  constructor() {
    super();
    this.addClass('jp-CILog');
    this.node.tabIndex = 0;
    // `jp-RenderedText` brings JupyterLab's ANSI colour classes.
    this._content.className = 'jp-CILog-content jp-RenderedText';
    this._empty.className = 'jp-CILog-empty';
    this._notice.className = 'jp-CILog-notice';
    this._notice.setAttribute('role', 'status');
    this._notice.hidden = true;
    this.node.append(this._notice, this._empty, this._content);
    this.node.setAttribute('role', 'log');
  }

  /** Whether the view scrolls along with new output. */
  get following(): boolean {
    return this._following;
  }
  set following(value: boolean) {
    this._following = value;
    if (value) {
      this.scrollToEnd();
    }
  }

  /** What the view says while the log is empty (e.g. "This job has not run yet."). */
  get emptyText(): string {
    return this._empty.textContent ?? '';
  }
  set emptyText(value: string) {
    this._empty.textContent = value;
    this._showEmpty();
  }

  /** A line over the log, e.g. why a pending job waits; null hides it. */
  get notice(): string | null {
    return this._notice.hidden ? null : this._notice.textContent;
  }
  set notice(value: string | null) {
    this._notice.textContent = value ?? '';
    this._notice.hidden = !value;
  }

  /** The line of the job's failure verdict, once shown. */
  get failureNode(): HTMLElement | null {
    return this._failure;
  }

  /**
   * Show `trace`: append what follows the previous text, or redraw when the
   * trace was rewritten. `complete` shows the last, unterminated line too.
   */
  setTrace(trace: string, complete = false): void {
    if (trace.startsWith(this._text)) {
      this._append(this._parser.push(trace.slice(this._text.length)));
    } else {
      this._reset();
      this._append(this._parser.push(trace));
    }
    this._text = trace;
    this._showEmpty();
    if (complete) {
      this._append(this._parser.flush());
    }
    this._showPending(complete ? null : this._parser.pending());
    if (this._following) {
      this.scrollToEnd();
    }
  }

  /** Expand or collapse every section. */
  setAllCollapsed(collapsed: boolean): void {
    for (const section of this._content.querySelectorAll<HTMLElement>(
      '.jp-CILog-section'
    )) {
      this._setCollapsed(section, collapsed);
    }
  }

  /** Scroll to the failure verdict (expanding its sections); false if none. */
  scrollToFailure(): boolean {
    const node = this._failure;
    if (!node) {
      return false;
    }
    for (
      let parent = node.parentElement;
      parent && parent !== this._content;
      parent = parent.parentElement
    ) {
      if (parent.classList.contains('jp-CILog-section')) {
        this._setCollapsed(parent, false);
      }
    }
    this._following = false;
    node.scrollIntoView({ block: 'center' });
    return true;
  }

  /** Scroll to the first line. */
  scrollToStart(): void {
    this._following = false;
    this.node.scrollTop = 0;
  }

  /** Scroll to the last line and follow new output. */
  scrollToEnd(): void {
    this._following = true;
    this.node.scrollTop = this.node.scrollHeight;
  }

  handleEvent(event: Event): void {
    if (event.type === 'scroll') {
      const { scrollTop, clientHeight, scrollHeight } = this.node;
      this._following = scrollTop + clientHeight >= scrollHeight - FOLLOW_SLACK;
    } else if (event.type === 'click' || event.type === 'keydown') {
      this._onHeaderEvent(event as MouseEvent | KeyboardEvent);
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('scroll', this);
    this.node.addEventListener('click', this);
    this.node.addEventListener('keydown', this);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('scroll', this);
    this.node.removeEventListener('click', this);
    this.node.removeEventListener('keydown', this);
    super.onBeforeDetach(msg);
  }

  private _onHeaderEvent(event: MouseEvent | KeyboardEvent): void {
    if (
      event instanceof KeyboardEvent &&
      event.key !== 'Enter' &&
      event.key !== ' '
    ) {
      return;
    }
    const header = (event.target as HTMLElement).closest(
      '.jp-CILog-sectionHeader'
    );
    // Let a click that ends a text selection select, not toggle.
    if (!header || (event.type === 'click' && hasSelection())) {
      return;
    }
    event.preventDefault();
    const section = header.parentElement as HTMLElement;
    this._setCollapsed(
      section,
      !section.classList.contains('jp-mod-collapsed')
    );
  }

  private _setCollapsed(section: HTMLElement, collapsed: boolean): void {
    section.classList.toggle('jp-mod-collapsed', collapsed);
    const header = section.firstElementChild as HTMLElement;
    header.setAttribute('aria-expanded', String(!collapsed));
    this._collapsed.set(section.dataset.key ?? '', collapsed);
  }

  private _showEmpty(): void {
    this._empty.hidden = this._text !== '' || this._empty.textContent === '';
  }

  private _reset(): void {
    this._parser = new TraceParser();
    this._content.textContent = '';
    this._stack = [];
    this._counts.clear();
    this._failure = null;
    this._pending = null;
  }

  private _append(events: TraceEvent[]): void {
    for (const event of events) {
      const parent = this._stack[this._stack.length - 1]?.body ?? this._content;
      if (event.kind === 'line') {
        parent.appendChild(this._lineNode(event));
      } else if (event.kind === 'section-start') {
        const open = this._sectionNode(
          event.name,
          event.collapsed,
          event.header
        );
        open.start = event.time;
        parent.appendChild(open.node);
        this._stack.push(open);
      } else {
        const index = this._stack
          .map(section => section.name)
          .lastIndexOf(event.name);
        if (index >= 0) {
          const duration = event.time - this._stack[index].start;
          const header = this._stack[index].node.firstElementChild!;
          header.querySelector('.jp-CILog-duration')!.textContent =
            formatSectionDuration(duration);
          this._stack.length = index;
        }
      }
    }
  }

  private _showPending(line: ITraceLine | null): void {
    this._pending?.remove();
    this._pending = null;
    if (line) {
      this._pending = this._lineNode(line);
      this._pending.classList.add('jp-mod-pending');
      const parent = this._stack[this._stack.length - 1]?.body ?? this._content;
      parent.appendChild(this._pending);
    }
  }

  private _lineNode(line: ITraceLine): HTMLElement {
    const node = document.createElement('div');
    node.className = 'jp-CILog-line';
    const number = document.createElement('span');
    number.className = 'jp-CILog-lineNumber';
    number.textContent = String(line.number);
    const text = document.createElement('pre');
    text.className = 'jp-CILog-text';
    for (const segment of line.segments) {
      text.appendChild(segmentNode(segment));
    }
    node.append(number, text);
    if (isFailureLine(line.text)) {
      node.classList.add('jp-mod-failure');
      this._failure = node;
    }
    return node;
  }

  private _sectionNode(
    name: string,
    collapsed: boolean,
    headerLine: ITraceLine
  ): IOpenSection {
    const count = (this._counts.get(name) ?? 0) + 1;
    this._counts.set(name, count);
    const key = `${name}#${count}`;
    const node = document.createElement('div');
    node.className = 'jp-CILog-section';
    node.dataset.section = name;
    node.dataset.key = key;
    const header = this._lineNode(headerLine);
    header.classList.add('jp-CILog-sectionHeader');
    header.setAttribute('role', 'button');
    header.tabIndex = 0;
    header.title = `Section ${name}: click to expand or collapse`;
    header.prepend(
      caretDownIcon.element({ className: 'jp-CILog-chevron', tag: 'span' })
    );
    const duration = document.createElement('span');
    duration.className = 'jp-CILog-duration';
    header.appendChild(duration);
    const body = document.createElement('div');
    body.className = 'jp-CILog-sectionBody';
    node.append(header, body);
    // The user's choice outlives a redraw.
    this._setCollapsed(node, this._collapsed.get(key) ?? collapsed);
    return { name, start: 0, node, body };
  }

  private _collapsed = new Map<string, boolean>();
  private _content = document.createElement('div');
  private _counts = new Map<string, number>();
  private _empty = document.createElement('div');
  private _failure: HTMLElement | null = null;
  private _following = true;
  private _notice = document.createElement('div');
  private _parser = new TraceParser();
  private _pending: HTMLElement | null = null;
  private _stack: IOpenSection[] = [];
  private _text = '';
}

function segmentNode(segment: IAnsiSegment): Node {
  const { className, style } = segmentAttributes(segment.style);
  if (className === '' && Object.keys(style).length === 0) {
    return document.createTextNode(segment.text);
  }
  const span = document.createElement('span');
  if (className !== '') {
    span.className = className;
  }
  for (const [property, value] of Object.entries(style)) {
    span.style.setProperty(property, value);
  }
  span.textContent = segment.text;
  return span;
}

function hasSelection(): boolean {
  const selection = window.getSelection();
  return selection !== null && !selection.isCollapsed;
}
