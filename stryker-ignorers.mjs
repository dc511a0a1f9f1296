// Stryker ignorer plugin for `npm run mutation` (stryker.config.mjs: plugins, ignorers).
//
// "assertion-messages": the arguments of `new Error(...)` (and other `new XxxError(...)`) — the
// text of an assertion's or a guard's message. The harness judges what a run does, never the
// wording of an error: a mutant that only changes a message is equivalent for the sweep, and
// the mutants of the assertion's condition (whether it throws at all) are still tested.
import { PluginKind, declareValuePlugin } from "@stryker-mutator/api/plugin";

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "assertion-messages", {
    shouldIgnore(path) {
      if (!path.isNewExpression()) return undefined;
      const callee = path.node.callee;
      if (callee.type === "Identifier" && /Error$/.test(callee.name)) return "the message of an error: never judged by the harness (argued in reports/mutation/summary.md)";
      return undefined;
    },
  }),
];
