// axe-check.js FILE.html... — run axe-core's WCAG 2.0/2.1/2.2 A and AA rules over each
// file in Debian's Chromium (headless, driven by puppeteer-core: no browser download),
// print one JSON list of {file, violations, passes} on stdout, exit 1 on any violation
// (2 when the check itself could not run).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const puppeteer = require("puppeteer-core");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

async function check(browser, axeSource, file) {
  const page = await browser.newPage();
  try {
    await page.setBypassCSP(true); // the reports forbid every script; axe has to run anyway
    await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
    await page.evaluate(axeSource);
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }), TAGS);
    return {
      file,
      passes: result.passes.length,
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
      })),
    };
  } finally {
    await page.close();
  }
}

async function main() {
  const files = process.argv.slice(2);
  if (!files.length) throw new Error("usage: node axe-check.js FILE.html...");
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "axe-profile-"));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const results = [];
  try {
    for (const file of files) results.push(await check(browser, axeSource, file));
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
  process.exitCode = results.some((r) => r.violations.length) ? 1 : 0;
}

main().catch((err) => { console.error(String(err && err.stack || err)); process.exitCode = 2; });
