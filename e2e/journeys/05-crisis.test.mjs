// Journey 5: the crisis page is one step from every page, and says plainly
// which lines may involve emergency services or police.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { MODERATOR, PASSWORD, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

test("the crisis page is one step from every page", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "crisis" });
    await page.goto("/groups");
    const group = await page.locator(".group-card h3 a").first().getAttribute("href");
    const anonymous = ["/", "/groups", "/groups?format=video", group, "/login", "/register", "/no-such-page"];
    for (const path of anonymous) {
      await page.goto(path);
      await page.getByRole("link", { name: "In crisis?" }).click();
      await page.waitForURL(/\/crisis$/);
      await page.getByRole("heading", { level: 1, name: "If you are in crisis" }).waitFor();
    }
    await audit(page, "If you are in crisis");
    assert.match(await page.locator(".prose").innerText(), /May involve emergency services or police/);
    await step(page, "crisis");

    await page.getByLabel("Show lines for").selectOption("US");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/country=US/);
    const us = await page.locator(".prose").innerText();
    assert.match(us, /988/);
    assert.match(us, /Peer-run and does not involve/);
    await audit(page, "If you are in crisis");
    await screenshot(page, "crisis");

    // And from the pages of a logged-in moderator.
    await page.goto("/login");
    await page.getByLabel("Handle or email").fill(MODERATOR.handle);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/me$/);
    for (const path of ["/me", "/groups/new", "/moderation"]) {
      await page.goto(path);
      await page.getByRole("link", { name: "In crisis?" }).click();
      await page.waitForURL(/\/crisis$/);
    }
  } finally {
    await browser.close();
  }
});
