/** Command identifiers contributed in package.json, shared by the host and the tests. */
export const COMMANDS = {
  showAudioInfo: 'voiceEmotion.showAudioInfo',
  train: 'voiceEmotion.train',
  preprocess: 'voiceEmotion.preprocess',
  augment: 'voiceEmotion.augment',
  evaluate: 'voiceEmotion.evaluate',
  classify: 'voiceEmotion.classify',
  explain: 'voiceEmotion.explain',
  exportModel: 'voiceEmotion.exportModel',
  showSpectrogram: 'voiceEmotion.showSpectrogram',
  selectModel: 'voiceEmotion.selectModel',
  openDashboard: 'voiceEmotion.openDashboard',
  compareRuns: 'voiceEmotion.compareRuns',
  cancelJob: 'voiceEmotion.cancelJob',
  installNativeBackend: 'voiceEmotion.installNativeBackend',
  generateDemoCorpus: 'voiceEmotion.generateDemoCorpus',
  newNotebook: 'voiceEmotion.newNotebook',
  restartKernel: 'voiceEmotion.restartKernel',
} as const;

/** Settings keys under the `voiceEmotion` section. */
export const SETTINGS_SECTION = 'voiceEmotion';
