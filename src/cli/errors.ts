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

/** A file that cannot be read or written (exit 74). The message names the file and why. */
export class IoError extends Error {
  readonly exitCode: ExitCode = Exit.ioErr;
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "IoError";
  }
}

/** Why a file operation failed, in words (the errno code names it; the message is Node's). */
export function describeIoError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory, expected a file";
    case "ENOTDIR":
      return "a component of the path is not a directory";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "read-only file system";
    case "ENAMETOOLONG":
      return "file name too long";
    case "ERR_STRING_TOO_LONG":
    case "ERR_FS_FILE_TOO_LARGE":
      return "file too large to read";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    default:
      return err?.code !== undefined ? `I/O error ${err.code}` : "I/O error";
  }
}

/** A value for a message: at most `max` characters, the cut marked with "…". */
export function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
