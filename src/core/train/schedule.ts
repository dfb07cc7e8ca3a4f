import type { TrainConfig } from './config';

/** Learning rate of a cosine schedule at a fractional epoch: linear warm-up, then cosine decay to 1% of the peak. */
export function cosineLearningRate(config: Pick<TrainConfig, 'learningRate' | 'epochs' | 'warmupEpochs'>, epoch: number): number {
  const { learningRate: peak, epochs, warmupEpochs } = config;
  if (warmupEpochs > 0 && epoch < warmupEpochs) return peak * Math.max(0.05, (epoch + 1e-9) / warmupEpochs);
  const span = Math.max(1e-9, epochs - warmupEpochs);
  const progress = Math.min(1, Math.max(0, (epoch - warmupEpochs) / span));
  const floor = 0.01 * peak;
  return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Reduce-on-plateau state: halves the rate after `patience` epochs without improvement of the monitored value. */
export interface PlateauState {
  readonly rate: number;
  readonly best: number;
  readonly waited: number;
}

/** Updates plateau state with an epoch's validation value (higher is better). */
export function plateauStep(state: PlateauState, value: number, patience: number, minRate: number): PlateauState {
  if (value > state.best + 1e-4) return { rate: state.rate, best: value, waited: 0 };
  if (state.waited + 1 >= patience) return { rate: Math.max(minRate, state.rate / 2), best: state.best, waited: 0 };
  return { ...state, waited: state.waited + 1 };
}
