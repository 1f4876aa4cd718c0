// Render Mermaid files with the real mermaid library in headless Chromium and print their sizes.
//
//   node benchmarks/mermaid_render.mjs NODE_MODULES FILE.mmd...
//
// NODE_MODULES holds `mermaid` and `playwright-core` (npm install --prefix DIR mermaid
// playwright-core); Chromium is Debian's /usr/bin/chromium (CHROMIUM overrides it).  One JSON
// object per file on stdout: {"file", "ok", "width", "height"} (the SVG's viewBox, in px, the
// size GitHub draws it at up to its column width) or {"file", "ok": false, "error"}.
// With PNG_DIR set, each diagram is also saved as PNG_DIR/<name>.png to look at.
// benchmarks/render_windows.py drives it; nothing in the test suite needs it.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), "node_modules", "x.js"));
const { chromium } = require("playwright-core");
const mermaidJs = require.resolve("mermaid/dist/mermaid.min.js");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body><div id='out'></div></body></html>");
  await page.addScriptTag({ path: mermaidJs });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false }));
  for (const [i, file] of files.entries()) {
    const text = readFileSync(file, "utf8");
    const result = await page.evaluate(async ({ text, id }) => {
      try {
        await window.mermaid.parse(text);
        const { svg } = await window.mermaid.render(id, text);
        const out = document.getElementById("out");
        out.innerHTML = svg;
        const box = out.querySelector("svg").viewBox.baseVal;
        return { ok: true, width: Math.round(box.width), height: Math.round(box.height) };
      } catch (error) {
        return { ok: false, error: String(error && error.message ? error.message : error) };
      }
    }, { text, id: `d${i}` });
    if (result.ok && process.env.PNG_DIR) {
      const png = path.join(process.env.PNG_DIR, path.basename(file).replace(/\.[^.]*$/, ".png"));
      await page.setViewportSize({ width: result.width + 20, height: Math.min(result.height + 20, 8000) });
      await page.locator("#out svg").screenshot({ path: png });
    }
    console.log(JSON.stringify({ file, ...result }));
  }
} finally {
  await browser.close();
}
