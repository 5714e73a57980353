// Run axe-core on each HTML file given, in Debian's chromium driven by playwright-core; print one JSON object
// {file: [violations]} on stdout. The network is blocked: the pages must stand on their own, as they print.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
const results = {};
try {
  for (const file of process.argv.slice(2)) {
    const page = await browser.newPage();
    await page.route(/^https?:/, (route) => route.abort());
    await page.goto("file://" + file);
    await page.addScriptTag({ content: axeSource });
    const outcome = await page.evaluate(async () =>
      // Every rule axe ships for WCAG 2.x A and AA, plus its best practices (landmarks, regions, headings).
      window.axe.run(document, { resultTypes: ["violations"] }),
    );
    results[file] = outcome.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
    }));
    await page.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
