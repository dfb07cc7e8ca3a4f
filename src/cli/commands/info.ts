import { readWavInfo } from '../../core/audio';
import { UsageError } from '../../core/errors';
import { formatOptions, parseArgs, type OptionSpec } from '../args';
import type { CliIo } from '../io';

const OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'flag', description: 'print the header fields as JSON' },
};

export const INFO_USAGE = `usage: voice-emotion info FILE.wav [--json]

Reads and validates a WAV header: encoding, channels, rate, duration.

${formatOptions(OPTIONS)}`;

/** `voice-emotion info`: prints what a WAV header says, after validating it. */
export function runInfo(argv: readonly string[], io: CliIo): number {
  const { positionals, options } = parseArgs(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('info needs exactly one FILE.wav');
  const file = positionals[0];
  const info = readWavInfo(file);
  if (options.json) {
    io.stdout(JSON.stringify({ file, ...info }) + '\n');
  } else {
    const encoding = info.encoding === 'float' ? 'float' : 'PCM';
    io.stdout(
      `${file}: ${info.sampleRate} Hz, ${info.bitsPerSample}-bit ${encoding}${info.extensible ? ' (extensible)' : ''}, ` +
        `${info.channels} channel${info.channels === 1 ? '' : 's'}, ${info.frames} frames, ${info.durationSeconds.toFixed(3)} s\n`,
    );
  }
  return 0;
}
