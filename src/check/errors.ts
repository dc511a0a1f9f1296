// The error the history readers (formats/) throw for malformed input. The checker library knows
// nothing of exit codes: the CLI turns a HistoryInputError into its InputError (exit 65) with the
// same message.

/** Bad history input. The message is "file:line: problem", or "file: problem" when no line applies. */
export class HistoryInputError extends Error {
  /** "file:line" or "file": the place the message starts with. */
  readonly where: string;
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(`${where}: ${problem}`);
    this.name = "HistoryInputError";
    this.where = where;
  }
}
