import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isInsideFolder } from '../../src/core/fsutil';
import { allowedFile, canonicalPath, clipFilesOfOutputs, clipRequestOf, decideClipRequest } from '../../src/extension/fileAccess';
import { PanelGate, type Admission } from '../../src/extension/panels/panelGate';
import { panelHtml } from '../../src/extension/panels/panelPage';
import { MIME } from '../../src/shared/mime';
import { MAX_PANEL_REQUESTS_IN_FLIGHT, MAX_PANEL_WATCHES, PANEL_REQUEST_PARAMS, type PanelHostMethods, type PanelMethods } from '../../src/shared/panelProtocol';
import { RpcEndpoint, type Handlers, type RpcMessage } from '../../src/shared/rpc';
import { array, MAX_PATH_LENGTH, number, object, oneOf, parse, string, ValidationError } from '../../src/shared/validate';
import { tempDir } from '../helpers';

/** Values of every wrong kind, for parameters that expect something else. */
const JUNK: unknown[] = [undefined, null, 0, -1, NaN, Infinity, '', 'x', true, [], [{}], () => 1, Symbol('s'), 10n, new Date(0), new Map(), /x/];

function refusal(admission: Admission): { name?: string; message: string } {
  assert.equal(admission.action, 'refuse', `expected a refusal, got ${JSON.stringify(admission)}`);
  const reply = (admission as Extract<Admission, { action: 'refuse' }>).reply;
  assert.equal(reply.kind, 'error');
  return (reply as Extract<RpcMessage, { kind: 'error' }>).error;
}

function forwarded(admission: Admission): readonly RpcMessage[] {
  assert.equal(admission.action, 'forward', `expected the message to pass, got ${JSON.stringify(admission)}`);
  return (admission as Extract<Admission, { action: 'forward' }>).messages;
}

function request(id: number, method: string, params: unknown): Record<string, unknown> {
  return { kind: 'request', id, method, params };
}

