import {
  applySgr,
  paletteColor,
  parseAnsi,
  PLAIN_STYLE,
  segmentAttributes,
  stripAnsi
} from '../ansi';

const ESC = '\x1b';

describe('parseAnsi', () => {
  it('keeps plain text as one unstyled segment', () => {
    const { segments, style } = parseAnsi('hello world');
    expect(segments).toEqual([{ text: 'hello world', style: PLAIN_STYLE }]);
    expect(style).toBe(PLAIN_STYLE);
  });

  it('splits text at colour changes', () => {
    const { segments } = parseAnsi(`a${ESC}[31mred${ESC}[0m b`);
    expect(segments.map(s => s.text)).toEqual(['a', 'red', ' b']);
    expect(segments[1].style.fg).toBe(1);
    expect(segments[2].style).toEqual(PLAIN_STYLE);
  });

  it("reads gitlab-runner's `ESC[32;1m` and `ESC[0;m`", () => {
    const { segments } = parseAnsi(`${ESC}[32;1mJob succeeded${ESC}[0;m`);
    expect(segments).toHaveLength(1);
    expect(segments[0].style).toMatchObject({ fg: 2, bold: true });
    expect(parseAnsi(`${ESC}[32;1mx${ESC}[0;m`).style).toEqual(PLAIN_STYLE);
  });

  it('carries the style over to the next piece of text', () => {
    const first = parseAnsi(`${ESC}[1;34mbold blue`);
    const second = parseAnsi('still', first.style);
    expect(second.segments[0].style).toMatchObject({ fg: 4, bold: true });
  });

  it('drops escapes that are not SGR', () => {
    const text = `${ESC}[0K${ESC}[2Jx${ESC}]0;title\x07y${ESC}[?25l\x07z`;
    expect(
      parseAnsi(text)
        .segments.map(s => s.text)
        .join('')
    ).toBe('xyz');
  });

  it('merges adjacent runs of the same style', () => {
    const { segments } = parseAnsi(`a${ESC}[0Kb${ESC}[31m${ESC}[31mc`);
    expect(segments.map(s => s.text)).toEqual(['ab', 'c']);
  });
});

describe('applySgr', () => {
  it('resets with an empty parameter list', () => {
    const red = applySgr(PLAIN_STYLE, '31;1');
    expect(applySgr(red, '')).toEqual(PLAIN_STYLE);
  });

  it('reads bright colours as palette 8-15', () => {
    expect(applySgr(PLAIN_STYLE, '91').fg).toBe(9);
    expect(applySgr(PLAIN_STYLE, '104').bg).toBe(12);
  });

  it('reads 256-colour and true-colour escapes, with ; or :', () => {
    expect(applySgr(PLAIN_STYLE, '38;5;208').fg).toBe(208);
    expect(applySgr(PLAIN_STYLE, '48;2;10;20;30').bg).toBe('rgb(10,20,30)');
    expect(applySgr(PLAIN_STYLE, '38:2::1:2:3').fg).toBe('rgb(1,2,3)');
    expect(applySgr(PLAIN_STYLE, '38:5:99').fg).toBe(99);
  });

  it('keeps reading parameters after an extended colour', () => {
    const style = applySgr(PLAIN_STYLE, '38;5;1;4');
    expect(style).toMatchObject({ fg: 1, underline: true });
  });

  it('turns attributes off one by one', () => {
    const on = applySgr(PLAIN_STYLE, '1;2;3;4;7;9');
    expect(applySgr(on, '22;23;24;27;29')).toEqual(PLAIN_STYLE);
    expect(applySgr(applySgr(PLAIN_STYLE, '31;42'), '39;49')).toEqual(
      PLAIN_STYLE
    );
  });

  it('ignores malformed extended colours', () => {
    expect(applySgr(PLAIN_STYLE, '38;5;300').fg).toBeNull();
    expect(applySgr(PLAIN_STYLE, '38;2;1').fg).toBeNull();
  });
});

describe('segmentAttributes', () => {
  it("uses JupyterLab's ansi classes for the 16 base colours", () => {
    const style = applySgr(PLAIN_STYLE, '31;1;4;102');
    expect(segmentAttributes(style).className.split(' ').sort()).toEqual([
      'ansi-bold',
      'ansi-green-intense-bg',
      'ansi-red-fg',
      'ansi-underline'
    ]);
  });

  it('uses inline colours for the 256-colour palette and RGB', () => {
    const style = applySgr(PLAIN_STYLE, '38;5;196;48;2;1;2;3');
    expect(segmentAttributes(style)).toEqual({
      className: '',
      style: { color: 'rgb(255,0,0)', 'background-color': 'rgb(1,2,3)' }
    });
  });

  it('swaps colours for inverse video', () => {
    const inverse = applySgr(PLAIN_STYLE, '7');
    expect(segmentAttributes(inverse).className).toBe(
      'ansi-default-inverse-fg ansi-default-inverse-bg'
    );
    const red = applySgr(PLAIN_STYLE, '31;7');
    expect(segmentAttributes(red).className).toBe(
      'ansi-default-inverse-fg ansi-red-bg'
    );
  });
});

describe('paletteColor', () => {
  it('follows the xterm 6x6x6 cube and grey ramp', () => {
    expect(paletteColor(16)).toBe('rgb(0,0,0)');
    expect(paletteColor(231)).toBe('rgb(255,255,255)');
    expect(paletteColor(232)).toBe('rgb(8,8,8)');
    expect(paletteColor(255)).toBe('rgb(238,238,238)');
  });
});

describe('stripAnsi', () => {
  it('leaves only the text', () => {
    expect(stripAnsi(`${ESC}[31;1mERROR:${ESC}[0;m x\r`)).toBe('ERROR: x');
  });
});
