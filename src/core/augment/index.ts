/** Audio augmentation: waveform effects, SpecAugment, mixup, and augmentation plans parsed from a spec string. */
export * from './apply';
export * from './convolve';
export * from './inverseFft';
export * from './mixup';
export * from './noise';
export * from './noiseBank';
export * from './pitch';
export * from './plan';
export * from './reverb';
export * from './spec';
export * from './specAugment';
export * from './stretch';
export * from './waveform';
