// What is wrong with a script's arguments, by Node's own util.parseArgs (strict): the bench
// scripts (bench/usage.ts) check their argv with it before running anything, and a user's own
// scripts over this API can do the same.
import { parseArgs } from "node:util";

export type OptionSpec = Readonly<Record<string, { readonly type: "string" | "boolean" }>>;

/** The problem with argv for these options and at most `positionals` positional arguments, as
 * one line naming the argument, or null. */
export function argsError(options: OptionSpec, positionals: number, argv: readonly string[]): string | null {
  try {
    const r = parseArgs({ args: [...argv], options: { ...options }, allowPositionals: positionals > 0, strict: true });
    if (r.positionals.length > positionals) return `unexpected argument '${r.positionals[positionals]}'`;
    return null;
  } catch (e) {
    return (e as Error).message.split("\n")[0]!;
  }
}
