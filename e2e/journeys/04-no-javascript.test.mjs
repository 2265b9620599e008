// Journey 4: the directory and a group page work with JavaScript disabled:
// the reader picks their zone from the list, filters, and opens a group.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, step } from "../lib/browser.mjs";

/** axe runs inside the page, so it checks the same address with scripts on. */
async function auditWithScripts(browser, url, title) {
  const page = await open(browser, kith.url, { journey: "no-javascript-audit", timezoneId: "America/New_York" });
  await page.goto(url.replace(kith.url, ""));
  await audit(page, title);
  await page.context().close();
}
import { startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

test("the directory and a group page work without JavaScript", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, {
      journey: "no-javascript",
      javaScriptEnabled: false,
      timezoneId: "America/New_York",
    });
    await page.goto("/groups");
    // Without the script nothing guesses the zone: the page says UTC.
    assert.match(await page.locator("body").innerText(), /UTC/);
    assert.deepEqual(page.foreign, []);
    await step(page, "directory");

    await page.getByLabel("Your time zone").selectOption("America/New_York");
    await page.getByLabel("Phone").check();
    await page.getByRole("button", { name: "Show groups" }).click();
    await page.waitForURL(/format=phone/);
    const cards = page.locator(".group-card");
    assert.ok((await cards.count()) > 0, "phone groups are listed");
    for (const card of await cards.all()) {
      assert.match(await card.locator(".next time").innerText(), / (EDT|EST)$/);
    }
    await auditWithScripts(browser, page.url(), "Find a group");
    await step(page, "filtered");

    // The chosen zone is remembered without a script (a cookie set by the
    // server).
    await page.goto("/groups");
    assert.match(await page.locator(".group-card .next time").first().innerText(), / (EDT|EST)$/);

    const link = page.locator(".group-card h3 a").first();
    const name = (await link.innerText()).trim();
    await link.click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    assert.match(await page.locator(".upcoming").innerText(), /EDT/);
    await page.getByRole("heading", { name: "Agreements" }).waitFor();
    assert.deepEqual(page.foreign, []);
    await auditWithScripts(browser, page.url(), name);
    await step(page, "group");
  } finally {
    await browser.close();
  }
});
