// The sequential specification of Engula's universe-wide requests (seed: engula issue #58):
// nodes join (POST /nodes), the first `rootVoters` of them also become control-plane members
// (GET /members), units are created and deleted, and the three lists are read. One state for
// all of them (a read returns a whole list, so no partitioning by key); writes are idempotent
// and say what they did ("created"/"exists", "deleted"/"absent", "joined"/"member").
import type { Status } from "../history.js";
import type { Model } from "../model.js";
import { hashString } from "../hash.js";

export interface UniverseState {
  readonly nodes: readonly number[];
  readonly members: readonly number[];
  readonly units: readonly string[];
}

export type UniverseInput =
  | { readonly f: "join"; readonly node: number }
  | { readonly f: "create-unit"; readonly unit: string }
  | { readonly f: "delete-unit"; readonly unit: string }
  | { readonly f: "list-units" }
  | { readonly f: "list-nodes" }
  | { readonly f: "list-members" };

export type UniverseOutput = string | readonly (string | number)[];

function sameList(a: readonly (string | number)[], b: unknown): boolean {
  if (!Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function add<T extends string | number>(xs: readonly T[], x: T): readonly T[] {
  return [...xs, x].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
}

/** The model for a universe founded by node 0 whose control plane has `rootVoters` members. */
export function universeModel(rootVoters: number): Model<UniverseState, UniverseInput, UniverseOutput> {
  return {
    name: rootVoters === 3 ? "engula-universe" : `engula-universe-${rootVoters}`,
    failMeans: "not-executed",
    init: () => ({ nodes: [0], members: [0], units: [] }),
    step(s, input, output, status: Status) {
      const info = status === "info";
      switch (input.f) {
        case "list-units":
        case "list-nodes":
        case "list-members": {
          if (info) return undefined;
          const list = input.f === "list-units" ? s.units : input.f === "list-nodes" ? s.nodes : s.members;
          return sameList(list, output) ? s : undefined;
        }
        case "join": {
          const had = s.nodes.includes(input.node);
          if (info) return had ? undefined : joined(s, input.node, rootVoters);
          if (output === "member") return had ? s : undefined;
          // "done": the joiner heard it is in, not whether it was before (an idempotent retry).
          if (output === "done") return had ? s : joined(s, input.node, rootVoters);
          if (output === "joined") return had ? undefined : joined(s, input.node, rootVoters);
          return undefined;
        }
        case "create-unit": {
          const had = s.units.includes(input.unit);
          if (info) return had ? undefined : { ...s, units: add(s.units, input.unit) };
          if (output === "exists") return had ? s : undefined;
          if (output === "created") return had ? undefined : { ...s, units: add(s.units, input.unit) };
          return undefined;
        }
        case "delete-unit": {
          const had = s.units.includes(input.unit);
          if (info) return had ? { ...s, units: s.units.filter((u) => u !== input.unit) } : undefined;
          if (output === "absent") return had ? undefined : s;
          if (output === "deleted") return had ? { ...s, units: s.units.filter((u) => u !== input.unit) } : undefined;
          return undefined;
        }
        default:
          throw new TypeError(`engula-universe: unknown op ${JSON.stringify((input as { f: unknown }).f)}`);
      }
    },
    equal: (a, b) => sameList(a.nodes, b.nodes) && sameList(a.members, b.members) && sameList(a.units, b.units),
    hash: (s) => hashString(`${s.nodes.join(",")}|${s.members.join(",")}|${s.units.join(",")}`),
    readOnly: (input) => input.f.startsWith("list-"),
    describeOp(input, output, status) {
      const call = input.f === "join" ? `join(${input.node})` : input.f === "create-unit" || input.f === "delete-unit" ? `${input.f}(${input.unit})` : `${input.f}()`;
      if (status === "info") return `${call} → ? (indeterminate)`;
      if (status === "fail") return `${call} → not done`;
      return `${call} → ${Array.isArray(output) ? `[${output.join(",")}]` : String(output)}`;
    },
    describeState: (s) => `nodes [${s.nodes.join(",")}], members [${s.members.join(",")}], units [${s.units.join(",")}]`,
  };
}

function joined(s: UniverseState, node: number, rootVoters: number): UniverseState {
  return { nodes: add(s.nodes, node), members: s.members.length < rootVoters ? add(s.members, node) : s.members, units: s.units };
}
