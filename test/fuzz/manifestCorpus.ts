/**
 * A deterministic corpus of malformed and unusual dataset manifests (CSV and JSON), written with the audio files,
 * folders and symbolic links they point at into a fresh folder. Each variant says whether it must be refused (with a
 * FileError naming it) or yield rows, and for rows which ids load, how many entries it has and which reasons skipped
 * entries must give.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One corpus manifest and what reading it must give. */
export interface ManifestVariant {
  readonly name: string;
  /** The manifest file, as passed to the reader. */
  readonly file: string;
  /** The dataset root every loaded file must lie in, after following symbolic links. */
  readonly root: string;
  readonly expect: 'rows' | 'refuse';
  /** What a refusal must say. */
  readonly problem?: RegExp;
  /** The ids that must load, in order. */
  readonly ids?: readonly string[];
  /** The labels of those items, in order. */
  readonly labels?: readonly string[];
  /** How many entries the manifest has: each must load or be skipped. */
  readonly entries?: number;
  /** Reasons that must each appear among the skipped entries. */
  readonly skips?: readonly RegExp[];
}

/** A few bytes standing in for audio: the manifest reader only checks that files exist. */
const AUDIO = new Uint8Array([0x52, 0x49, 0x46, 0x46]);

/** How many audio files the large manifests point at. */
export const MANY_FILES = 1000;

/** How many rows the large manifests have. */
export const MANY_ROWS = 50_000;

function write(file: string, contents: string | Uint8Array = AUDIO): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
}

/**
 * Writes the dataset tree into `dir` — `dir/data` is the root, `dir/outside*` lie beside it — and the manifests,
 * and returns the variants.
 */
