// Journey 12: a reader in Melbourne on a phone opens the crisis page and
// finds Australia chosen for them, numbers they can tap to call, and which
// lines are open now in their own time; then reads who runs the site and
// what it keeps. An admin makes the page about the site their own. A demo
// site says its sample hosts will never answer; a used setup link says so.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { PASSWORD, binary, logIn, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

test("a reader in Melbourne finds lines open now, then who runs the site", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, {
      journey: "crisis-and-trust",
      size: "phone",
      timezoneId: "Australia/Melbourne",
    });
    await page.goto("/groups");
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    // A demo site says so on every page.
    assert.match(await page.locator(".demo-note").innerText(), /demo site/);

    await page.getByRole("link", { name: "In crisis?" }).click();
    await page.waitForURL(/\/crisis$/);
    await page.getByRole("heading", { level: 1, name: "If you are in crisis" }).waitFor();
    assert.equal(await page.getByLabel("Show lines for").inputValue(), "AU", "Melbourne's zone chooses Australia");

    // Numbers are tap-to-call links.
    const qlife = page.locator(".line").first();
    assert.match(await qlife.innerText(), /QLife/, "the peer line comes first");
    assert.equal(await qlife.getByRole("link", { name: "1800 184 527" }).getAttribute("href"), "tel:1800184527");
    assert.equal(await page.getByRole("link", { name: "13 11 14", exact: true }).getAttribute("href"), "tel:131114");
    // Monday 1 June 2026, 10:00 UTC is 20:00 in Melbourne: QLife (3pm to
    // midnight, Sydney time) is open until midnight.
    assert.equal(await qlife.locator(".line-status").innerText(), "Open now, until 00:00 your time");
    const lifeline = page.locator(".line", { hasText: "Lifeline" });
    assert.equal(await lifeline.locator(".line-status").innerText(), "Open day and night");
    assert.equal(await page.locator(".line-status.open").count(), 4);
    assert.doesNotMatch(await page.locator(".prose").innerText(), /Line:/);
    await audit(page, "If you are in crisis");
    await screenshot(page, "crisis-melbourne");
    await step(page, "crisis-melbourne");

    // The footer leads to the page about the site.
    await page.getByRole("link", { name: /About this site/ }).click();
    await page.waitForURL(/\/about$/);
    await page.getByRole("heading", { level: 1, name: "About this site" }).waitFor();
    const about = await page.locator(".prose").innerText();
    for (const words of [/Who runs it/, /No agenda/, /No advice/, /Nothing sold/, /Nobody sees your email address/, /How this site is moderated/]) {
      assert.match(about, words);
    }
    await audit(page, "About this site");
    await step(page, "about");

    // Where a visitor asks to join a demo group, the page says nobody will answer.
    await page.goto("/groups");
    await page.locator(".group-card h3 a").first().click();
    await page.locator(".demo-join").first().waitFor();
    assert.match(await page.locator(".demo-join").innerText(), /never be answered/);
    await audit(page, await page.locator("h1").innerText());
    const join = await page.locator(".join a.button").getAttribute("href");
    if (join) {
      await page.goto(join);
      assert.match(await page.locator(".demo-join").innerText(), /never be answered/);
      await audit(page, "Ask to join");
    }
    await step(page, "demo-join");

    // A setup link that does not work speaks of the setup link.
    const setup = await page.goto("/setup/no-such-link");
    assert.equal(setup.status(), 404);
    await page.getByRole("heading", { level: 1, name: "This setup link does not work" }).waitFor();
    await audit(page, "This setup link does not work");

    // The icon.
    const icon = await page.request.get("/favicon.ico");
    assert.equal(icon.headers()["content-type"], "image/svg+xml");
  } finally {
    await browser.close();
  }
});

test("an admin makes the page about the site their own", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  // An admin, made as an operator would, beside the running server.
  const env = {
    ...process.env,
    KITH_DATABASE_URL: `sqlite://${path.join(path.dirname(kith.mailDir), "kith.db")}`,
  };
  const made = spawnSync(binary, ["admin", "create", "--handle", "keeper", "--email", "keeper@example.org"], {
    env,
    input: `${PASSWORD}\n`,
    encoding: "utf8",
  });
  assert.equal(made.status, 0, made.stderr);
  try {
    const page = await open(browser, kith.url, { journey: "about-admin", timezoneId: "America/Los_Angeles" });
    await logIn(page, "keeper");
    await page.goto("/admin");
    await page.getByRole("link", { name: "Edit the page about this site" }).click();
    await page.waitForURL(/\/admin\/about$/);
    await audit(page, "The page about this site");
    const text = page.getByLabel("Text");
    assert.match(await text.inputValue(), /## Who runs it/);
    await text.fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".error-summary").waitFor();
    await audit(page, "The page about this site");
    await text.fill("This site is run by **Ana and Joe**, two peers in Leeds.\n\n## Where we stand\n\nNo agenda, no advice, nothing sold.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/about$/);
    assert.match(await page.locator(".prose").innerText(), /Ana and Joe/);
    await page.goto("/admin/safety");
    await audit(page, "The crisis page");
  } finally {
    await browser.close();
  }
});
