/**
 * ANSI SGR (colour and style) escapes → styled text segments.
 *
 * Pure functions with no DOM access: the log viewer turns segments into
 * spans. The 16 base colours map to the `ansi-*` classes JupyterLab styles
 * for notebook outputs, so job logs and outputs look alike in every theme;
 * 256-colour and true-colour escapes become inline colours, as in
 * JupyterLab's own text renderer. Other escapes (cursor moves, erase, OSC)
 * are dropped.
 */

/** A palette index (0-255) or a CSS colour (`rgb(r,g,b)`). */
export type AnsiColor = number | string;

/** The graphic rendition in effect. */
export interface IAnsiStyle {
  fg: AnsiColor | null;
  bg: AnsiColor | null;
  bold: boolean;
  faint: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  strike: boolean;
}

/** A run of text drawn in one style. */
export interface IAnsiSegment {
  text: string;
  style: Readonly<IAnsiStyle>;
}

/** The terminal's initial rendition. */
export const PLAIN_STYLE: Readonly<IAnsiStyle> = Object.freeze({
  fg: null,
  bg: null,
  bold: false,
  faint: false,
  italic: false,
  underline: false,
  inverse: false,
  strike: false
});

/** Class-name stems of the 8 base colours, as in JupyterLab's rendermime CSS. */
const NAMES = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white'
];

/**
 * Escapes: CSI (`ESC [ params final`, group 1/2), OSC (terminated by BEL or
 * ST) and the other two-byte escapes. C0 controls other than tab are dropped
 * too (the trace's `\r` is resolved before, per line).
 */
const ESCAPE =
  // eslint-disable-next-line no-control-regex
  /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/g;

/** Apply the parameters of one SGR escape (`ESC [ <params> m`) to `style`. */
export function applySgr(
  style: Readonly<IAnsiStyle>,
  params: string
): IAnsiStyle {
  const next: IAnsiStyle = { ...style };
  const groups = params === '' ? ['0'] : params.split(';');
  for (let i = 0; i < groups.length; i++) {
    // Colon sub-parameters (`38:5:n`, `38:2::r:g:b`) describe one colour.
    if (groups[i].includes(':')) {
      const [head, ...rest] = groups[i].split(':');
      const color = extendedColor(rest.filter(part => part !== ''));
      setExtended(next, Number(head), color);
      continue;
    }
    const code = groups[i] === '' ? 0 : Number(groups[i]);
    if (code === 38 || code === 48) {
      const kind = groups[i + 1];
      const count = kind === '5' ? 2 : kind === '2' ? 4 : 1;
      setExtended(
        next,
        code,
        extendedColor(groups.slice(i + 1, i + 1 + count))
      );
      i += count;
      continue;
    }
    applyCode(next, code);
  }
  return next;
}

function applyCode(style: IAnsiStyle, code: number): void {
  if (code === 0) {
    Object.assign(style, PLAIN_STYLE);
  } else if (code === 1) {
    style.bold = true;
  } else if (code === 2) {
    style.faint = true;
  } else if (code === 3) {
    style.italic = true;
  } else if (code === 4) {
    style.underline = true;
  } else if (code === 7) {
    style.inverse = true;
  } else if (code === 9) {
    style.strike = true;
  } else if (code === 22) {
    style.bold = false;
    style.faint = false;
  } else if (code === 23) {
    style.italic = false;
  } else if (code === 24) {
    style.underline = false;
  } else if (code === 27) {
    style.inverse = false;
  } else if (code === 29) {
    style.strike = false;
  } else if (code >= 30 && code <= 37) {
    style.fg = code - 30;
  } else if (code === 39) {
    style.fg = null;
  } else if (code >= 40 && code <= 47) {
    style.bg = code - 40;
  } else if (code === 49) {
    style.bg = null;
  } else if (code >= 90 && code <= 97) {
    style.fg = code - 90 + 8;
  } else if (code >= 100 && code <= 107) {
    style.bg = code - 100 + 8;
  }
}