export function manifestCorpus(dir: string): ManifestVariant[] {
  const root = path.join(dir, 'data');
  const outsideFile = path.join(dir, 'outside.wav');
  for (const name of ['a.wav', 'b.wav', 'd.wav', 'sub/c.wav', 'b, c.wav', 'quote"d.wav', ' sp.wav', '..x.wav', '...wav', 'sub/..y.wav', 'dir/inner.wav']) write(path.join(root, name));
  for (let i = 0; i < MANY_FILES; i++) write(path.join(root, 'many', `f${String(i).padStart(4, '0')}.wav`));
  write(outsideFile);
  write(path.join(dir, 'outside-dir', 'x.wav'));
  write(path.join(dir, 'data-sibling', 'a.wav'));
  fs.symlinkSync(path.join(root, 'a.wav'), path.join(root, 'link-inside.wav'));
  fs.symlinkSync('sub', path.join(root, 'link-sub'));
  fs.symlinkSync(outsideFile, path.join(root, 'link-outside.wav'));
  fs.symlinkSync('../outside.wav', path.join(root, 'link-outside-relative.wav'));
  fs.symlinkSync(path.join(dir, 'outside-dir'), path.join(root, 'link-dir'));
  fs.symlinkSync('loop2.wav', path.join(root, 'loop1.wav'));
  fs.symlinkSync('loop1.wav', path.join(root, 'loop2.wav'));
  fs.symlinkSync('gone.wav', path.join(root, 'dangling.wav'));
  fs.symlinkSync(root, path.join(dir, 'data-link'));
  fs.mkdirSync(path.join(root, 'folder.csv'));

  const variants: ManifestVariant[] = [];
  type Expectation = Omit<ManifestVariant, 'name' | 'file' | 'root' | 'expect'>;
  const rows = (name: string, contents: string | Uint8Array, expected: Expectation) => {
    write(path.join(root, name), contents);
    variants.push({ name, file: path.join(root, name), root, expect: 'rows', ...expected });
  };
  const refused = (name: string, contents: string | Uint8Array | undefined, problem: RegExp) => {
    if (contents !== undefined) write(path.join(root, name), contents);
    variants.push({ name, file: path.join(root, name), root, expect: 'refuse', problem });
  };
  const csv = (...lines: string[]) => lines.join('\n');
  const json = (value: unknown) => JSON.stringify(value);
  const outside = /outside the dataset folder/;
  const notFound = /file not found/;
  const noLabel = /no label/;
  const noPath = /no path/;
  const twice = /listed twice/;
  const viaLink = /outside the dataset folder .*a symbolic link leads to/;

  // Nothing listed, or nothing readable.
  const lists = /manifest lists no files/;
  refused('empty.csv', '', lists);
  refused('blank-lines.csv', '\n\n  \r\n\t\n', lists);
  refused('header-only.csv', 'path,label,speaker,gender\n', lists);
  refused('comments-only.csv', csv('# made by hand', '# nothing yet'), lists);
  refused('bom-only.csv', '\uFEFF', lists);
  refused('missing.csv', undefined, /cannot read manifest \(ENOENT\)/);
  refused('folder.csv', undefined, /cannot read manifest \(EISDIR\)/);

  // Headers.
  rows('no-header.csv', csv('a.wav,happy,s1,f', 'sub/c.wav,sad,s2,m'), { ids: ['a.wav', 'sub/c.wav'], labels: ['happy', 'sad'], entries: 2 });
  rows('header.csv', csv('path,label,speaker,gender', 'a.wav,Anger,s1,F', 'b.wav,joy,s2,male'), { ids: ['a.wav', 'b.wav'], labels: ['angry', 'happy'], entries: 2 });
  rows('header-reordered.csv', csv('label,speaker,path', 'happy,s1,a.wav'), { ids: ['a.wav'], labels: ['happy'], entries: 1 });
  rows('header-upper-case.csv', csv(' PATH , Label ', 'a.wav,calm'), { ids: ['a.wav'], labels: ['calm'], entries: 1 });
  rows('comment-before-header.csv', csv('# exported from the lab sheet', '', 'path,label', 'a.wav,happy'), { ids: ['a.wav'], entries: 1 });
  refused('header-without-label.csv', csv('path,speaker', 'a.wav,s1'), /header \(line 1\) has no "label" column/);
  refused('header-without-path.csv', csv('file,label', 'a.wav,happy'), /header \(line 1\) has no "path" column/);
  refused('header-repeated-column.csv', csv('path,label,path', 'a.wav,happy,b.wav'), /has the column "path" twice/);
  rows('header-unknown-names.csv', csv('file,emotion', 'a.wav,happy'), { ids: ['a.wav'], entries: 2, skips: [notFound] });
  rows('extra-columns.csv', csv('path,label,speaker,gender,notes,score', 'a.wav,happy,s1,f,"x, y",3'), { ids: ['a.wav'], entries: 1 });
  rows('extra-fields-without-header.csv', csv('a.wav,happy,s1,f,extra,more'), { ids: ['a.wav'], entries: 1 });
  rows('too-few-fields.csv', csv('a.wav', 'b.wav,'), { ids: [], entries: 2, skips: [noLabel] });

  // Quoting, line ends, byte order marks and blank lines.
  rows('quoted-commas.csv', csv('path,label', '"b, c.wav",sad', '"a.wav","happy"'), { ids: ['b, c.wav', 'a.wav'], entries: 2 });
  rows('escaped-quotes.csv', csv('path,label', '"quote""d.wav",happy'), { ids: ['quote"d.wav'], entries: 1 });
  rows('quoted-spaces.csv', csv('path,label', '" sp.wav",happy', '  a.wav  ,  sad  '), { ids: [' sp.wav', 'a.wav'], labels: ['happy', 'sad'], entries: 2 });
  rows('unclosed-quote.csv', csv('path,label', '"a.wav,happy', 'b.wav,sad'), { ids: ['b.wav'], entries: 2, skips: [/quoted field is not closed/] });
  rows('crlf.csv', 'path,label\r\na.wav,happy\r\nb.wav,sad\r\n', { ids: ['a.wav', 'b.wav'], entries: 2 });
  rows('cr-only.csv', 'path,label\ra.wav,happy\rb.wav,sad\r', { ids: ['a.wav', 'b.wav'], entries: 2 });
  rows('bom.csv', '\uFEFFpath,label\na.wav,happy', { ids: ['a.wav'], entries: 1 });
  rows('bom-without-header.csv', '\uFEFFa.wav,happy', { ids: ['a.wav'], entries: 1 });
  rows('blank-lines-between.csv', csv('path,label', '', '   ', 'a.wav,happy', '', '\t', 'b.wav,sad', '', ''), { ids: ['a.wav', 'b.wav'], entries: 2 });
  rows('semicolons.csv', csv('a.wav;happy'), { ids: [], entries: 1, skips: [noLabel] });
  rows('tabs.csv', csv('a.wav\thappy'), { ids: [], entries: 1, skips: [noLabel] });

  // Long lines and many rows.
  rows('long-path.csv', csv('path,label', `${'x'.repeat(100_000)}.wav,happy`, 'a.wav,happy'), { ids: ['a.wav'], entries: 2, skips: [/path is too long|file not found/] });
  rows('long-fields.csv', csv('path,label,speaker', `a.wav,${'h'.repeat(1_000_000)},${'s'.repeat(1_000_000)}`), { ids: ['a.wav'], labels: ['h'.repeat(1_000_000)], entries: 1 });
  const many = Array.from({ length: MANY_ROWS }, (_, i) => `many/f${String(i % (MANY_FILES + 10)).padStart(4, '0')}.wav,${['happy', 'sad', 'angry'][i % 3]},s${i % 24}`);
  const manyIds = Array.from({ length: MANY_FILES }, (_, i) => `many/f${String(i).padStart(4, '0')}.wav`);
  rows('rows-50000.csv', csv('path,label,speaker', ...many), { ids: manyIds, entries: MANY_ROWS, skips: [twice, notFound] });

  // Labels.
  rows('unknown-labels.csv', csv('path,label', 'a.wav,Boredom', 'b.wav,HAPPY', 'sub/c.wav,constructor', 'd.wav,__proto__'), {
    ids: ['a.wav', 'b.wav', 'sub/c.wav', 'd.wav'],
    labels: ['boredom', 'happy', 'constructor', '__proto__'],
    entries: 4,
  });
  rows('missing-labels.csv', csv('path,label', 'a.wav,', 'b.wav,   ', 'd.wav,""'), { ids: [], entries: 3, skips: [noLabel] });

  // Paths: dots, absolute paths, the outside world.
  rows('dot-segments-inside.csv', csv('path,label', 'sub/../a.wav,happy', './b.wav,sad', 'sub/./c.wav,calm'), { ids: ['a.wav', 'b.wav', 'sub/c.wav'], entries: 3 });
  rows('dot-dot-outside.csv', csv('path,label', '../outside.wav,happy', '../../../../../../etc/hostname,sad', 'sub/../../outside.wav,calm', '..,happy'), { ids: [], entries: 4, skips: [outside] });
  rows('sibling-with-root-prefix.csv', csv('path,label', '../data-sibling/a.wav,happy'), { ids: [], entries: 1, skips: [outside] });
  rows('names-starting-with-dots.csv', csv('path,label', '..x.wav,happy', '...wav,sad', 'sub/..y.wav,calm'), { ids: ['..x.wav', '...wav', 'sub/..y.wav'], entries: 3 });
  rows('absolute-inside.csv', csv('path,label', `${path.join(root, 'a.wav')},happy`), { ids: ['a.wav'], entries: 1 });
  rows('absolute-outside.csv', csv('path,label', `${outsideFile},happy`, '/etc/hostname,sad'), { ids: [], entries: 2, skips: [outside] });
  rows('folders.csv', csv('path,label', 'sub,happy', '.,sad', 'sub/,calm', 'link-sub,calm'), { ids: [], entries: 4, skips: [/is not a file/] });
  rows('nul-in-path.csv', csv('path,label', 'a\0.wav,happy', 'b.wav,sad'), { ids: ['b.wav'], entries: 2, skips: [/NUL character/] });
  rows('backslashes.csv', csv('path,label', 'sub\\c.wav,happy'), { ids: [], entries: 1, skips: [notFound] });
  rows('empty-paths.csv', csv('path,label', ',happy', '"",sad', '  ,calm'), { ids: [], entries: 3, skips: [noPath] });
  rows('invalid-utf8.csv', new Uint8Array([...Buffer.from('path,label\na'), 0xff, 0xfe, ...Buffer.from('.wav,happy\nb.wav,sad\n')]), { ids: ['b.wav'], entries: 2, skips: [notFound] });

  // Symbolic links: followed, and refused when they lead out of the root.
  rows('symlink-outside.csv', csv('path,label', 'link-outside.wav,happy', 'link-outside-relative.wav,sad'), { ids: [], entries: 2, skips: [viaLink] });
  rows('symlink-folder-outside.csv', csv('path,label', 'link-dir/x.wav,happy'), { ids: [], entries: 1, skips: [viaLink] });
  rows('symlink-inside.csv', csv('path,label', 'link-inside.wav,happy', 'link-sub/c.wav,sad', 'a.wav,happy', 'sub/c.wav,sad'), {
    ids: ['link-inside.wav', 'link-sub/c.wav'],
    entries: 4,
    skips: [/listed twice \(the same file as link-inside\.wav\)/, /listed twice \(the same file as link-sub\/c\.wav\)/],
  });
  rows('symlink-loop.csv', csv('path,label', 'loop1.wav,happy'), { ids: [], entries: 1, skips: [/symbolic links loop/] });
  rows('symlink-dangling.csv', csv('path,label', 'dangling.wav,happy'), { ids: [], entries: 1, skips: [notFound] });
  write(path.join(root, 'through-linked-root.csv'), csv('path,label', 'a.wav,happy', 'sub/c.wav,sad', '../outside.wav,calm'));
  variants.push({ name: 'through-linked-root.csv', file: path.join(dir, 'data-link', 'through-linked-root.csv'), root, expect: 'rows', ids: ['a.wav', 'sub/c.wav'], entries: 3, skips: [outside] });

  // Duplicates.
  rows('duplicates.csv', csv('path,label', 'a.wav,happy', 'a.wav,happy', './a.wav,sad', 'sub/../a.wav,calm', 'b.wav,sad'), { ids: ['a.wav', 'b.wav'], entries: 5, skips: [twice] });

  // JSON manifests.
  const validJson = [{ path: 'a.wav', label: 'happy', speaker: 's1', gender: 'f' }, { path: 'sub/c.wav', label: 'sad', speaker: 7 }];
  rows('array.json', json(validJson), { ids: ['a.wav', 'sub/c.wav'], entries: 2 });
  rows('items.json', json({ items: validJson, version: 2 }), { ids: ['a.wav', 'sub/c.wav'], entries: 2 });
  rows('bom.json', `\uFEFF${json(validJson)}`, { ids: ['a.wav', 'sub/c.wav'], entries: 2 });
  rows('upper-case-extension.JSON', json(validJson), { ids: ['a.wav', 'sub/c.wav'], entries: 2 });
  refused('empty.json', '', lists);
  refused('empty-array.json', '[]', lists);
  refused('empty-items.json', '{"items": []}', lists);
  const shape = /JSON manifest must be an array/;
  refused('object-without-items.json', json({ path: 'a.wav', label: 'happy' }), shape);
  refused('items-not-array.json', json({ items: { path: 'a.wav' } }), shape);
  refused('inherited-items.json', '{"__proto__": {"items": [{"path": "a.wav", "label": "happy"}]}}', shape);
  refused('string.json', '"a.wav"', shape);
  refused('null.json', 'null', shape);
  refused('number.json', '3', shape);
  refused('invalid.json', '{ not json', /not valid JSON/);
  refused('truncated.json', json(validJson).slice(0, 30), /not valid JSON/);
  refused('csv-in-json.json', csv('path,label', 'a.wav,happy'), /not valid JSON/);
  const notObject = /entry must be an object/;
  rows('non-objects.json', json([1, 'a.wav', null, true, ['a.wav', 'happy']]), { ids: [], entries: 5, skips: [notObject] });
  rows('nested-arrays.json', json([[{ path: 'a.wav', label: 'happy' }], { path: 'b.wav', label: 'sad' }]), { ids: ['b.wav'], entries: 2, skips: [notObject] });
  rows('deeply-nested.json', `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`, { ids: [], entries: 1, skips: [notObject] });
  rows('missing-fields.json', json([{}, { path: 'a.wav' }, { label: 'happy' }, { speaker: 's1' }]), { ids: [], entries: 4, skips: [noPath, noLabel] });
  rows('wrong-types.json', json([{ path: 5, label: 'happy' }, { path: 'a.wav', label: 3 }, { path: ['a.wav'], label: 'happy' }, { path: 'b.wav', label: 'sad', speaker: { id: 1 }, gender: 1 }, { path: 'd.wav', label: ['sad'] }]), {
    ids: ['b.wav'],
    entries: 5,
    skips: [/no path \(found 5\)/, /no label \(found 3\)/, /no path \(found a list\)/, /no label \(found a list\)/],
  });
  rows('prototype-keys.json', '[{"__proto__": {"path": "a.wav", "label": "happy"}}, {"path": "b.wav", "label": "sad", "__proto__": {"x": 1}, "constructor": 1, "line": "x"}]', { ids: ['b.wav'], entries: 2, skips: [noPath] });
  rows('duplicate-keys.json', '[{"path": "x.wav", "path": "a.wav", "label": "happy"}]', { ids: ['a.wav'], entries: 1 });
  rows('outside.json', json([{ path: '../outside.wav', label: 'happy' }, { path: outsideFile, label: 'sad' }, { path: 'link-outside.wav', label: 'calm' }]), { ids: [], entries: 3, skips: [outside, viaLink] });
  rows('names-starting-with-dots.json', json([{ path: '..x.wav', label: 'happy' }]), { ids: ['..x.wav'], entries: 1 });
  rows('entries-50000.json', json(many.map((line) => ({ path: line.split(',')[0], label: line.split(',')[1] }))), { ids: manyIds, entries: MANY_ROWS, skips: [twice, notFound] });
  return variants;
}
