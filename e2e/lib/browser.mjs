// Debian's chromium, driven by playwright-core (never a downloaded
// browser), and the checks every page the journeys reach must pass: axe
// (WCAG 2.0/2.1/2.2 A and AA) at a phone's and a laptop's size, `lang`, a
// title that says where one is, the skip link first, visible focus, reflow
// at 200% zoom, and nothing loaded from anywhere but kith.

import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { chromium } from "playwright-core";

/** The two sizes every page is checked at. */
export const SIZES = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
};

const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const screenshots = process.env.KITH_SCREENSHOTS === "1";
const steps = process.env.KITH_E2E_STEPS === "1";
const repo = path.resolve(import.meta.dirname, "..", "..");

/**
 * Launches chromium with a fresh profile (playwright makes a new user-data
 * dir for every launch). Without the browser the journeys are skipped —
 * except with CI=true, where that is a failure.
 */
export async function launch(t) {
  if (!existsSync(executablePath)) {
    const message = `${executablePath} is missing: install Debian's chromium (apt-get install chromium)`;
    if (process.env.CI === "true") {
      throw new Error(message);
    }
    t.skip(message);
    return null;
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A page in a new context (its own cookies) that records every request to
 * another origin.
 */
export async function open(browser, baseURL, options = {}) {
  const context = await browser.newContext({
    baseURL,
    viewport: SIZES[options.size ?? "desktop"],
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    timezoneId: options.timezoneId ?? "Europe/Berlin",
    locale: "en-GB",
  });
  const page = await context.newPage();
  const origin = new URL(baseURL).origin;
  page.foreign = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && url.origin !== origin) {
      page.foreign.push(request.url());
    }
  });
  page.journey = options.journey ?? "journey";
  page.step = 0;
  return page;
}

/** Saves a screenshot of this step when KITH_E2E_STEPS=1 (e2e/artifacts/). */
export async function step(page, name) {
  page.step += 1;
  if (steps) {
    const dir = path.join(repo, "e2e", "artifacts", page.journey);
    mkdirSync(dir, { recursive: true });
    const file = `${String(page.step).padStart(2, "0")}-${name}.png`;
    await page.screenshot({ path: path.join(dir, file), fullPage: true });
  }
}

/** Saves a page at both sizes to docs/screenshots/ when KITH_SCREENSHOTS=1. */
export async function screenshot(page, name) {
  if (!screenshots) return;
  // A picture of the page as a reader first sees it: nothing focused.
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.screenshot({
      path: path.join(repo, "docs", "screenshots", `${name}-${size}.png`),
      fullPage: size === "phone",
    });
  }
  await page.setViewportSize(original);
}

/**
 * Everything a page must pass, at both sizes: zero axe violations, `lang`,
 * a title naming the page, the skip link first, visible focus, no
 * horizontal scrolling at 200% zoom, nothing from another origin.
 */
export async function audit(page, title) {
  const where = `${title} (${page.url()})`;
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    const results = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
      .analyze();
    const violations = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
    assert.deepEqual(violations, [], `axe at ${size}: ${where}`);
  }
  // 200% zoom of a 1280 px window is 640 CSS px: nothing may scroll sideways.
  await page.setViewportSize({ width: 640, height: 400 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${where}: ${overflow}px of sideways scrolling at 200% zoom`);
  await page.setViewportSize(original);

  assert.equal(await page.getAttribute("html", "lang"), "en", where);
  const pageTitle = await page.title();
  assert.ok(pageTitle.endsWith("· kith") && pageTitle.includes(title), `title "${pageTitle}": ${where}`);

  // The skip link is the first thing Tab reaches, and focus on it shows.
  const first = await page.evaluate(() => {
    const focusable = document.querySelector(
      'a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])',
    );
    return focusable?.getAttribute("href");
  });
  assert.equal(first, "#main", `${where}: the skip link comes first`);
  // A key press first: after a mouse click, browsers show focus rings only
  // for keyboard users, which is what this checks.
  await page.keyboard.press("Shift");
  await page.focus(".skip-link");
  const outline = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return { style: style.outlineStyle, width: style.outlineWidth, top: document.activeElement.getBoundingClientRect().top };
  });
  assert.ok(outline.style !== "none" && outline.width !== "0px", `${where}: focus is visible`);
  assert.ok(outline.top >= 0, `${where}: the focused skip link is on screen`);
  assert.deepEqual(page.foreign, [], `${where}: loads only from kith's own origin`);
}

/**
 * Presses Tab until `selector` has focus (at most 80 times); fails if it
 * never does. Keyboard-only journeys move with this alone.
 */
export async function tabTo(page, selector) {
  for (let i = 0; i < 80; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, "none", `focus on ${selector} is visible`);
      return;
    }
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached ${selector}`);
}
