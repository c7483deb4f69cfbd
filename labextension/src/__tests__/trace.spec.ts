import {
  buildTraceTree,
  formatSectionDuration,
  isFailureLine,
  ITraceLine,
  ITraceSection,
  parseTrace,
  TraceParser
} from '../trace';

const ESC = '\x1b';
const start = (time: number, name: string, options = ''): string =>
  `section_start:${time}:${name}${options}\r${ESC}[0K`;
const end = (time: number, name: string): string =>
  `section_end:${time}:${name}\r${ESC}[0K`;

/** A trace as the local runner writes it. */
const TRACE = [
  'Running with jupyter_ci_terminal local runner\n',
  `${start(100, 'prepare_executor')}${ESC}[36;1mPreparing the "shell" executor${ESC}[0;m\n`,
  'Using Shell (bash) executor...\n',
  end(101, 'prepare_executor'),
  `${start(101, 'step_script')}${ESC}[36;1mExecuting "step_script" stage${ESC}[0;m\n`,
  `${ESC}[32;1m$ make test${ESC}[0;m\n`,
  `${start(102, 'deps', '[collapsed=true]')}Installing dependencies\n`,
  'pip install -r requirements.txt\n',
  end(110, 'deps'),
  `${ESC}[31mFAILED${ESC}[0m test_one\n`,
  end(112, 'step_script'),
  `${ESC}[31;1mERROR: Job failed: exit code 3${ESC}[0;m\n`
].join('');

const lines = (nodes: (ITraceLine | ITraceSection)[]): string[] =>
  nodes.map(node => (node.kind === 'line' ? node.text : `[${node.name}]`));

describe('parseTrace', () => {
  it('nests sections and keeps the lines in order', () => {
    const tree = parseTrace(TRACE);
    expect(lines(tree)).toEqual([
      'Running with jupyter_ci_terminal local runner',
      '[prepare_executor]',
      '[step_script]',
      'ERROR: Job failed: exit code 3'
    ]);
    const step = tree[2] as ITraceSection;
    expect(step.header.text).toBe('Executing "step_script" stage');
    expect(step.start).toBe(101);
    expect(step.end).toBe(112);
    expect(lines(step.children)).toEqual([
      '$ make test',
      '[deps]',
      'FAILED test_one'
    ]);
    const deps = step.children[1] as ITraceSection;
    expect(deps.collapsed).toBe(true);
    expect(step.collapsed).toBe(false);
    expect(lines(deps.children)).toEqual(['pip install -r requirements.txt']);
  });

  it('numbers lines as GitLab does, headers included', () => {
    const tree = parseTrace(TRACE);
    const step = tree[2] as ITraceSection;
    expect((tree[0] as ITraceLine).number).toBe(1);
    expect((tree[1] as ITraceSection).header.number).toBe(2);
    expect(step.header.number).toBe(4);
    expect((tree[3] as ITraceLine).number).toBe(9);
  });

  it('keeps colours in segments', () => {
    const step = parseTrace(TRACE)[2] as ITraceSection;
    const failed = step.children[2] as ITraceLine;
    expect(failed.segments[0]).toMatchObject({ text: 'FAILED' });
    expect(failed.segments[0].style.fg).toBe(1);
    expect(failed.segments[1].style.fg).toBeNull();
  });

  it("reads GitLab's documented `\\e[0Ksection_start…` form", () => {
    const tree = parseTrace(
      `${ESC}[0K${start(5, 'mine')}Header\nbody\n${ESC}[0K${end(6, 'mine')}\nafter\n`
    );
    expect(lines(tree)).toEqual(['[mine]', 'after']);
    expect(lines((tree[0] as ITraceSection).children)).toEqual(['body']);
  });

  it('names a section after itself when its header is empty', () => {
    const tree = parseTrace(`${start(5, 'build')}\nx\n${end(6, 'build')}`);
    expect((tree[0] as ITraceSection).header.text).toBe('build');
  });

  it('shows only the text after the last carriage return', () => {
    expect(lines(parseTrace('10%\r50%\r100%\r\ndone\r\n'))).toEqual([
      '100%',
      'done'
    ]);
  });

  it('closes sections left open inside the one that ends', () => {
    const tree = buildTraceTree([
      ...new TraceParser().push(
        `${start(1, 'outer')}o\n${start(2, 'inner')}i\n${end(3, 'outer')}tail\n`
      )
    ]);
    expect(lines(tree)).toEqual(['[outer]', 'tail']);
    expect((tree[0] as ITraceSection).end).toBe(3);
  });
});

describe('TraceParser', () => {
  it('gives the same events whatever the chunking', () => {
    const whole = new TraceParser();
    const expected = [...whole.push(TRACE), ...whole.flush()];
    for (const size of [1, 3, 7, 64]) {
      const parser = new TraceParser();
      const events = [];
      for (let i = 0; i < TRACE.length; i += size) {
        events.push(...parser.push(TRACE.slice(i, i + size)));
      }
      events.push(...parser.flush());
      expect(events).toEqual(expected);
      expect(parser.length).toBe(TRACE.length);
    }
  });

  it('holds an unterminated line back but shows it as pending', () => {
    const parser = new TraceParser();
    expect(parser.push('one\ntw')).toHaveLength(1);
    expect(parser.pending()?.text).toBe('tw');
    expect(parser.pending()?.number).toBe(2);
    const events = parser.push('o\n');
    expect(events).toMatchObject([{ kind: 'line', text: 'two', number: 2 }]);
    expect(parser.pending()).toBeNull();
  });

  it('does not show half a marker as text', () => {
    const parser = new TraceParser();
    parser.push('x\nsection_end:12:ste');
    expect(parser.pending()).toBeNull();
    expect(parser.push(`p\r${ESC}[0K`)).toEqual([
      { kind: 'section-end', name: 'step', time: 12 }
    ]);
  });

  it('waits for the end of a section header', () => {
    const parser = new TraceParser();
    expect(parser.push(`${start(1, 'a')}Head`)).toEqual([]);
    const [event] = parser.push('er\n');
    expect(event).toMatchObject({ kind: 'section-start', name: 'a' });
  });

  it('emits the last line on flush', () => {
    const parser = new TraceParser();
    parser.push('a\nb');
    expect(parser.flush()).toMatchObject([{ kind: 'line', text: 'b' }]);
  });
});

describe('isFailureLine', () => {
  it("matches gitlab-runner's verdict only", () => {
    expect(isFailureLine('ERROR: Job failed: exit code 1')).toBe(true);
    expect(isFailureLine('ERROR: Job failed (system failure): x')).toBe(true);
    expect(isFailureLine('echo "ERROR: Job failed"')).toBe(false);
    expect(isFailureLine('ERROR: Job failedness')).toBe(false);
  });
});

describe('formatSectionDuration', () => {
  it('formats like GitLab', () => {
    expect(formatSectionDuration(5)).toBe('00:05');
    expect(formatSectionDuration(62)).toBe('01:02');
    expect(formatSectionDuration(3723)).toBe('01:02:03');
  });
});
