#!/usr/bin/env bash
# Proves the packed package works for a user: `npm pack`, install the tarball into an empty
# project in a temp dir, type-check a file that does `import { simulate, checkSimProperty, ... }
# from "raftsim"` (with the package's own .d.ts, skipLibCheck off), run it, and run the bin.
# Needs the npm registry (or its cache) for raftsim's dependencies. Usage: scripts/pack-smoke.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$ROOT" && npm run build >/dev/null && npm pack --ignore-scripts --pack-destination "$TMP" >/dev/null)
cd "$TMP"
echo '{ "name": "raftsim-smoke", "version": "1.0.0", "type": "module", "private": true }' > package.json
npm install --prefer-offline --no-audit --no-fund --ignore-scripts ./raftsim-*.tgz >/dev/null
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "skipLibCheck": false, "types": [], "outDir": "out" }, "include": ["main.ts"] }
JSON
cat > main.ts <<'TS'
import { simulate, checkSimProperty, check, models, type RunSummary } from "raftsim";
const s: RunSummary = simulate({ system: "pingpong", seed: 1, timeUs: 2_000_000 }).summary;
if (s.verdict !== "ok") throw new Error(`expected ok, got ${s.verdict}`);
if (checkSimProperty({ system: "pingpong", timeMs: 3000, numRuns: 10 }).failed) throw new Error("the correct system failed");
const r = checkSimProperty({ system: "pingpong", bugs: ["ack-before-durable"], timeMs: 3000, numRuns: 100 });
if (!r.failed || !/seed: +\d+/.test(r.message) || !r.message.includes("raftsim replay")) throw new Error("the planted bug was not reported");
if (check([{ clientId: 0, input: { f: "write", value: 1 }, call: 0, output: undefined, return: 1 }], models.register).verdict !== "ok") throw new Error("check");
// @ts-expect-error: the types are real (never called)
const typed = () => simulate({ system: "pingpong", seed: "1", timeUs: 1 });
void typed;
console.log(r.message);
TS
node "$ROOT/node_modules/typescript/bin/tsc" -p .
node out/main.js
npx raftsim systems >/dev/null
echo "pack-smoke: ok (typed import, simulate, simProperty finds the planted bug, bin runs)"
