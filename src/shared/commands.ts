/** Command identifiers contributed in package.json, shared by the host and the tests. */
export const COMMANDS = {
  showAudioInfo: 'voiceEmotion.showAudioInfo',
} as const;
