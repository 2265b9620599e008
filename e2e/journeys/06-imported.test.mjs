// Journey 6: a group imported from another site's Meeting Guide feed is in
// the directory, and its page sends the seeker to the original listing.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, step } from "../lib/browser.mjs";
import { MODERATOR, PASSWORD, startKith } from "../lib/kith.mjs";

const SOURCE = "https://district123.example/meetings/sunday-serenity";

let kith;
before(async () => {
  kith = await startKith({
    importFeed: [
      {
        name: "Sunday Serenity Circle",
        slug: "sunday-serenity-circle",
        day: 0,
        time: "18:00",
        end_time: "19:30",
        timezone: "America/Los_Angeles",
        types: ["O", "EN"],
        notes: "<p>Ring the buzzer; we are on the second floor.</p>",
        url: SOURCE,
        city: "Anytown",
        country: "US",
      },
    ],
  });
});
after(() => kith?.stop());

test("an imported group points to its original listing", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "imported", timezoneId: "America/Los_Angeles" });
    await page.goto("/groups?q=serenity");
    await page.getByRole("link", { name: "Sunday Serenity Circle" }).click();
    await page.getByRole("heading", { level: 1, name: "Sunday Serenity Circle" }).waitFor();
    assert.match(await page.locator("main").innerText(), /Ring the buzzer; we are on the second floor\./);
    const original = page.getByRole("link", { name: "The original listing" });
    assert.equal(await original.getAttribute("href"), SOURCE);
    assert.match(await page.locator(".upcoming").innerText(), /Sun 18:00–19:30 PDT/);
    await audit(page, "Sunday Serenity Circle");
    await step(page, "imported");

    // Logged in, one may ask to host it; the request reaches the moderators.
    await page.goto("/login");
    await page.getByLabel("Handle or email").fill(MODERATOR.handle);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/me$/);
    await page.goto("/groups/sunday-serenity-circle");
    await page.getByText("Is this your group? Ask to host it on kith").click();
    await page.getByLabel("A message to the moderators").fill("I run this meeting.");
    await audit(page, "Sunday Serenity Circle");
    await page.getByRole("button", { name: "Send the request" }).click();
    await page.getByRole("status").filter({ hasText: "The moderators will look at your request." }).waitFor();
    await page.goto("/moderation");
    assert.match(await page.locator("main").innerText(), /I run this meeting\./);
    await audit(page, "Moderation");
  } finally {
    await browser.close();
  }
});
