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
    if (process.env.CI === "true" || process.env.CI === "1") {
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
  page.javaScriptEnabled = options.javaScriptEnabled ?? true;
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
  // Whether the page on screen came from a GET, so `audit` may load it again
  // in other zones without repeating what a form did.
  page.lastNavigation = "GET";
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      page.lastNavigation = request.method();
    }
  });
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
 * The zones every page a journey reaches by GET is checked in besides its
 * own: far east, far west and a half-hour offset, so zone labels, dates
 * and times of every length are laid out.
 */
export const ZONES = ["Australia/Melbourne", "America/Los_Angeles", "Asia/Kathmandu"];

const zoneChecked = new Set();

/** axe's WCAG A and AA violations on the page at its current size. */
async function axeViolations(page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  return results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** How far the page scrolls sideways at `width` CSS px (0 when it fits). */
async function overflowAt(page, width) {
  await page.setViewportSize({ width, height: 800 });
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * axe at both sizes, and no sideways scrolling on a 390 px phone or at
 * 200% zoom of a 1280 px window (640 CSS px).
 */
async function checkLayout(page, where) {
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    assert.deepEqual(await axeViolations(page), [], `axe at ${size}: ${where}`);
  }
  for (const width of [SIZES.phone.width, 640]) {
    const overflow = await overflowAt(page, width);
    assert.ok(overflow <= 0, `${where}: ${overflow}px of sideways scrolling at ${width} px`);
  }
  await page.setViewportSize(original);
}

/**
 * The page loaded again, with the same cookies, by a reader in each of
 * `ZONES`, and laid out as `checkLayout` asks. Pages a form answered are
 * not loaded again; nor is a URL already checked with the same cookies.
 */
async function checkOtherZones(page, title) {
  if (page.lastNavigation !== "GET") return;
  const state = await page.context().storageState();
  const key = `${page.url()} ${state.cookies.map((c) => c.name).sort().join(",")}`;
  if (zoneChecked.has(key)) return;
  zoneChecked.add(key);
  const browser = page.context().browser();
  const host = new URL(page.url()).hostname;
  for (const zone of ZONES) {
    const cookies = state.cookies
      .filter((c) => c.name !== "kith_tz")
      .concat([{ name: "kith_tz", value: zone, domain: host, path: "/", expires: -1, httpOnly: false, secure: false, sameSite: "Lax" }]);
    const context = await browser.newContext({
      viewport: SIZES.phone,
      timezoneId: zone,
      locale: "en-GB",
      javaScriptEnabled: page.javaScriptEnabled,
    });
    try {
      await context.addCookies(cookies);
      const other = await context.newPage();
      await other.goto(page.url());
      await checkLayout(other, `${title} in ${zone} (${page.url()})`);
    } finally {
      await context.close();
    }
  }
}

/**
 * Everything a page must pass: zero axe violations at both sizes, no
 * sideways scrolling at 390 px or at 200% zoom, `lang`, a title naming the
 * page, the skip link first, visible focus, nothing from another origin —
 * and, for a page reached by GET, the layout again in each of `ZONES`
 * (`options.zones: false` skips that, for a page whose second reader
 * would change what the journey checks).
 */
export async function audit(page, title, options = {}) {
  const where = `${title} (${page.url()})`;
  await checkLayout(page, where);

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
  if (options.zones !== false) await checkOtherZones(page, title);
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
