// Stryker ignorer plugins for `npm run mutation` (stryker.config.mjs: plugins, ignorers).
//
// "assertion-messages": the arguments of `new Error(...)` (and other `new XxxError(...)`), and of
// `fail(...)` (src/impl/raft/state.ts: `throw new Error(\`raft invariant: ${what}\`)`) — the
// text of an assertion's or a guard's message. The harness judges what a run does, never the
// wording of an error: a mutant that only changes a message is equivalent for the sweep, and
// the mutants of the assertion's condition (whether it throws at all) are still tested.
//
// "assertion-guards": the code of an assertion that the sweep switches off. The sweep runs with
// `sutAsserts: false` (test/mutation/cases.ts), so every node has `asserts === false` and
// `strict === false` (raft.ts: `strict = bugs.strict && asserts`; log.ts gets both from it). In
// `X.asserts && E` / `X.strict && E` the right operand E is then never evaluated, whatever E
// is: every mutant inside E is equivalent. And in `if (X.asserts && E) S` the consequent S runs
// only when the test holds, which it never does — except under a mutant of the test itself,
// and Stryker applies one mutant at a time — so every mutant inside S is equivalent too.
// Not ignored (they stay in the denominator and are argued or killed one by one, summary.md):
// the mutants of the guard expression itself — `ConditionalExpression → true` throws on every
// call and the sweep sees it; `→ false` and `&& → ||` (the latter evaluates E, which is the
// asserted property's negation, false in a correct run) are equivalent but share their node
// with the `→ true` mutant, and an ignorer can only ignore a node with all its mutants.
import { PluginKind, declareValuePlugin } from "@stryker-mutator/api/plugin";

/** The property names whose member expressions are false in every run of the sweep. */
const OFF_IN_SWEEP = new Set(["asserts", "strict"]);

/** `a.asserts` / `this.strict` (not computed, not optional). */
function isOffSwitch(node) {
  return node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier" && OFF_IN_SWEEP.has(node.property.name);
}

/** `X.asserts && E` (the switch as the left operand: E is never evaluated). */
export function isAssertionGuard(node) {
  return node.type === "LogicalExpression" && node.operator === "&&" && isOffSwitch(node.left);
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "assertion-messages", {
    shouldIgnore(path) {
      if (path.isNewExpression()) {
        const callee = path.node.callee;
        if (callee.type === "Identifier" && /Error$/.test(callee.name)) return "the message of an error: never judged by the harness (argued in reports/mutation/summary.md)";
        return undefined;
      }
      // An argument of fail(...): the node is the argument, so the call itself (and a mutant
      // removing it, BlockStatement) is still mutated.
      const parent = path.parentPath;
      if (parent !== null && parent.isCallExpression() && path.listKey === "arguments") {
        const callee = parent.node.callee;
        if (callee.type === "Identifier" && callee.name === "fail") return "the message of fail(): never judged by the harness (argued in reports/mutation/summary.md)";
      }
      return undefined;
    },
  }),
  declareValuePlugin(PluginKind.Ignore, "assertion-guards", {
    shouldIgnore(path) {
      const parent = path.parentPath;
      if (parent === null) return undefined;
      if (path.key === "right" && isAssertionGuard(parent.node)) {
        return "right operand of an asserts/strict guard: never evaluated with --sut-asserts off (argued in reports/mutation/summary.md)";
      }
      if (path.key === "consequent" && parent.isIfStatement() && isAssertionGuard(parent.node.test)) {
        return "body of an if guarded by asserts/strict: never runs with --sut-asserts off (argued in reports/mutation/summary.md)";
      }
      return undefined;
    },
  }),
];
