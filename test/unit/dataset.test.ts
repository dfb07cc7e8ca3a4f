import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { encodeWav } from '../../src/core/audio/wavWrite';
import {
  classWeights,
  EMOTIONS,
  kFoldBySpeaker,
  loadDataset,
  parseCremaName,
  parseRavdessName,
  parseSaveeName,
  parseSpeakerList,
  parseTessName,
  requireTwoLabels,
  splitCounts,
  splitDataset,
  type DatasetIndex,
} from '../../src/core/dataset';
import { FileError, UsageError } from '../../src/core/errors';
import { sine, tempDir } from '../helpers';

const TINY_WAV = encodeWav(sine(220, 8000, 0.05), 8000);

function touch(file: string, bytes: Uint8Array = TINY_WAV): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** Every RAVDESS speech file name of one actor (60 of them). */
function ravdessNames(actor: number, channel = 1): string[] {
  const names: string[] = [];
  const two = (n: number) => String(n).padStart(2, '0');
  for (let e = 1; e <= 8; e++) {
    for (const i of e === 1 ? [1] : [1, 2]) for (const s of [1, 2]) for (const r of [1, 2]) names.push(`03-${two(channel)}-${two(e)}-${two(i)}-${two(s)}-${two(r)}-${two(actor)}.wav`);
  }
  return names;
}

describe('file name parsers', () => {
  it('RAVDESS: all seven fields, gender from the actor number', () => {
    const parsed = parseRavdessName('03-01-05-02-01-01-12.wav');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.ravdess, {
      modality: 'audio-only',
      vocalChannel: 'speech',
      emotion: 'angry',
      intensity: 'strong',
      statement: 1,
      repetition: 1,
      actor: 12,
      gender: 'female',
    });
    assert.equal(parsed.value.speaker, '12');
    const male = parseRavdessName('03-02-08-01-02-02-07.WAV');
    assert.ok(male.ok && male.value.gender === 'male' && male.value.label === 'surprised' && male.value.ravdess?.vocalChannel === 'song');
  });

  it('RAVDESS: says which field is wrong', () => {
    const problem = (name: string) => {
      const result = parseRavdessName(name);
      assert.ok(!result.ok);
      return result.problem;
    };
    assert.match(problem('03-01-09-01-01-01-01.wav'), /emotion 09/);
    assert.match(problem('03-01-01-02-01-01-01.wav'), /neutral .* no strong intensity/);
    assert.match(problem('03-01-02-01-01-01-25.wav'), /actor 25/);
    assert.match(problem('04-01-02-01-01-01-01.wav'), /modality 04/);
    assert.match(problem('03-01-02-01-03-01-01.wav'), /statement 03/);
    assert.match(problem('recording.wav'), /RAVDESS pattern/);
  });

  it('CREMA-D, TESS and SAVEE map onto the shared vocabulary', () => {
    const crema = parseCremaName('1001_DFA_ANG_XX.wav', new Map([['1001', 'male' as const]]));
    assert.ok(crema.ok && crema.value.label === 'angry' && crema.value.speaker === '1001' && crema.value.gender === 'male' && crema.value.intensity === 'unspecified');
    assert.ok(!parseCremaName('1001_DFA_XYZ_XX.wav').ok);
    const tess = parseTessName('YAF_back_ps.wav');
    assert.ok(tess.ok && tess.value.label === 'surprised' && tess.value.gender === 'female' && tess.value.speaker === 'YAF');
    const tessFear = parseTessName('OAF_bite_fear.wav');
    assert.ok(tessFear.ok && tessFear.value.label === 'fearful');
    const savee = parseSaveeName('KL_sa07.wav');
    assert.ok(savee.ok && savee.value.label === 'sad' && savee.value.speaker === 'KL' && savee.value.gender === 'male');
    const saveeFolder = parseSaveeName('su12.wav', 'DC');
    assert.ok(saveeFolder.ok && saveeFolder.value.label === 'surprised' && saveeFolder.value.speaker === 'DC');
    assert.ok(!parseSaveeName('XX_a01.wav').ok);
  });
});

