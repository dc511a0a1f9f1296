// A dry count of what Stryker would mutate: the project's ignorer plugins (stryker-ignorers.mjs)
// and `// Stryker disable` comments applied by Stryker's own instrumenter, no test run. Used by
// ignorers.test.ts to test the ignorers on snippets and to count, per file of the default scope,
// how many mutants each ignorer and the disable comments take out of the denominator.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Instrumenter } from "@stryker-mutator/instrumenter";

// The repository's root, from test/mutation/ under vitest and from dist/test/mutation/ once
// compiled (bench/mutation-fast.ts imports this file from dist/).
const here = fileURLToPath(new URL("../../", import.meta.url));
const root = here.replace(/[\\/]dist[\\/]$/, "/");

/** One mutant as the instrumenter reports it (Stryker's api Mutant, the fields used here). */
export interface DryMutant {
  id: string;
  fileName: string;
  mutatorName: string;
  replacement: string;
  status?: string;
  statusReason?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

interface IgnorerPlugin {
  name: string;
  value: { shouldIgnore(path: unknown): string | undefined };
}

/** The ignorers stryker.config.mjs names, loaded from stryker-ignorers.mjs. */
export async function configuredIgnorers(): Promise<IgnorerPlugin["value"][]> {
  const mod = (await import(pathToFileURL(`${root}stryker-ignorers.mjs`).href)) as { strykerPlugins: IgnorerPlugin[] };
  const cfg = ((await import(pathToFileURL(`${root}stryker.config.mjs`).href)) as { default: { ignorers: string[] } }).default;
  return cfg.ignorers.map((name) => {
    const p = mod.strykerPlugins.find((x) => x.name === name);
    if (p === undefined) throw new Error(`stryker.config.mjs names ignorer ${name}, which stryker-ignorers.mjs does not declare`);
    return p.value;
  });
}

const quiet = { debug() {}, info() {}, warn() {}, error() {}, trace() {}, fatal() {}, isDebugEnabled: () => false, isInfoEnabled: () => false, isTraceEnabled: () => false, isWarnEnabled: () => false, isErrorEnabled: () => false, isFatalEnabled: () => false };

/** Every mutant Stryker generates for these sources (name → content), ignored ones included
 * (status "Ignored", statusReason the ignorer's or the comment's reason). */
export async function instrument(sources: ReadonlyMap<string, string>, ignorers?: IgnorerPlugin["value"][]): Promise<DryMutant[]> {
  return (await instrumentAll(sources, ignorers, true)).mutants;
}

/** The same, with the instrumented code of every file (name → content with Stryker's mutant
 * switches), which bench/mutation-fast.ts runs. */
export async function instrumentWithCode(sources: ReadonlyMap<string, string>, ignorers?: IgnorerPlugin["value"][]): Promise<{ mutants: DryMutant[]; files: Map<string, string> }> {
  return instrumentAll(sources, ignorers, false);
}

/** noHeader: Stryker's option; true leaves out the helpers (stryMutAct_9fa48, stryCov_9fa48)
 * the switches call, which a count does not need and a run does. The mutants are the same. */
async function instrumentAll(sources: ReadonlyMap<string, string>, ignorers: IgnorerPlugin["value"][] | undefined, noHeader: boolean): Promise<{ mutants: DryMutant[]; files: Map<string, string> }> {
  const ins = new Instrumenter(quiet as never);
  const files = [...sources].map(([name, content]) => ({ name, content, mutate: true as const }));
  const res = await ins.instrument(files, { plugins: null, excludedMutations: [], ignorers: (ignorers ?? (await configuredIgnorers())) as never, noHeader });
  return { mutants: res.mutants as unknown as DryMutant[], files: new Map(res.files.map((f) => [f.name, f.content])) };
}

/** The same for files of the repository (paths relative to its root). */
export async function instrumentFiles(paths: readonly string[]): Promise<DryMutant[]> {
  const m = new Map<string, string>();
  for (const p of paths) m.set(p, readFileSync(`${root}${p}`, "utf8"));
  return instrument(m);
}

/** Which of the three ways a mutant left the denominator, from its reason. */
export function ignoredBy(m: DryMutant): "assertion-guards" | "assertion-messages" | "disable comment" | null {
  if (m.status !== "Ignored") return null;
  const r = m.statusReason ?? "";
  if (/asserts\/strict guard|guarded by asserts\/strict/.test(r)) return "assertion-guards";
  if (/the message of/.test(r)) return "assertion-messages";
  return "disable comment";
}
