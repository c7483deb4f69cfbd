import {
  emptyValueMessage,
  gitlabBackendName,
  refusalMessage,
  webSessionBody,
  webSessionPrompt,
  webSessionTarget
} from '../websession';

/** The shape of a `CIResponseError` (`response.status`, `reason`, `message`). */
const answered = (status: number, reason: string | null, message = '') => ({
  response: { status },
  reason,
  message
});

const NEEDED =
  'GitLab opens job terminals only for a signed-in browser session, never for API tokens: give Jupyter your _gitlab_session cookie once.';
const EXPIRED =
  'GitLab at gitlab.example.com did not accept the web session (expired?): sign in to GitLab again and give Jupyter the new _gitlab_session cookie.';

describe('webSessionPrompt', () => {
  it.each([
    ['WebSessionRequiredError', NEEDED, false],
    ['WebSessionRefusedError', EXPIRED, true]
  ])('asks on 403 %s with the server sentence', (reason, message, expired) => {
    expect(webSessionPrompt(answered(403, reason, message))).toEqual({
      message,
      expired
    });
  });

  it.each(['WebSessionRequiredError', 'WebSessionRefusedError'])(
    'has a sentence of its own when the server sent none (%s)',
    reason => {
      expect(webSessionPrompt(answered(403, reason))?.message).toContain(
        'web session'
      );
    }
  );

  it.each([
    [
      'an administrator switched terminals off',
      answered(403, 'ForbiddenError')
    ],
    ['another status', answered(401, 'WebSessionRequiredError')],
    ['a job without terminal', answered(404, 'NoTerminalError')],
    ['GitLab unreachable', answered(502, 'BackendError')],
    ['no reason (a proxy page)', answered(403, null)],
    ['a network error', new TypeError('Failed to fetch')],
    ['a string', 'WebSessionRequiredError'],
    ['null', null],
    ['undefined', undefined]
  ])('does not ask for %s', (_, error) => {
    expect(webSessionPrompt(error)).toBeNull();
  });
});

describe('gitlabBackendName', () => {
  it.each([
    ['gitlab-42', 'gitlab'],
    ['gitlab-7', 'gitlab'],
    ['work-gitlab-1234', 'work-gitlab']
  ])('reads %s', (project, backend) => {
    expect(gitlabBackendName(project)).toBe(backend);
  });

  it.each(['local', 'gitlab', '-42', 'gitlab-'])('has none for %j', id => {
    expect(gitlabBackendName(id)).toBeNull();
  });
});

describe('webSessionTarget', () => {
  const listed = [
    { id: 'local', backend: 'local', instance: 'local', host: null },
    {
      id: 'gitlab-42',
      backend: 'gitlab',
      instance: 'gitlab',
      host: 'gitlab.example.com'
    },
    {
      id: 'work-gitlab-42',
      backend: 'gitlab',
      instance: 'work-gitlab',
      host: 'gitlab.work.example'
    }
  ];

  it('is the instance of the project whose Debug was pressed', () => {
    expect(webSessionTarget('work-gitlab-42', listed)).toEqual({
      backend: 'work-gitlab',
      host: 'gitlab.work.example'
    });
    expect(webSessionTarget('gitlab-42', listed)).toEqual({
      backend: 'gitlab',
      host: 'gitlab.example.com'
    });
  });

  it('reads the id of a project not listed yet', () => {
    expect(webSessionTarget('other-7', listed)).toEqual({
      backend: 'other',
      host: null
    });
    expect(webSessionTarget('local')).toEqual({ backend: null, host: null });
  });
});

describe('webSessionBody', () => {
  it('names the backend when known', () => {
    expect(JSON.parse(webSessionBody('gitlab', 'abc'))).toEqual({
      backend: 'gitlab',
      session: 'abc'
    });
  });

  it('leaves the backend to the server otherwise', () => {
    expect(JSON.parse(webSessionBody(null, 'abc'))).toEqual({
      session: 'abc'
    });
  });
});

describe('refusalMessage', () => {
  it.each([
    [400, 'ConfigError', 'That is not a _gitlab_session cookie value.'],
    [403, 'WebSessionRefusedError', EXPIRED],
    [502, 'BackendError', 'GitLab at gitlab.example.com cannot be reached.']
  ])('shows the server sentence of a %i', (status, reason, message) => {
    expect(refusalMessage(answered(status, reason, message))).toBe(message);
  });

  it('leaves errors without an answer to the caller', () => {
    expect(refusalMessage(new TypeError('Failed to fetch'))).toBeNull();
    expect(refusalMessage(answered(403, null, ''))).toBeNull();
  });
});

describe('emptyValueMessage', () => {
  it('asks for a value', () => {
    expect(emptyValueMessage('')).toContain('_gitlab_session');
    expect(emptyValueMessage('  \n')).toContain('_gitlab_session');
  });

  it('accepts any other text (the server checks it)', () => {
    expect(emptyValueMessage('a11ce5e5')).toBeNull();
  });
});
