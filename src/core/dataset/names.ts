import { EMOTIONS, type Emotion, type Gender } from './emotions';

/** The seven fields of a RAVDESS file name `MM-VV-EE-II-SS-RR-AA.wav`, decoded. */
export interface RavdessName {
  readonly modality: 'audio-video' | 'video-only' | 'audio-only';
  readonly vocalChannel: 'speech' | 'song';
  readonly emotion: Emotion;
  readonly intensity: 'normal' | 'strong';
  /** 1 = "Kids are talking by the door", 2 = "Dogs are sitting by the door". */
  readonly statement: 1 | 2;
  readonly repetition: 1 | 2;
  /** Actor number 1–24; odd actors are male, even actors female. */
  readonly actor: number;
  readonly gender: Gender;
}

/** What a corpus file name says: label, speaker, and optional details. */
export interface ParsedName {
  readonly label: Emotion;
  readonly speaker: string;
  readonly gender: Gender;
  readonly intensity?: string;
  readonly ravdess?: RavdessName;
}

/** Result of parsing one name: the fields, or why the name does not follow the convention. */
export type NameResult = { readonly ok: true; readonly value: ParsedName } | { readonly ok: false; readonly problem: string };

const fail = (problem: string): NameResult => ({ ok: false, problem });

/** Parses a RAVDESS file name (`03-01-05-02-01-01-12.wav`). */
export function parseRavdessName(fileName: string): NameResult {
  const match = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav$/i.exec(fileName);
  if (!match) return fail('file name does not follow the RAVDESS pattern MM-VV-EE-II-SS-RR-AA.wav');
  const [mm, vv, ee, ii, ss, rr, aa] = match.slice(1).map(Number);
  const modality = (['audio-video', 'video-only', 'audio-only'] as const)[mm - 1];
  if (!modality) return fail(`modality ${match[1]} is not 01, 02 or 03`);
  const vocalChannel = (['speech', 'song'] as const)[vv - 1];
  if (!vocalChannel) return fail(`vocal channel ${match[2]} is not 01 (speech) or 02 (song)`);
  const emotion = EMOTIONS[ee - 1];
  if (!emotion) return fail(`emotion ${match[3]} is not 01–08`);
  if (ii !== 1 && ii !== 2) return fail(`intensity ${match[4]} is not 01 or 02`);
  if (emotion === 'neutral' && ii === 2) return fail('neutral (emotion 01) has no strong intensity (02)');
  if (ss !== 1 && ss !== 2) return fail(`statement ${match[5]} is not 01 or 02`);
  if (rr !== 1 && rr !== 2) return fail(`repetition ${match[6]} is not 01 or 02`);
  if (aa < 1 || aa > 24) return fail(`actor ${match[7]} is not 01–24`);
  const gender: Gender = aa % 2 === 1 ? 'male' : 'female';
  const intensity = ii === 1 ? 'normal' : 'strong';
  const ravdess: RavdessName = { modality, vocalChannel, emotion, intensity, statement: ss as 1 | 2, repetition: rr as 1 | 2, actor: aa, gender };
  return { ok: true, value: { label: emotion, speaker: match[7], gender, intensity, ravdess } };
}

const CREMA_EMOTIONS: Record<string, Emotion> = { ANG: 'angry', DIS: 'disgust', FEA: 'fearful', HAP: 'happy', NEU: 'neutral', SAD: 'sad' };
const CREMA_SENTENCES = new Set(['IEO', 'TIE', 'IOM', 'IWW', 'TAI', 'MTI', 'IWL', 'ITH', 'DFA', 'ITS', 'TSI', 'WSI']);
const CREMA_LEVELS: Record<string, string> = { LO: 'low', MD: 'medium', HI: 'high', XX: 'unspecified' };

/** Parses a CREMA-D file name (`1001_DFA_ANG_XX.wav`); gender comes from the corpus's demographics table if given. */
export function parseCremaName(fileName: string, genders?: ReadonlyMap<string, Gender>): NameResult {
  const match = /^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})\.wav$/i.exec(fileName);
  if (!match) return fail('file name does not follow the CREMA-D pattern 1001_DFA_ANG_XX.wav');
  const [actor, sentence, emotionCode, level] = match.slice(1).map((s) => s.toUpperCase());
  const label = CREMA_EMOTIONS[emotionCode];
  if (!label) return fail(`CREMA-D emotion ${emotionCode} is not one of ${Object.keys(CREMA_EMOTIONS).join(', ')}`);
  if (!CREMA_SENTENCES.has(sentence)) return fail(`CREMA-D sentence ${sentence} is unknown`);
  if (!CREMA_LEVELS[level]) return fail(`CREMA-D level ${level} is not LO, MD, HI or XX`);
  const number = Number(actor);
  if (number < 1001 || number > 1091) return fail(`CREMA-D actor ${actor} is not 1001–1091`);
  return { ok: true, value: { label, speaker: actor, gender: genders?.get(actor) ?? 'unknown', intensity: CREMA_LEVELS[level] } };
}

const TESS_EMOTIONS: Record<string, Emotion> = {
  angry: 'angry',
  disgust: 'disgust',
  fear: 'fearful',
  happy: 'happy',
  neutral: 'neutral',
  ps: 'surprised',
  sad: 'sad',
};

/** Parses a TESS file name (`OAF_back_angry.wav`): speakers OAF and YAF, both female. */
export function parseTessName(fileName: string): NameResult {
  const match = /^(OAF|YAF)_([a-z]+)_([a-z]+)\.wav$/i.exec(fileName);
  if (!match) return fail('file name does not follow the TESS pattern OAF_word_emotion.wav');
  const label = TESS_EMOTIONS[match[3].toLowerCase()];
  if (!label) return fail(`TESS emotion "${match[3]}" is not one of ${Object.keys(TESS_EMOTIONS).join(', ')}`);
  return { ok: true, value: { label, speaker: match[1].toUpperCase(), gender: 'female' } };
}

const SAVEE_SPEAKERS = new Set(['DC', 'JE', 'JK', 'KL']);
const SAVEE_EMOTIONS: Record<string, Emotion> = { a: 'angry', d: 'disgust', f: 'fearful', h: 'happy', n: 'neutral', sa: 'sad', su: 'surprised' };

/**
 * Parses a SAVEE file (`DC_a01.wav`, or `a01.wav` inside a speaker folder `DC/`): speakers DC, JE, JK, KL, all male.
 */
export function parseSaveeName(fileName: string, parentFolder = ''): NameResult {
  let match = /^([A-Z]{2})_(sa|su|a|d|f|h|n)(\d\d)\.wav$/i.exec(fileName);
  let speaker = match?.[1].toUpperCase();
  let code = match?.[2];
  if (!match) {
    match = /^(sa|su|a|d|f|h|n)(\d\d)\.wav$/i.exec(fileName);
    speaker = parentFolder.toUpperCase();
    code = match?.[1];
  }
  if (!match || !speaker || !code) return fail('file name does not follow the SAVEE pattern DC_a01.wav');
  if (!SAVEE_SPEAKERS.has(speaker)) return fail(`SAVEE speaker ${speaker} is not DC, JE, JK or KL`);
  return { ok: true, value: { label: SAVEE_EMOTIONS[code.toLowerCase()], speaker, gender: 'male' } };
}
