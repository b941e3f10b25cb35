import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TrainingError } from '@tensorzoo/core';
import { version } from '../package.json';
import { examples } from './examples/index';
import { CLI_BACKENDS, DEFAULT_SEED, runExample, type RunExampleOptions } from './run-example';
import { addSampleCommand } from './sample';

/** Where the CLI writes; tests pass collectors. */
export interface CliOutput {
  /** Normal output (results, `list`, help). */
  out(text: string): void;
  /** Errors and notices. */
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Parses a finite decimal number > 0 (`0.001`, `3e-4`). */
function positiveNumberOption(flag: string): (text: string) => number {
  return (text) => {
    const value = /^\s*[0-9.eE+-]+\s*$/.test(text) ? Number(text) : NaN;
    if (!(Number.isFinite(value) && value > 0)) throw new InvalidArgumentError(`${flag} must be a number > 0, e.g. 0.001 or 3e-4, received "${text}".`);
    return value;
  };
}

/** Parses a whole decimal integer in [min, max], rejecting `1.5`, `1e3`, `0x10` and blanks. */
function integerOption(flag: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!(value >= min && value <= max)) throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, received "${text}".`);
    return value;
  };
}

/**
 * Builds the `tensorzoo` command (`train`, `list`, `sample`). It never calls `process.exit`: errors
 * reject `parseAsync` with a `CommanderError` (see {@link main}).
 */
export function createProgram(output: CliOutput = processOutput, extra: Pick<RunExampleOptions, 'signal' | 'progress'> = {}): Command {
  const program = new Command('tensorzoo')
    .description('Train TensorZoo example models from the command line.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err });
  const names = examples.map((example) => example.name);

  program
    .command('list')
    .description('list the examples with a one-line description')
    .action(() => {
      const width = Math.max(...names.map((name) => name.length));
      for (const example of examples) output.out(`${example.name.padEnd(width)}  ${example.description} (${example.defaultEpochs} epochs)\n`);
    });

  program
    .command('train')
    .description('train an example; writes loss.png, checkpoint.safetensors and history.json into --out')
    .argument('<example>', `one of: ${names.join(', ')}`)
    .addOption(new Option('--backend <name>', 'tensor backend').choices(CLI_BACKENDS).default('auto'))
    .option('--epochs <n>', "total epochs (default: the example's)", integerOption('--epochs', 1, 1_000_000))
    .option('--seed <n>', `random seed (default: ${DEFAULT_SEED}, or the checkpoint's with --resume)`, integerOption('--seed', 0, 0xffffffff))
    .option('--out <dir>', 'output folder (default: runs/<example>)')
    .option('--resume <checkpoint>', 'continue a run from its checkpoint.safetensors')
    .option('--lr <rate>', "peak learning rate (default: the example's, or the checkpoint's with --resume)", positiveNumberOption('--lr'))
    .option('--batch-size <n>', "examples per step (default: the example's)", integerOption('--batch-size', 1, 1_000_000))
    .option('--steps <n>', "optimizer steps per epoch (default: the example's, or one pass over the data)", integerOption('--steps', 1, 1_000_000))
    .action(async (name: string, flags: { backend: RunExampleOptions['backend']; epochs?: number; seed?: number; out?: string; resume?: string; lr?: number; batchSize?: number; steps?: number }) => {
      await runExample(name, {
        hyperparameters: { learningRate: flags.lr, batchSize: flags.batchSize, stepsPerEpoch: flags.steps },
        backend: flags.backend,
        epochs: flags.epochs,
        seed: flags.seed,
        outDir: flags.out,
        resume: flags.resume,
        log: (line) => output.out(`${line}\n`),
        warn: (line) => output.err(`${line}\n`),
        ...extra,
      });
    });
  addSampleCommand(program, output, extra);
  return program;
}

/**
 * What `bin.ts` passes as the abort reason for a signal: the exit code the CLI should end with
 * (the shell convention 128 + signal number: 130 for SIGINT, 143 for SIGTERM).
 */
export interface InterruptReason {
  signal: 'SIGINT' | 'SIGTERM';
  exitCode: number;
}

/** The abort reason `bin.ts` uses for `signal`. */
export function interruptReason(signal: InterruptReason['signal']): InterruptReason & Error {
  return Object.assign(new Error(`interrupted (${signal})`), { signal, exitCode: signal === 'SIGINT' ? 130 : 143 });
}

/**
 * Runs the CLI on `argv` (`process.argv` form: node, script, arguments...) and resolves to the
 * exit code: 0 on success, 1 on any error (printed as `error: ...`), 130 after Ctrl-C and 143
 * after SIGTERM (the abort reason's `exitCode`, see {@link interruptReason}; 130 by default).
 * A stopped `train` has written its last finished epoch and says how to resume.
 */
export async function main(
  argv: readonly string[],
  output: CliOutput = processOutput,
  options: Pick<RunExampleOptions, 'signal' | 'progress'> = {},
): Promise<number> {
  const { signal } = options;
  try {
    await createProgram(output, options).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed it
    if (signal?.aborted) {
      const reason = signal.reason as Partial<InterruptReason> | undefined;
      const detail = TrainingError.isInstance(error) && error.code === 'aborted' ? ` ${error.message}` : '';
      output.err(`\ninterrupted${reason?.signal ? ` (${reason.signal})` : ''}.${detail}\n`);
      return typeof reason?.exitCode === 'number' ? reason.exitCode : 130;
    }
    output.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
