// Errors the CLI turns into a one-line message and an exit code, never a stack trace.
import { Exit, type ExitCode } from "./exit-codes.js";

/** Bad input data. `where` names the file, line or field: "h.edn:12:5" or "scenario.yaml: faults[2].at". */
export class InputError extends Error {
  readonly exitCode: ExitCode = Exit.dataErr;
  constructor(readonly where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = "InputError";
  }
}

/** Bad command-line usage. */
export class UsageError extends Error {
  readonly exitCode: ExitCode = Exit.usage;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