/** `5;n` → n; `2;r;g;b` → `rgb(r,g,b)`; anything else → undefined. */
function extendedColor(parts: string[]): AnsiColor | undefined {
  const values = parts.map(Number);
  if (values.some(value => !Number.isInteger(value) || value < 0)) {
    return undefined;
  }
  if (values[0] === 5 && values.length === 2 && values[1] < 256) {
    return values[1];
  }
  if (values[0] === 2 && values.length === 4) {
    const [r, g, b] = values.slice(1).map(value => Math.min(value, 255));
    return `rgb(${r},${g},${b})`;
  }
  return undefined;
}

function setExtended(
  style: IAnsiStyle,
  code: number,
  color: AnsiColor | undefined
): void {
  if (color === undefined) {
    return;
  }
  if (code === 38) {
    style.fg = color;
  } else if (code === 48) {
    style.bg = color;
  }
}

/**
 * Split `text` into styled segments, starting in `style`.
 *
 * @returns The segments (empty ones left out) and the style in effect at the
 *   end, to continue with on the next piece of text.
 */
export function parseAnsi(
  text: string,
  style: Readonly<IAnsiStyle> = PLAIN_STYLE
): { segments: IAnsiSegment[]; style: Readonly<IAnsiStyle> } {
  const segments: IAnsiSegment[] = [];
  let current = style;
  let last = 0;
  const push = (chunk: string): void => {
    if (chunk === '') {
      return;
    }
    const previous = segments[segments.length - 1];
    if (previous && previous.style === current) {
      previous.text += chunk;
    } else {
      segments.push({ text: chunk, style: current });
    }
  };
  for (const match of text.matchAll(ESCAPE)) {
    push(text.slice(last, match.index));
    last = (match.index ?? 0) + match[0].length;
    if (match[2] === 'm') {
      current = Object.freeze(applySgr(current, match[1]));
    }
  }
  push(text.slice(last));
  return { segments, style: current };
}

/** `text` without escapes and control characters. */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPE, '');
}

/** How a segment is drawn: classes of JupyterLab's ANSI CSS plus inline CSS. */
export interface ISegmentAttributes {
  className: string;
  style: Record<string, string>;
}

/** The classes and inline style that draw `style`. */
export function segmentAttributes(
  style: Readonly<IAnsiStyle>
): ISegmentAttributes {
  const classes: string[] = [];
  const css: Record<string, string> = {};
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) {
    [fg, bg] = [bg, fg];
    if (fg === null) {
      classes.push('ansi-default-inverse-fg');
    }
    if (bg === null) {
      classes.push('ansi-default-inverse-bg');
    }
  }
  colorAttribute(fg, 'fg', 'color', classes, css);
  colorAttribute(bg, 'bg', 'background-color', classes, css);
  if (style.bold) {
    classes.push('ansi-bold');
  }
  if (style.underline) {
    classes.push('ansi-underline');
  }
  if (style.italic) {
    css['font-style'] = 'italic';
  }
  if (style.faint) {
    css['opacity'] = '0.7';
  }
  if (style.strike) {
    css['text-decoration'] = style.underline
      ? 'underline line-through'
      : 'line-through';
  }
  return { className: classes.join(' '), style: css };
}

function colorAttribute(
  color: AnsiColor | null,
  kind: 'fg' | 'bg',
  property: string,
  classes: string[],
  css: Record<string, string>
): void {
  if (color === null) {
    return;
  }
  if (typeof color === 'number' && color < 16) {
    const intense = color >= 8 ? '-intense' : '';
    classes.push(`ansi-${NAMES[color % 8]}${intense}-${kind}`);
    return;
  }
  css[property] = typeof color === 'number' ? paletteColor(color) : color;
}

/** The CSS colour of xterm's 256-colour palette entries 16-255. */
export function paletteColor(index: number): string {
  if (index >= 232) {
    const level = 8 + (index - 232) * 10;
    return `rgb(${level},${level},${level})`;
  }
  const cube = index - 16;
  const level = (value: number): number => (value === 0 ? 0 : 55 + value * 40);
  const r = level(Math.floor(cube / 36));
  const g = level(Math.floor(cube / 6) % 6);
  const b = level(cube % 6);
  return `rgb(${r},${g},${b})`;
}