describe('message schemas', () => {
  it('accept exactly the described values', () => {
    const point = object({ name: string({ maxLength: 8 }), x: number({ min: 0, max: 10, integer: true }), tags: array(oneOf(['a', 'b']), { maxItems: 2 }) }, { optional: ['tags'] });
    assert.deepEqual(parse(point, { name: 'p', x: 3 }), { name: 'p', x: 3 });
    assert.deepEqual(parse(point, JSON.parse('{"name":"p","x":0,"tags":["a","b"]}')), { name: 'p', x: 0, tags: ['a', 'b'] });
    assert.equal(parse(point, Object.assign(Object.create(null), { name: '', x: 10 })).x, 10);
    const refused: unknown[] = [
      { name: 'p' },
      { name: 'p', x: 3.5 },
      { name: 'p', x: 11 },
      { name: 'p', x: '3' },
      { name: 'p', x: NaN },
      { name: 'toolongname', x: 1 },
      { name: 'p', x: 1, tags: ['c'] },
      { name: 'p', x: 1, tags: ['a', 'a', 'a'] },
      { name: 'p', x: 1, tags: { 0: 'a', length: 1 } },
      { name: 'p', x: 1, extra: true },
      JSON.parse('{"name":"p","x":1,"__proto__":{"polluted":true}}'),
      { name: 'p', x: 1, constructor: 'x' },
      { name: 'p', x: 1, [Symbol('s')]: 1 },
      Object.defineProperty({ x: 1 }, 'name', { get: () => 'p', enumerable: true }),
      Object.assign(Object.create({ inherited: 1 }), { name: 'p', x: 1 }),
      Object.assign(new (class Point {})(), { name: 'p', x: 1 }),
      {},
      ...JUNK,
    ];
    for (const value of refused) assert.throws(() => parse(point, value), ValidationError, `accepted ${String(value)}`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.throws(() => parse(point, { name: 'p', x: 1, tags: ['a', 'c'] }), { message: 'value.tags[1] must be one of "a", "b"' });
    const sparse: unknown[] = [];
    sparse.length = 1;
    assert.throws(() => parse(array(string({ maxLength: 1 }), { maxItems: 1 }), sparse), { message: 'value[0] is missing' });
  });

  it('describe every panel method, and nothing else', () => {
    const methods: (keyof PanelHostMethods)[] = ['state', 'watch', 'cancelJob', 'spectrogram', 'openFile', 'explain'];
    assert.deepEqual(Object.keys(PANEL_REQUEST_PARAMS).sort(), [...methods].sort());
    for (const empty of ['state', 'watch', 'cancelJob'] as const) {
      assert.equal(PANEL_REQUEST_PARAMS[empty].check({}, 'params'), undefined);
      assert.match(PANEL_REQUEST_PARAMS[empty].check({ kind: 'logmel' }, 'params') ?? '', /unexpected key "kind"/);
    }
    assert.equal(PANEL_REQUEST_PARAMS.spectrogram.check({ kind: 'mfcc' }, 'params'), undefined);
    assert.ok(PANEL_REQUEST_PARAMS.spectrogram.check({ kind: 'waveform' }, 'params'));
    assert.equal(PANEL_REQUEST_PARAMS.openFile.check({ file: '/a.wav' }, 'params'), undefined);
    for (const file of ['', 'x'.repeat(MAX_PATH_LENGTH + 1), ['/a.wav'], { toString: () => '/a.wav' }, null]) {
      assert.ok(PANEL_REQUEST_PARAMS.openFile.check({ file }, 'params'), `accepted ${String(file).slice(0, 20)}`);
    }
    assert.equal(PANEL_REQUEST_PARAMS.explain.check({ file: '/a.wav', method: 'occlusion' }, 'params'), undefined);
    assert.ok(PANEL_REQUEST_PARAMS.explain.check({ file: '/a.wav', method: 'saliency' }, 'params'));
  });
});

describe('panel gate', () => {
  it('forwards well-formed requests as fresh messages', () => {
    const gate = new PanelGate();
    const [message] = forwarded(gate.admit(request(1, 'state', {})));
    assert.deepEqual(message, { kind: 'request', id: 1, method: 'state', params: {} });
    assert.deepEqual(forwarded(gate.admit(request(2, 'spectrogram', { kind: 'mfcc' }))), [{ kind: 'request', id: 2, method: 'spectrogram', params: { kind: 'mfcc' } }]);
    assert.deepEqual(forwarded(gate.admit(request(3, 'openFile', { file: '/w/a.wav' }))), [{ kind: 'request', id: 3, method: 'openFile', params: { file: '/w/a.wav' } }]);
    assert.equal(gate.pending, 3);
    gate.sent({ kind: 'result', id: 1, result: {} });
    gate.sent({ kind: 'result', id: 2, result: null });
    gate.sent({ kind: 'error', id: 3, error: { message: 'no' } });
    gate.sent({ kind: 'event', id: 99, event: null });
    assert.equal(gate.pending, 0);
  });

  it('answers unknown methods, wrong parameters and malformed envelopes with an error', () => {
    const gate = new PanelGate();
    for (const method of ['run', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'x'.repeat(100_000), '']) {
      const error = refusal(gate.admit(request(1, method, {})));
      assert.match(error.name ?? '', /MethodNotFound|InvalidRequest/, method.slice(0, 20));
    }
    for (const method of [1, null, {}, ['state']]) assert.equal(refusal(gate.admit(request(1, method as string, {}))).name, 'InvalidRequest');
    for (const params of JUNK) assert.equal(refusal(gate.admit(request(1, 'state', params))).name, 'InvalidParams', String(params));
    const hostile: unknown[] = [
      { kind: 'logmel', extra: 1 },
      { kind: 'LOGMEL' },
      { kind: ['logmel'] },
      { kind: { toString: () => 'logmel' } },
      JSON.parse('{"__proto__":{"kind":"logmel"}}'),
      Object.create({ kind: 'logmel' }),
    ];
    for (const params of hostile) assert.equal(refusal(gate.admit(request(2, 'spectrogram', params))).name, 'InvalidParams');
    const huge = refusal(gate.admit(request(3, 'openFile', { file: `/w/${'a'.repeat(10_000_000)}.wav` })));
    assert.ok(huge.message.length < 300, 'the refusal does not echo the input');
    let nested: unknown = '/w/a.wav';
    for (let i = 0; i < 10_000; i++) nested = [nested];
    assert.equal(refusal(gate.admit(request(4, 'openFile', { file: nested }))).name, 'InvalidParams');
    assert.equal(refusal(gate.admit({ ...request(5, 'state', {}), extra: 1 })).name, 'InvalidRequest');
    assert.equal(refusal(gate.admit(JSON.parse('{"kind":"request","id":6,"method":"state","params":{},"__proto__":{}}'))).name, 'InvalidRequest');
    assert.equal(gate.pending, 0);
    assert.equal(({} as Record<string, unknown>).kind, undefined);
  });

  it('drops messages it cannot answer: no usable id, a kind panels never send, a cancel of nothing', () => {
    const gate = new PanelGate();
    const drops: unknown[] = [
      ...JUNK,
      {},
      request(-1, 'state', {}),
      request(1.5, 'state', {}),
      request(Number.MAX_SAFE_INTEGER + 2, 'state', {}),
      { kind: 'request', id: '1', method: 'state', params: {} },
      { kind: 'result', id: 1, result: {} },
      { kind: 'error', id: 1, error: { message: 'x' } },
      { kind: 'event', id: 1, event: {} },
      { kind: 'cancel', id: 1 },
      { kind: 'cancel', id: 1, extra: true },
      Object.assign(Object.create({ kind: 'request', id: 1 }), { method: 'state', params: {} }),
    ];
    for (const message of drops) assert.equal(gate.admit(message).action, 'drop');
  });

  it('limits live watch subscriptions and unanswered requests, and refuses a request id in use', () => {
    const gate = new PanelGate();
    let id = 1;
    for (let i = 0; i < MAX_PANEL_WATCHES; i++) forwarded(gate.admit(request(id++, 'watch', {})));
    assert.equal(refusal(gate.admit(request(id++, 'watch', {}))).name, 'TooManyRequests');
    assert.deepEqual(forwarded(gate.admit({ kind: 'cancel', id: 1 })), [{ kind: 'cancel', id: 1 }]);
    forwarded(gate.admit(request(id++, 'watch', {})));
    assert.equal(gate.watches(), MAX_PANEL_WATCHES);
    assert.match(refusal(gate.admit(request(2, 'cancelJob', {}))).message, /already in use/);
    while (gate.pending < MAX_PANEL_REQUESTS_IN_FLIGHT) forwarded(gate.admit(request(id++, 'spectrogram', { kind: 'logmel' })));
    assert.equal(refusal(gate.admit(request(id, 'cancelJob', {}))).name, 'TooManyRequests');
  });

  it('ends the requests of the previous page when a reloaded page asks for its state', () => {
    const gate = new PanelGate();
    forwarded(gate.admit(request(1, 'state', {})));
    gate.sent({ kind: 'result', id: 1, result: {} });
    forwarded(gate.admit(request(2, 'watch', {})));
    forwarded(gate.admit(request(3, 'spectrogram', { kind: 'mfcc' })));
    assert.deepEqual(forwarded(gate.admit(request(1, 'state', {}))), [
      { kind: 'cancel', id: 2 },
      { kind: 'cancel', id: 3 },
      { kind: 'request', id: 1, method: 'state', params: {} },
    ]);
    assert.deepEqual(forwarded(gate.admit(request(2, 'watch', {}))), [{ kind: 'request', id: 2, method: 'watch', params: {} }]);
    assert.equal(gate.watches(), 1);
  });

  it('runs no handler for a refused message, behind a real RPC endpoint', async () => {
    const calls: string[] = [];
    const replies: RpcMessage[] = [];
    const gate = new PanelGate();
    let deliver: (message: unknown) => void = () => undefined;
    const handlers: Handlers<PanelHostMethods> = {
      state: () => (calls.push('state'), { view: 'runs', runs: [] }),
      watch: (_params, context) => new Promise((resolve) => context.signal.addEventListener('abort', () => (calls.push('watch ended'), resolve(null)))),
      cancelJob: () => (calls.push('cancelJob'), { cancelled: false }),
      spectrogram: ({ kind }) => {
        calls.push(`spectrogram ${kind}`);
        throw new Error('no spectrogram');
      },
      openFile: ({ file }) => (calls.push(`open ${file}`), null),
      explain: ({ file }) => {
        calls.push(`explain ${file}`);
        throw new Error('no model');
      },
    };
    const endpoint = new RpcEndpoint<PanelHostMethods, PanelMethods>(
      {
        send: (message) => {
          gate.sent(message);
          replies.push(message);
        },
        onMessage: (listener) => {
          deliver = (raw) => {
            const admission = gate.admit(raw);
            if (admission.action === 'forward') admission.messages.forEach(listener);
            else if (admission.action === 'refuse') replies.push(admission.reply);
          };
          return () => undefined;
        },
      },
      handlers,
      0,
    );
    deliver(request(1, 'openFile', { file: 42 }));
    deliver(request(2, 'spectrogram', { kind: 'waveform' }));
    deliver(request(3, 'constructor', {}));
    deliver(request(4, 'state', null));
    deliver({ kind: 'request', id: 5, method: 'cancelJob' });
    deliver(request(6, 'watch', {}));
    deliver(request(7, 'cancelJob', {}));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['cancelJob']);
    assert.deepEqual(
      replies.map((r) => `${r.id} ${r.kind}`),
      ['1 error', '2 error', '3 error', '4 error', '5 error', '7 result'],
    );
    deliver({ kind: 'cancel', id: 6 });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['cancelJob', 'watch ended']);
    assert.equal(gate.pending, 0);
    endpoint.close();
  });
});

