// Feed terminal output to xterm.js (no DOM needed to parse) and print its buffer as JSON.
// Input on stdin: {"module": path of @xterm/xterm, "terminals": [{"rows", "cols", "writes": [..],
// "resize": [rows, cols] | null, "after": [..]}]}; output: one dump per terminal.
const fs = require('fs');
const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const { Terminal } = require(job.module);

function cellKey(cell) {
  const flags = [cell.isBold(), cell.isDim(), cell.isItalic(), cell.isUnderline(), cell.isBlink(),
    cell.isInverse(), cell.isInvisible(), cell.isStrikethrough()].map(v => (v ? 1 : 0)).join('');
  return [cell.getFgColorMode(), cell.getFgColor(), cell.getBgColorMode(), cell.getBgColor(), flags].join(',');
}

function dump(t) {
  const b = t.buffer.active;
  const lines = [];
  for (let i = 0; i < b.length; i++) {
    const line = b.getLine(i);
    const cells = [];
    for (let x = 0; x < t.cols; x++) {
      const c = line.getCell(x);
      if (c.getWidth() === 0) continue;  // the right half of a wide character
      cells.push([c.getChars() || ' ', cellKey(c)]);
    }
    const blank = cellKey(t.buffer.active.getNullCell());
    while (cells.length && cells[cells.length - 1][0] === ' ' && cells[cells.length - 1][1] === blank) cells.pop();
    lines.push({ wrapped: line.isWrapped, text: cells.map(c => c[0]).join(''), attrs: cells.map(c => c[1]) });
  }
  return {
    lines, x: b.cursorX, y: b.cursorY, base: b.baseY, type: b.type,
    modes: t.modes, cols: t.cols, rows: t.rows,
  };
}

async function run() {
  const out = [];
  for (const spec of job.terminals) {
    const t = new Terminal({ rows: spec.rows, cols: spec.cols, scrollback: spec.scrollback || 1000, allowProposedApi: true });
    for (const w of spec.writes) await new Promise(r => t.write(w, r));
    if (spec.resize) t.resize(spec.resize[1], spec.resize[0]);
    for (const w of spec.after || []) await new Promise(r => t.write(w, r));
    out.push(dump(t));
    t.dispose();
  }
  process.stdout.write(JSON.stringify(out));
}
run();
