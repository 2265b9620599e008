// Journey 1: a seeker in Europe/Berlin narrows the directory to video groups
// on Tuesday evenings, sees the times in Berlin time with the zone shown,
// opens a group and reads its agreements — with a mouse, then with the
// keyboard alone.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step, tabTo } from "../lib/browser.mjs";
import { startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

async function assertBerlinEvenings(page) {
  await page.getByRole("heading", { name: "Groups", exact: false }).first().waitFor();
  const results = page.locator(".group-card");
  assert.ok((await results.count()) > 0, "some video groups meet on Tuesday evenings");
  for (const card of await results.all()) {
    const next = await card.locator(".next time").innerText();
    // June in Berlin is CEST; evenings are 17:00–21:00. It is Monday
    // noon in Berlin: the next Tuesday is "tomorrow", a later one reads as
    // weekday and date.
    assert.match(next, /^(tomorrow|Tue \d{1,2} Jun,) (1[7-9]|20):\d\d–\d\d:\d\d CEST$/, next);
    // The machine value is the full start, with Berlin's offset.
    assert.match(await card.locator(".next time").getAttribute("datetime"), /^2026-06-\d\dT(1[7-9]|20):\d\d:00\+02:00$/);
    assert.match(await card.innerText(), /Video/);
  }
  assert.match(await page.locator("body").innerText(), /Europe\/Berlin/);
}

test("a seeker in Berlin finds a video group on Tuesday evenings and reads its agreements", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "directory" });
    await page.goto("/groups");
    // tz.js remembers the browser's zone and shows the page again in it.
    await page.waitForFunction(() => document.cookie.includes("kith_tz=Europe/Berlin"));
    await page.waitForLoadState("load");
    await audit(page, "Find a group");
    await step(page, "directory");

    await page.getByLabel("Video").check();
    await page.getByLabel("Day", { exact: true }).selectOption({ label: "Tuesday" });
    await page.getByLabel("Time of day").selectOption("evening");
    await page.getByRole("button", { name: "Show groups" }).click();
    await page.waitForURL(/format=video/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("day"), "2");
    assert.equal(url.searchParams.get("time"), "evening");
    await assertBerlinEvenings(page);
    await audit(page, "Find a group");
    await screenshot(page, "directory");
    await step(page, "filtered");

    const first = page.locator(".group-card h3 a").first();
    const name = (await first.innerText()).trim();
    await first.click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const agreements = page.locator("section", { has: page.getByRole("heading", { name: "Agreements" }) });
    assert.ok((await agreements.locator(".prose").innerText()).trim().length > 0, "the agreements are there to read");
    assert.match(await page.locator(".upcoming").innerText(), /CEST/);
    // The public calendar is one link away, and says nothing about the group.
    const calendar = page.getByRole("link", { name: /Add these meetings to your calendar/ });
    const feed = await page.request.get(await calendar.getAttribute("href"));
    assert.equal(feed.status(), 200);
    assert.match(feed.headers()["content-type"], /^text\/calendar/);
    assert.match(await feed.text(), /SUMMARY:kith: meeting/);
    await audit(page, name);
    await screenshot(page, "group");
    await step(page, "group");
  } finally {
    await browser.close();
  }
});

test("the same, with the keyboard alone", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "directory-keyboard", size: "phone" });
    await page.goto("/");
    await page.waitForFunction(() => document.cookie.includes("kith_tz="));
    await audit(page, "Find a peer support group");
    await page.focus(".skip-link");
    await tabTo(page, '.shortcuts a[href="/groups"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/groups$/);
    // On a phone the results come first; "Change filters" leads to them.
    await tabTo(page, 'a[href="#filters"]');
    await page.keyboard.press("Enter");
    await tabTo(page, "#f-format-video");
    await page.keyboard.press("Space");
    await tabTo(page, "#f-day");
    await page.keyboard.press("ArrowDown"); // Sunday
    await page.keyboard.press("ArrowDown"); // Monday
    await page.keyboard.press("ArrowDown"); // Tuesday
    await tabTo(page, "#f-time");
    for (let i = 0; i < 3; i += 1) await page.keyboard.press("ArrowDown"); // evening
    assert.equal(await page.inputValue("#f-day"), "2");
    assert.equal(await page.inputValue("#f-time"), "evening");
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/format=video/);
    await assertBerlinEvenings(page);
    await step(page, "filtered");
    await tabTo(page, ".group-card h3 a");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Agreements" }).waitFor();
    await step(page, "group");
  } finally {
    await browser.close();
  }
});

test("on a phone the groups come first and the filters are one tap away", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "directory-phone", size: "phone" });
    await page.goto("/groups");
    await page.waitForFunction(() => document.cookie.includes("kith_tz=Europe/Berlin"));
    await page.waitForLoadState("load");
    const viewport = page.viewportSize();
    const first = await page.locator(".group-card").first().boundingBox();
    assert.ok(first.y < viewport.height, `the first group starts within the first screen (${first.y} < ${viewport.height})`);
    const form = await page.locator("form.filters").boundingBox();
    assert.ok(form.y > first.y, "the filters come after the groups");
    assert.match(await page.locator(".applied").innerText(), /Showing every group/);
    await audit(page, "Find a group");

    // One tap to the filters, which still submit.
    await page.getByRole("link", { name: "Change filters" }).click();
    await page.waitForURL(/#filters$/);
    await page.getByLabel("Video").click();
    await page.getByLabel("Day", { exact: true }).selectOption({ label: "Tuesday" });
    await page.getByLabel("Time of day").selectOption("evening");
    await page.getByRole("button", { name: "Show groups" }).click();
    await page.waitForURL(/format=video/);
    await assertBerlinEvenings(page);
    const card = await page.locator(".group-card").first().boundingBox();
    assert.ok(card.y < viewport.height, "after filtering, too, the first group is on the first screen");
    // The applied filters are named above the results, with a way to clear them.
    const applied = await page.locator(".applied").innerText();
    assert.match(applied, /Video/);
    assert.match(applied, /Tuesday/);
    assert.match(applied, /Evening/);
    await page.getByRole("link", { name: "Clear filters" }).first().click();
    await page.waitForURL(/\/groups$/);
    assert.match(await page.locator(".applied").innerText(), /Showing every group/);
    await audit(page, "Find a group");
  } finally {
    await browser.close();
  }
});
