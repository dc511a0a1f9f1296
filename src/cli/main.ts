#!/usr/bin/env node
// raftsim command line. Every failure ends in a one-line message and an exit code from
// exit-codes.ts — never a stack trace: usage 64, bad input data 65, I/O error 74, internal
// error 70 (a bug of raftsim).
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { bugsCommand } from "./commands/bugs.js";
import { systemsCommand } from "./commands/systems.js";
import { detectorsCommand } from "./commands/detectors.js";
import { checkCommand } from "./commands/check.js";
import { registerReplay } from "./commands/replay.js";
import { registerSweep } from "./commands/sweep.js";
import { registerCompare } from "./commands/compare.js";
import { mergeCommand } from "./commands/merge.js";
import { registerFigure16 } from "./commands/figure16.js";
import { scenariosCommand } from "./scenario-file.js";
import { registerRun } from "./commands/run.js";
import { registerShrink } from "./commands/shrink.js";
import { corpusCommand } from "./commands/corpus.js";
import { InputError, IoError, UsageError } from "./errors.js";
import { Exit, type ExitCode } from "./exit-codes.js";

export function buildProgram(): Command {
  const program = new Command("raftsim")
    .description("deterministic simulation testing for cluster metadata systems (see `raftsim systems`)")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride() // throw instead of process.exit; inherited by the subcommands below
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  registerRun(program);
  registerReplay(program);

  registerSweep(program);
  registerCompare(program);
  registerShrink(program);
  program.addCommand(mergeCommand());
  program.addCommand(corpusCommand());
  registerFigure16(program);
  program.addCommand(checkCommand());
  program.addCommand(bugsCommand());
  program.addCommand(systemsCommand());
  program.addCommand(detectorsCommand());
  program.addCommand(scenariosCommand());
  // Commands built on their own (addCommand) do not inherit these settings.
  for (const c of program.commands) c.exitOverride().showHelpAfterError("(add --help for usage)");

  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      process.stderr.write("raftsim: no command given (one of the commands above)\n");
      return Exit.usage;
    }
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : Exit.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? Exit.ok : Exit.usage; // commander already printed it
    const { code, message } = cliErrorOutcome(e);
    process.stderr.write(`raftsim: ${message}\n`);
    if (code === Exit.software && process.env.RAFTSIM_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return code;
  }
}

/** The exit code and the one-line message for an error thrown by a command: usage 64, bad
 * data 65, I/O 74; anything else is a bug of raftsim (70). */
export function cliErrorOutcome(e: unknown): { code: ExitCode; message: string } {
  if (e instanceof UsageError) return { code: Exit.usage, message: e.message };
  if (e instanceof InputError) return { code: Exit.dataErr, message: e.message };
  if (e instanceof IoError) return { code: Exit.ioErr, message: e.message };
  return { code: Exit.software, message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
}

function isEntryPoint(): boolean {
  const argv1 = process.argv[1];
  if (argv1 === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(argv1)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A closed pipe (`raftsim bugs | head`) is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  runCli(process.argv).then((code) => {
    process.exitCode = code;
  });
}
