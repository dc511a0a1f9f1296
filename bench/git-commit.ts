// The commit a bench measured, for its report: shared by the nightly and the speed bar.
import { execFileSync } from "node:child_process";

/** HEAD of the checkout at `dir`, with "+changes" when tracked files differ from it; null
 * outside a git checkout (or without git). */
export function gitCommit(dir: string): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}