describe('file access', () => {
  /** A workspace with a clip, a folder link inside, and links leading outside it. */
  function workspace() {
    const root = fs.realpathSync(tempDir());
    const ws = path.join(root, 'ws');
    const outside = path.join(root, 'outside');
    fs.mkdirSync(path.join(ws, 'clips'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(ws, 'clips', 'a.wav'), 'RIFF');
    fs.writeFileSync(path.join(outside, 'secret.wav'), 'RIFF');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret.wav'), path.join(ws, 'clips', 'link.wav'));
    fs.symlinkSync(outside, path.join(ws, 'escape'));
    fs.symlinkSync(path.join(ws, 'clips'), path.join(ws, 'alias'));
    fs.symlinkSync(path.join(root, 'nowhere.wav'), path.join(ws, 'dangling.wav'));
    return { root, ws, outside, clip: path.join(ws, 'clips', 'a.wav') };
  }

  it('makes paths canonical: absolute only, `..` removed, links resolved (also under missing names)', () => {
    const { ws, outside, clip } = workspace();
    assert.equal(canonicalPath(clip), clip);
    assert.equal(canonicalPath(path.join(ws, 'clips', '..', 'clips', 'a.wav')), clip);
    assert.equal(canonicalPath(path.join(ws, 'alias', 'a.wav')), clip);
    assert.equal(canonicalPath(path.join(ws, 'escape', 'secret.wav')), path.join(outside, 'secret.wav'));
    assert.equal(canonicalPath(path.join(ws, 'escape', 'missing', 'b.wav')), path.join(outside, 'missing', 'b.wav'));
    assert.equal(canonicalPath(path.join(ws, 'dangling.wav')), undefined);
    for (const bad of ['clips/a.wav', '', `${ws}/a\0.wav`, `/${'a'.repeat(MAX_PATH_LENGTH)}`, 42, null, ['/a.wav']]) assert.equal(canonicalPath(bad), undefined);
  });

  it('tells whether a path lies inside a folder', () => {
    const folder = path.resolve('/w/data');
    assert.ok(isInsideFolder(path.join(folder, 'a.wav'), folder));
    assert.ok(isInsideFolder(path.join(folder, '..a', 'b.wav'), folder));
    assert.ok(!isInsideFolder(folder, folder));
    assert.ok(!isInsideFolder(path.resolve('/w/data2/a.wav'), folder));
    assert.ok(!isInsideFolder(path.resolve('/w/a.wav'), folder));
  });

  it('opens only the files a panel shows, however the path is spelled', () => {
    const { ws, outside, clip } = workspace();
    const shown = new Set([clip, path.join(ws, 'clips', 'link.wav')]);
    assert.equal(allowedFile(clip, shown), clip);
    assert.equal(allowedFile(path.join(ws, 'alias', '..', 'clips', './a.wav'), shown), clip);
    assert.equal(allowedFile(path.join(ws, 'alias', 'a.wav'), shown), clip);
    // The link the panel shows leads to its target, and only there.
    assert.equal(allowedFile(path.join(ws, 'clips', 'link.wav'), shown), path.join(outside, 'secret.wav'));
    assert.equal(allowedFile(path.join(ws, 'escape', 'secret.txt'), shown), undefined);
    assert.equal(allowedFile(path.join(ws, 'clips', '..', '..', 'outside', 'secret.txt'), shown), undefined);
    assert.equal(allowedFile(path.join(ws, 'dangling.wav'), [path.join(ws, 'dangling.wav')]), undefined);
    assert.equal(allowedFile('clips/a.wav', shown), undefined);
    assert.equal(allowedFile(clip, []), undefined);
  });

  it('lets the renderer read WAV clips of the workspace or listed by the notebook, nothing else', () => {
    const { root, ws, outside, clip } = workspace();
    const listed = path.join(outside, 'secret.wav');
    const options = { workspaceFolders: [ws], listedFiles: new Set<string>() };
    assert.deepEqual(decideClipRequest(clip, options), { allowed: true, file: clip });
    assert.deepEqual(decideClipRequest(path.join(ws, 'alias', 'a.wav'), options), { allowed: true, file: clip });
    assert.deepEqual(decideClipRequest(path.join(ws, 'clips', 'missing.wav'), options), { allowed: true, file: path.join(ws, 'clips', 'missing.wav') });
    const refused = [
      listed,
      path.join(ws, 'clips', 'link.wav'),
      path.join(ws, 'escape', 'secret.wav'),
      path.join(ws, 'clips', '..', '..', 'outside', 'secret.wav'),
      path.join(ws, 'escape', 'missing', 'b.wav'),
      path.join(ws, 'dangling.wav'),
      path.join(ws, 'escape', 'secret.txt'),
      `${ws}2/a.wav`,
      ws,
      'clips/a.wav',
      '/etc/passwd',
    ];
    for (const file of refused) assert.equal(decideClipRequest(file, options).allowed, false, file);
    assert.deepEqual(decideClipRequest(listed, { ...options, listedFiles: new Set([listed]) }), { allowed: true, file: listed });
    assert.deepEqual(decideClipRequest(path.join(ws, 'clips', 'link.wav'), { workspaceFolders: [root], listedFiles: new Set() }), { allowed: true, file: listed });
    assert.equal(decideClipRequest(path.join(outside, 'secret.txt'), { ...options, listedFiles: new Set([path.join(outside, 'secret.txt')]) }).allowed, false);
    assert.equal(decideClipRequest(clip, { workspaceFolders: ['relative/ws'], listedFiles: new Set() }).allowed, false);
    // A WAV name linked to a blob without an extension (content-addressed datasets) plays; the blob's own name does not.
    const blob = path.join(ws, 'blobs', 'abc123');
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.writeFileSync(blob, 'RIFF');
    fs.symlinkSync(blob, path.join(ws, 'take.wav'));
    assert.deepEqual(decideClipRequest(path.join(ws, 'take.wav'), options), { allowed: true, file: blob });
    assert.equal(decideClipRequest(blob, options).allowed, false);
  });

  it('reads the clip files of explorer outputs only, and survives malformed ones', () => {
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const files = clipFilesOfOutputs([
      { mime: MIME.explorer, data: json({ method: 'pca', axes: ['a', 'b'], labels: [], points: [{ x: 0, y: 0, label: 'sad', file: '/d/1.wav', name: '1' }, { file: 42 }, null, { file: 'x'.repeat(MAX_PATH_LENGTH + 1) }] }) },
      { mime: MIME.classification, data: json([{ file: '/d/2.wav', name: '2' }]) },
      { mime: MIME.explorer, data: new TextEncoder().encode('{not json') },
      { mime: MIME.explorer, data: json({ points: { file: '/d/3.wav' } }) },
      { mime: MIME.explorer, data: json(null) },
    ]);
    assert.deepEqual([...files], ['/d/1.wav']);
  });

  it('parses only well-formed clip requests from the renderer', () => {
    assert.deepEqual(clipRequestOf({ type: 'clip', requestId: 3, file: '/d/1.wav' }), { type: 'clip', requestId: 3, file: '/d/1.wav' });
    const bad: unknown[] = [
      ...JUNK,
      {},
      { type: 'clip', requestId: 3 },
      { type: 'clip', requestId: '3', file: '/d/1.wav' },
      { type: 'clip', requestId: 1.5, file: '/d/1.wav' },
      { type: 'play', requestId: 3, file: '/d/1.wav' },
      { type: 'clip', requestId: 3, file: ['/d/1.wav'] },
      { type: 'clip', requestId: 3, file: 'x'.repeat(MAX_PATH_LENGTH + 1) },
      { type: 'clip', requestId: 3, file: '/d/1.wav', extra: 1 },
      JSON.parse('{"type":"clip","requestId":3,"file":"/d/1.wav","__proto__":{}}'),
    ];
    for (const message of bad) assert.equal(clipRequestOf(message), undefined);
  });
});

describe('panel page', () => {
  const resources = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', plotlyScript: 'https://r/dist/webview/plotly.min.js', panelScript: 'https://r/dist/webview/panel.js' };

  function policy(html: string): Map<string, string[]> {
    const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.ok(content, 'the page has a CSP');
    return new Map(content.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
  }

  it('allows only its own nonce-bearing scripts: no eval, no inline script, a fresh nonce each render', () => {
    const first = panelHtml(resources, 'classify', 'Classify <a.wav> & "b"');
    const second = panelHtml(resources, 'classify', 'Classify');
    const csp = policy(first);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    const scriptSrc = csp.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1);
    const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(scriptSrc[0])?.[1];
    assert.ok(nonce && nonce.length >= 22, 'script-src is a single nonce of at least 128 bits');
    assert.ok(!first.includes('unsafe-eval'));
    assert.ok(!scriptSrc.includes("'unsafe-inline'"));
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    const secondNonce = /'nonce-([^']+)'/.exec(policy(second).get('script-src')?.[0] ?? '')?.[1];
    assert.notEqual(nonce, secondNonce);
    const scripts = [...first.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.deepEqual(
      scripts.map((s) => /src="([^"]+)"/.exec(s[1])?.[1]),
      [resources.plotlyScript, resources.panelScript],
    );
    for (const [, attributes, body] of scripts) {
      assert.ok(attributes.includes(`nonce="${nonce}"`));
      assert.equal(body, '');
    }
    assert.equal((first.match(/<script\b/g) ?? []).length, 2);
    assert.ok(!/\son[a-z]+=/i.test(first), 'no inline event handlers');
    assert.ok(first.includes('<title>Classify &lt;a.wav&gt; &amp; &quot;b&quot;</title>'));
  });

  it('keeps a hostile title out of the markup', () => {
    const html = panelHtml(resources, 'runs', '"><script>alert(1)</script><meta http-equiv="Content-Security-Policy" content="script-src *">');
    assert.equal((html.match(/<script\b/g) ?? []).length, 2);
    assert.equal((html.match(/<meta http-equiv/g) ?? []).length, 1);
  });
});
