// Journey 11: a seeker in Australia/Melbourne, on a phone (390 px), reads
// the directory with words for "when" — "happening now — late is fine",
// "in 40 min", "today", "tomorrow", or a weekday and date — each in their
// own local day (it is Monday 20:00 there at the journeys' fixed clock),
// opens a group whose meeting is in progress and finds that meeting first
// on its page, not next week's.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { MODERATOR, logIn, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

/** Every word a directory card may use for when, in Melbourne's zone. */
const WHEN =
  /^(happening now — late is fine, until \d\d:\d\d AEST|in \d{1,2} min, \d\d:\d\d–\d\d:\d\d AEST|(today|tomorrow) \d\d:\d\d–\d\d:\d\d AEST|(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jun|Jul), \d\d:\d\d–\d\d:\d\d AEST)$/;

test("a seeker in Melbourne reads when groups meet in words, and finds one happening now", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, {
      journey: "when",
      size: "phone",
      timezoneId: "Australia/Melbourne",
    });
    await page.goto("/groups");
    // tz.js remembers the browser's zone and shows the page again in it.
    await page.waitForFunction(() => document.cookie.includes("kith_tz=Australia/Melbourne"));
    await page.waitForLoadState("load");
    await page.locator(".zone-note", { hasText: "Australia/Melbourne" }).waitFor();

    const cards = page.locator(".group-card");
    assert.ok((await cards.count()) > 0, "the demo groups are listed");
    const words = [];
    for (const card of await cards.all()) {
      const time = card.locator(".next time");
      const label = (await time.innerText()).trim();
      assert.match(label, WHEN, label);
      // The machine value stays the meeting's start, with Melbourne's offset.
      assert.match(await time.getAttribute("datetime"), /^2026-\d\d-\d\dT\d\d:\d\d:00\+10:00$/);
      words.push(label);
    }
    // Meetings in progress come first, then the rest by start.
    const now = words.filter((w) => w.startsWith("happening now"));
    assert.ok(now.length > 0, `a demo meeting is in progress: ${words.join(" | ")}`);
    assert.ok(words.slice(0, now.length).every((w) => w.startsWith("happening now")), words.join(" | "));
    assert.ok(
      words.some((w) => /^(in \d+ min,|today |tomorrow )/.test(w)),
      `some meetings read relative to Melbourne's day: ${words.join(" | ")}`,
    );
    await audit(page, "Find a group");
    await screenshot(page, "directory-melbourne");
    await step(page, "directory");

    // Open the first group in progress.
    const live = cards.filter({ hasText: "happening now — late is fine" }).first();
    const link = live.locator("h3 a");
    const name = (await link.innerText()).trim();
    await link.click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const rows = page.locator(".upcoming tbody tr");
    const first = (await rows.first().locator("td").first().innerText()).trim();
    assert.match(first, /happening now — late is fine/, "the meeting in progress is listed first");
    assert.match(await page.locator(".upcoming thead").innerText(), /Australia\/Melbourne/);
    await audit(page, name);
    await screenshot(page, "group-melbourne");
    await step(page, "group-now");
  } finally {
    await browser.close();
  }
});

test("the zone kept on an account comes from the browser at login and is changed on /me", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, {
      journey: "when-account",
      size: "phone",
      timezoneId: "Australia/Melbourne",
    });
    await page.goto("/");
    await page.waitForFunction(() => document.cookie.includes("kith_tz=Australia/Melbourne"));
    await logIn(page, MODERATOR.handle);
    // Logging in kept the browser's zone on the account, for mails.
    const zone = page.getByLabel("Your time zone");
    assert.equal(await zone.inputValue(), "Australia/Melbourne");
    await audit(page, "Your page");
    await step(page, "me");

    await zone.selectOption("America/New_York");
    await page.getByRole("button", { name: "Save the time zone" }).click();
    await page.waitForURL(/\/me\?done=zone$/);
    await page.getByText("Your time zone is saved.").waitFor();
    assert.equal(await page.getByLabel("Your time zone").inputValue(), "America/New_York");
    await audit(page, "Your page");
    await step(page, "me-zone-saved");
    // Pages follow the choice (it is this browser's cookie too).
    await page.goto("/groups");
    await page.locator(".zone-note", { hasText: "America/New_York" }).waitFor();
  } finally {
    await browser.close();
  }
});