describe('loadDataset', () => {
  let ravdessRoot: string;
  let index: DatasetIndex;

  before(() => {
    ravdessRoot = path.join(tempDir(), 'ravdess');
    for (let actor = 1; actor <= 24; actor++) {
      for (const name of ravdessNames(actor)) touch(path.join(ravdessRoot, `Actor_${String(actor).padStart(2, '0')}`, name));
    }
    for (const name of ravdessNames(1, 2).slice(0, 5)) touch(path.join(ravdessRoot, 'Actor_01', name));
    touch(path.join(ravdessRoot, 'Actor_02', 'notes.wav'));
    touch(path.join(ravdessRoot, 'Actor_03', '03-01-05-01-01-01-04.wav'));
    touch(path.join(ravdessRoot, 'Actor_05', 'broken.wav'), Uint8Array.from([1, 2, 3]));
    touch(path.join(ravdessRoot, 'Actor_06', '03-01-05-01-01-01-06.mp3'), Uint8Array.from([0x49, 0x44, 0x33]));
    touch(path.join(ravdessRoot, 'Actor_07', '03-01-06-01-01-02-07.wav'), Uint8Array.from([0x49, 0x44, 0x33, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    fs.renameSync(path.join(ravdessRoot, 'Actor_07', '03-01-06-01-01-02-07.wav'), path.join(ravdessRoot, 'Actor_07', 'x-03-01-06-01-01-02-07.wav'));
    touch(path.join(ravdessRoot, 'Actor_08', '03-01-06-01-01-02-08.wav'), new Uint8Array(0));
    index = loadDataset(ravdessRoot);
  });

  it('reads the RAVDESS tree: speech only by default, every field parsed', () => {
    assert.equal(index.corpus, 'ravdess');
    // 24 × 60 speech clips, minus one renamed away and one emptied.
    assert.equal(index.items.length, 1438);
    assert.deepEqual(index.labels, [...EMOTIONS]);
    assert.equal(index.speakers.length, 24);
    assert.equal(index.excluded['song clips (use includeSong / --song to keep them)'], 5);
    const item = index.items.find((i) => i.id === 'Actor_12/03-01-05-02-01-01-12.wav')!;
    assert.equal(item.label, 'angry');
    assert.equal(item.speaker, '12');
    assert.equal(item.gender, 'female');
    assert.equal(item.intensity, 'strong');
    assert.equal(item.sampleRate, 8000);
    assert.equal(index.items.filter((i) => i.label === 'neutral').length, 24 * 4);
    assert.equal(index.items.filter((i) => i.label === 'fearful').length, 24 * 8 - 2);
  });

  it('skips, with a reason, every file it cannot use', () => {
    const reason = (file: string) => index.skipped.find((s) => s.path.endsWith(file))?.problem;
    assert.match(reason('notes.wav') ?? '', /RAVDESS pattern/);
    assert.match(reason('Actor_03/03-01-05-01-01-01-04.wav') ?? '', /says actor 04 but it is in Actor_03/);
    assert.match(reason('broken.wav') ?? '', /RAVDESS pattern/);
    assert.match(reason('.mp3') ?? '', /only WAV files/);
    assert.match(reason('x-03-01-06-01-01-02-07.wav') ?? '', /RAVDESS pattern/);
    assert.match(reason('03-01-06-01-01-02-08.wav') ?? '', /empty/);
    assert.equal(index.skipped.length, 6);
  });

  it('keeps song clips on request, and reads a flat folder', () => {
    assert.equal(loadDataset(ravdessRoot, { includeSong: true }).items.length, 1443);
    const flat = path.join(tempDir(), 'flat');
    for (const name of [...ravdessNames(1), ...ravdessNames(2)]) touch(path.join(flat, name));
    const flatIndex = loadDataset(flat);
    assert.equal(flatIndex.items.length, 120);
    assert.deepEqual(flatIndex.speakers, ['01', '02']);
  });

  it('reads one folder per label, normalising label names; unknown speakers mean a random split', () => {
    const root = path.join(tempDir(), 'folders');
    for (const [folder, count] of [['Anger', 6], ['happiness', 5], ['neutral', 4], ['boredom', 3]] as const) {
      for (let i = 0; i < count; i++) touch(path.join(root, folder, `clip${i}.wav`));
    }
    touch(path.join(root, 'loose.wav'));
    const folders = loadDataset(root);
    assert.equal(folders.corpus, 'folders');
    assert.deepEqual(folders.labels, ['neutral', 'happy', 'angry', 'boredom']);
    assert.match(folders.skipped[0].problem, /not inside a label folder/);
    const split = splitDataset(folders);
    assert.equal(split.kind, 'random');
    assert.ok(split.speakerLeakage);
    assert.match(split.description, /random split \(speaker leakage\)/);
    assert.throws(() => splitDataset(folders, { kind: 'actors' }), /needs at least 3 known speakers/);
  });

  it('reads CSV and JSON manifests, refusing paths outside the root and missing files', () => {
    const root = path.join(tempDir(), 'manifest');
    touch(path.join(root, 'a.wav'));
    touch(path.join(root, 'sub', 'b, c.wav'));
    touch(path.join(root, 'd.wav'));
    touch(path.join(path.dirname(root), 'outside.wav'));
    fs.writeFileSync(
      path.join(root, 'manifest.csv'),
      ['path,label,speaker,gender', 'a.wav,Anger,s1,F', '"sub/b, c.wav",sad,s2,m', '../outside.wav,sad,s3', 'missing.wav,happy,s1', 'a.wav,angry,s1', 'd.wav,,s4', ''].join('\n'),
    );
    const csv = loadDataset(root);
    assert.equal(csv.corpus, 'manifest');
    assert.deepEqual(
      csv.items.map((i) => [i.id, i.label, i.speaker, i.gender]),
      [
        ['a.wav', 'angry', 's1', 'female'],
        ['sub/b, c.wav', 'sad', 's2', 'male'],
      ],
    );
    const problems = csv.skipped.map((s) => s.problem).join('\n');
    assert.match(problems, /outside the dataset folder/);
    assert.match(problems, /file not found/);
    assert.match(problems, /listed twice/);
    assert.match(problems, /no label/);

    const jsonFile = path.join(root, 'list.json');
    fs.writeFileSync(jsonFile, JSON.stringify({ items: [{ path: 'a.wav', label: 'calm', speaker: 7 }, { path: 'd.wav' }] }));
    const json = loadDataset(jsonFile);
    assert.deepEqual(json.items.map((i) => [i.label, i.speaker]), [['calm', '7']]);
    fs.writeFileSync(jsonFile, '{ not json');
    assert.throws(() => loadDataset(jsonFile), (e: unknown) => e instanceof FileError && /not valid JSON/.test(e.problem));
  });

  it('manifests: follows symbolic links before the inside-the-root check, and takes names that start with ".."', () => {
    const dir = tempDir();
    const root = path.join(dir, 'data');
    for (const name of ['a.wav', '..x.wav', 'sub/c.wav']) touch(path.join(root, name));
    touch(path.join(dir, 'secret.wav'));
    fs.symlinkSync(path.join(dir, 'secret.wav'), path.join(root, 'escape.wav'));
    fs.symlinkSync('a.wav', path.join(root, 'alias.wav'));
    fs.writeFileSync(
      path.join(root, 'manifest.csv'),
      ['# exported by hand', 'path,label', '..x.wav,happy', 'escape.wav,sad', 'a.wav,constructor', 'alias.wav,calm', 'sub,sad', '"c.wav,sad'].join('\r\n'),
    );
    const index = loadDataset(root, { checkAudio: false });
    assert.deepEqual(index.items.map((i) => [i.id, i.label]), [['..x.wav', 'happy'], ['a.wav', 'constructor']]);
    const problems = index.skipped.map((s) => s.problem).join('\n');
    assert.match(problems, /line 4\): path is outside the dataset folder .* \(a symbolic link leads to .*secret\.wav\)/);
    assert.match(problems, /line 6\): listed twice \(the same file as a\.wav\)/);
    assert.match(problems, /line 7\): is not a file/);
    const unclosed = index.skipped.find((s) => s.path.endsWith('(line 8)'));
    assert.equal(unclosed?.problem, 'a quoted field is not closed on this line');

    const jsonFile = path.join(root, 'list.json');
    fs.writeFileSync(jsonFile, `\uFEFF${JSON.stringify([{ path: '..x.wav', label: 'happy' }, 'a.wav', { path: 7, label: 'sad' }])}`);
    const json = loadDataset(jsonFile, { checkAudio: false });
    assert.deepEqual(json.items.map((i) => i.id), ['..x.wav']);
    assert.match(json.skipped.map((s) => s.problem).join('\n'), /entry must be an object[^]*entry has no path \(found 7\)/);
    fs.writeFileSync(jsonFile, '');
    assert.throws(() => loadDataset(jsonFile), (e: unknown) => e instanceof FileError && e.file === jsonFile && /lists no files/.test(e.problem));
    const headerFile = path.join(root, 'header.csv');
    fs.writeFileSync(headerFile, 'file,label\na.wav,happy\n');
    assert.throws(() => loadDataset(headerFile), (e: unknown) => e instanceof FileError && /header \(line 1\) has no "path" column/.test(e.problem));
  });

  it('explains empty folders, missing folders and single-label datasets', () => {
    const empty = tempDir();
    assert.throws(() => loadDataset(empty), /contains no \.wav files/);
    assert.throws(() => loadDataset(path.join(empty, 'nope')), /dataset folder not found/);
    const one = path.join(tempDir(), 'one');
    for (const name of ravdessNames(1).filter((n) => n.startsWith('03-01-05'))) touch(path.join(one, name));
    assert.throws(() => requireTwoLabels(loadDataset(one)), (e: unknown) => e instanceof UsageError && /only one label \(angry\)/.test(e.message));
    const unlabelled = path.join(tempDir(), 'unlabelled');
    touch(path.join(unlabelled, 'x.wav'));
    assert.throws(() => loadDataset(unlabelled), /cannot tell how the files are labelled/);
  });

  describe('splits', () => {
    it('RAVDESS default: test actors 21–24, validation 19–20, no speaker in two parts', () => {
      const split = splitDataset(index);
      assert.equal(split.kind, 'actors');
      assert.equal(split.speakerLeakage, false);
      assert.deepEqual(split.speakers.test, ['21', '22', '23', '24']);
      assert.deepEqual(split.speakers.validation, ['19', '20']);
      const speakerOf = new Map(index.items.map((i) => [i.id, i.speaker]));
      const speakers = (ids: readonly string[]) => new Set(ids.map((id) => speakerOf.get(id)));
      const [train, validation, test] = [speakers(split.train), speakers(split.validation), speakers(split.test)];
      for (const s of test) assert.ok(!train.has(s) && !validation.has(s));
      for (const s of validation) assert.ok(!train.has(s));
      assert.equal(split.train.length + split.validation.length + split.test.length, index.items.length);
      assert.equal(split.test.length, 240);
    });

    it('explicit actor lists, with clear errors for overlaps and unknown speakers', () => {
      assert.deepEqual(parseSpeakerList('1,3, 5-7'), ['01', '03', '05', '06', '07']);
      assert.throws(() => parseSpeakerList('9-3'), /runs backwards/);
      const split = splitDataset(index, { testSpeakers: parseSpeakerList('1-4'), validationSpeakers: ['05'] });
      assert.deepEqual(split.speakers.test, ['01', '02', '03', '04']);
      assert.throws(() => splitDataset(index, { testSpeakers: ['01'], validationSpeakers: ['01'] }), /both the test and validation/);
      assert.throws(() => splitDataset(index, { testSpeakers: ['99'] }), /not in the dataset: 99/);
    });

    it('k-fold by speaker: each speaker tested once, folds gender-balanced, deterministic per seed', () => {
      const folds = kFoldBySpeaker(index, { folds: 6, seed: 3 });
      assert.equal(folds.length, 6);
      const tested = folds.flatMap((f) => f.speakers.test).sort();
      assert.deepEqual(tested, [...index.speakers]);
      for (const fold of folds) {
        const males = fold.speakers.test.filter((s) => Number(s) % 2 === 1).length;
        assert.equal(males, 2, `fold ${fold.fold}: ${fold.speakers.test}`);
        assert.equal(fold.speakers.test.length, 4);
        assert.ok(fold.speakers.validation.every((s) => !fold.speakers.test.includes(s)));
      }
      assert.deepEqual(kFoldBySpeaker(index, { folds: 6, seed: 3 }), folds);
      assert.notDeepEqual(kFoldBySpeaker(index, { folds: 6, seed: 4 }).map((f) => f.speakers.test), folds.map((f) => f.speakers.test));
      assert.deepEqual(splitDataset(index, { kind: 'kfold', folds: 6, fold: 2, seed: 3 }), folds[2]);
      assert.throws(() => splitDataset(index, { kind: 'kfold', folds: 6, fold: 6 }), /fold 6 does not exist/);
    });

    it('random split: stratified, labelled as leaking speakers, deterministic', () => {
      const split = splitDataset(index, { kind: 'random', seed: 9 });
      assert.ok(split.speakerLeakage);
      assert.deepEqual(splitDataset(index, { kind: 'random', seed: 9 }), split);
      const counts = splitCounts(index, split);
      assert.equal(counts.test.angry, Math.round(192 * 0.15));
      assert.equal(counts.test.neutral, Math.round(96 * 0.15));
    });

    it('class weights are n / (k · n_c)', () => {
      const weights = classWeights({ a: 10, b: 30, c: 0 });
      assert.equal(weights.a, 40 / (2 * 10));
      assert.equal(weights.b, 40 / (2 * 30));
      assert.equal(weights.c, 0);
    });
  });
});
