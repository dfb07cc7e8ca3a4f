/** The shared emotion vocabulary: RAVDESS's eight classes, in RAVDESS code order (01…08). */
export const EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** Speaker gender as the corpus documents it. */
export type Gender = 'female' | 'male' | 'unknown';

/** Corpora whose file naming the reader understands, plus the generic layouts. */
export type Corpus = 'ravdess' | 'crema-d' | 'tess' | 'savee' | 'folders' | 'manifest';

/** Which shared labels each named corpus has (for docs and for warnings about missing classes). */
export const CORPUS_LABELS: Record<'ravdess' | 'crema-d' | 'tess' | 'savee', readonly Emotion[]> = {
  ravdess: EMOTIONS,
  'crema-d': ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust'],
  tess: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'],
  savee: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'],
};

/** Label spellings found in corpora and folder names, mapped onto the shared vocabulary. */
const SYNONYMS: Record<string, Emotion> = {
  neutral: 'neutral',
  neu: 'neutral',
  n: 'neutral',
  calm: 'calm',
  happy: 'happy',
  happiness: 'happy',
  hap: 'happy',
  joy: 'happy',
  h: 'happy',
  sad: 'sad',
  sadness: 'sad',
  sa: 'sad',
  angry: 'angry',
  anger: 'angry',
  ang: 'angry',
  a: 'angry',
  fearful: 'fearful',
  fear: 'fearful',
  fea: 'fearful',
  f: 'fearful',
  disgust: 'disgust',
  disgusted: 'disgust',
  dis: 'disgust',
  d: 'disgust',
  surprised: 'surprised',
  surprise: 'surprised',
  ps: 'surprised',
  su: 'surprised',
};

/** Maps a label spelling (any case) to the shared vocabulary, or undefined when it is not an emotion name. */
export function normaliseEmotion(label: string): Emotion | undefined {
  const key = label.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" are folder names, not emotions.
  return Object.hasOwn(SYNONYMS, key) ? SYNONYMS[key] : undefined;
}

/** Sorts labels: shared-vocabulary emotions in RAVDESS order first, then any others alphabetically. */
export function sortLabels(labels: Iterable<string>): string[] {
  const order = (label: string) => {
    const index = (EMOTIONS as readonly string[]).indexOf(label);
    return index < 0 ? EMOTIONS.length : index;
  };
  return [...new Set(labels)].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}
