// Print, as JSON, the cells xterm.js gives each code point read on stdin (a JSON list): each is
// written after an "a" at the start of a row, and the cursor position report (DSR 6) that
// follows it says where the cursor went.
const fs = require('fs');
const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const { Terminal } = require(job.module);

const t = new Terminal({ rows: 5, cols: 20, allowProposedApi: true });
const widths = [];
t.onData((reply) => {
  for (const m of reply.matchAll(/\x1b\[\d+;(\d+)R/g)) widths.push(Number(m[1]) - 2);
});
const out = job.codepoints.map((c) => '\ra' + String.fromCodePoint(c) + '\x1b[6n').join('');
t.write(out, () => {
  process.stdout.write(JSON.stringify(widths));
  t.dispose();
});
