import { CancelledError, FileError, UsageError } from '../core/errors';
import { RemoteError } from '../shared/rpc';
import { BENCH_USAGE, runBench } from './commands/bench';
import { CLASSIFY_USAGE, runClassify } from './commands/classify';
import { DATASET_USAGE, runDataset } from './commands/dataset';
import { DEMO_USAGE, runDemo } from './commands/demo';
import { DEMO_DATA_USAGE, runDemoData } from './commands/demoData';
import { EVALUATE_USAGE, runEvaluate } from './commands/evaluate';
import { EXPLAIN_USAGE, runExplain } from './commands/explain';
import { EXPORT_USAGE, runExport } from './commands/export';
import { FEATURES_USAGE, runFeatures } from './commands/features';
import { INFO_USAGE, runInfo } from './commands/info';
import { PREPROCESS_USAGE, runPreprocess } from './commands/preprocess';
import { PROSODY_USAGE, runProsody } from './commands/prosody';
import { runRuns, RUNS_USAGE } from './commands/runs';
import { runTrain, TRAIN_USAGE } from './commands/train';
import { processIo, type CliIo } from './io';

declare const VOICE_EMOTION_VERSION: string | undefined;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly run: (argv: readonly string[], io: CliIo) => number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  bench: { summary: 'measure feature-extraction speed on this machine', usage: BENCH_USAGE, run: runBench },
  classify: { summary: 'predict the emotion of WAV files with a trained model', usage: CLASSIFY_USAGE, run: runClassify },
  dataset: { summary: "list a dataset's files, labels, speakers, skipped files and split", usage: DATASET_USAGE, run: runDataset },
  demo: { summary: 'synthesise voice clips, compute their features, write an HTML report', usage: DEMO_USAGE, run: runDemo },
  'demo-data': { summary: 'synthesise a small RAVDESS-shaped corpus (not RAVDESS)', usage: DEMO_DATA_USAGE, run: runDemoData },
  evaluate: { summary: 'accuracy, UAR, macro-F1 and confusion matrix of a model on a dataset', usage: EVALUATE_USAGE, run: runEvaluate },
  explain: { summary: 'why a model gives a file its emotion: Grad-CAM or occlusion heat over its features', usage: EXPLAIN_USAGE, run: runExplain },
  export: { summary: 'export a trained model as a folder that runs in a web page (TensorFlow.js)', usage: EXPORT_USAGE, run: runExport },
  features: { summary: 'spectrogram, log-mel or MFCC features of a WAV file', usage: FEATURES_USAGE, run: runFeatures },
  info: { summary: 'validate a WAV file and show its format', usage: INFO_USAGE, run: runInfo },
  train: { summary: 'train an emotion model (cnn, cnn-bn, resnet-blocks, resnet18) in a worker process', usage: TRAIN_USAGE, run: runTrain },
  preprocess: { summary: 'compute and cache features for a whole dataset, in parallel', usage: PREPROCESS_USAGE, run: runPreprocess },
  prosody: { summary: 'F0, energy, jitter, shimmer and HNR of WAV files (per clip)', usage: PROSODY_USAGE, run: runProsody },
  runs: { summary: 'list the recorded training runs of a models folder (table or --json)', usage: RUNS_USAGE, run: runRuns },
};

const MAIN_USAGE = `usage: voice-emotion <command> [options]

Voice Emotion Lab: speech emotion recognition from the command line.

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`)
  .join('\n')}

Run "voice-emotion <command> --help" for a command's options.`;

/** Runs the CLI with `argv` (without node and script); returns the exit code: 0 ok, 1 runtime error, 2 usage error. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(MAIN_USAGE + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout(`${typeof VOICE_EMOTION_VERSION === 'string' ? VOICE_EMOTION_VERSION : 'dev'}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`error: unknown command "${name}" (see "voice-emotion --help")\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message} (see "voice-emotion ${name} --help")\n`);
      return 2;
    }
    if (error instanceof FileError || (error instanceof RemoteError && error.file && error.problem)) {
      io.stderr(`error: ${error.file}: ${error.problem}\n`);
      return 1;
    }
    if (error instanceof RemoteError && error.name === 'UsageError') {
      io.stderr(`error: ${error.message} (see "voice-emotion ${name} --help")\n`);
      return 2;
    }
    if (error instanceof CancelledError || (error instanceof RemoteError && error.name === 'CancelledError')) {
      io.stderr('cancelled\n');
      return 130;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: ${message}\n`);
    if (process.env.VOICE_EMOTION_DEBUG && error instanceof Error && error.stack) io.stderr(error.stack + '\n');
    return 1;
  }
}

/** A closed pipe (e.g. `| head`) ends the command quietly instead of crashing it. */
export function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

if (require.main === module) {
  ignoreBrokenPipes();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
