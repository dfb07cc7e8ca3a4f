import type { BackendChoice } from '../tf/choices';
import type { SplitKind } from '../dataset/split';
import type { FeatureConfig } from '../audio/config';

/** Architectures the product trains. */
export type Architecture = 'cnn' | 'cnn-bn' | 'resnet-blocks' | 'resnet18';
export const ARCHITECTURES: readonly Architecture[] = ['cnn', 'cnn-bn', 'resnet-blocks', 'resnet18'];

/** Learning-rate schedules. */
export type ScheduleKind = 'cosine' | 'plateau' | 'constant';

/** Everything that decides a training run; saved in the model bundle. */
export interface TrainConfig {
  readonly arch: Architecture;
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate of Adam. */
  readonly learningRate: number;
  /** 'cosine': linear warm-up for `warmupEpochs`, then cosine decay to 1% of the peak; 'plateau': halve after `patience` epochs without validation-UAR gain. */
  readonly schedule: ScheduleKind;
  readonly warmupEpochs: number;
  /** Stop after this many epochs without validation-UAR improvement (0 = never). */
  readonly earlyStopping: number;
  /** Dropout before the classifier. */
  readonly dropout: number;
  /** Weight the loss by n / (k · n_c) per class. */
  readonly classWeights: boolean;
  /** Augmentation applied on the fly each epoch (spec or preset, see docs/DATASETS.md); '' for none. */
  readonly augment: string;
  /** Augmented copies materialised in the cache per training file (0 = on the fly only). */
  readonly cachedCopies: number;
  readonly split: SplitKind;
  readonly testSpeakers?: readonly string[];
  readonly validationSpeakers?: readonly string[];
  readonly folds?: number;
  readonly fold?: number;
  readonly seed: number;
  readonly backend: BackendChoice;
  /** Feature settings overriding the project defaults. */
  readonly features: Partial<FeatureConfig>;
  /** For resnet18: torchvision weights as .safetensors, and epochs training only the head before fine-tuning all. */
  readonly pretrained?: string;
  readonly headEpochs: number;
  /** Learning-rate factor for the whole network after the head-only epochs. */
  readonly fineTuneFactor: number;
}

/** The recipe measured best on the demo corpus (docs/RECIPES.md). */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = Object.freeze({
  arch: 'cnn-bn',
  epochs: 30,
  batchSize: 32,
  learningRate: 2e-3,
  schedule: 'cosine',
  warmupEpochs: 1,
  earlyStopping: 8,
  dropout: 0.3,
  classWeights: true,
  augment: 'none',
  cachedCopies: 0,
  split: 'actors',
  seed: 1,
  backend: 'auto',
  features: {},
  headEpochs: 3,
  fineTuneFactor: 0.1,
});
