// Journey 3: a form sent with bad input shows each error next to its field
// and in a summary that receives focus; what the person typed is kept. Done
// with a mouse, then with the keyboard alone.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step, tabTo } from "../lib/browser.mjs";
import { PASSWORD, linkIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

async function register(page, handle) {
  await page.goto("/register");
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Email").fill(`${handle}@example.org`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/registered=1/);
  await page.getByLabel("Handle or email").fill(handle);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/me$/);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id);
}

test("a refused registration shows every error, focuses the summary and keeps the input", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "form-errors-register" });
    await page.goto("/register");
    await page.getByLabel("Handle").fill("x");
    await page.getByLabel("Email").fill("not an email");
    await page.getByLabel("Password").fill("password123");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#error-summary").waitFor();
    assert.equal(await focusedId(page), "error-summary", "the summary receives focus");
    const summary = await page.locator("#error-summary").innerText();
    assert.match(summary, /Use at least 3 characters/);
    assert.match(summary, /Enter an email address/);
    assert.match(summary, /one of the most common/);
    assert.match(await page.locator("#f-handle-error").innerText(), /Use at least 3 characters/);
    assert.equal(await page.inputValue("#f-handle"), "x", "the input is kept");
    assert.equal(await page.inputValue("#f-email"), "not an email");
    assert.equal(await page.inputValue("#f-password"), "", "the password is not sent back");
    assert.equal(await page.getAttribute("#f-email", "aria-invalid"), "true");
    await audit(page, "Create an account");
    await step(page, "refused");
  } finally {
    await browser.close();
  }
});

test("a refused group form, with the keyboard alone", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "form-errors-group", size: "phone" });
    await register(page, "tern_host");
    // Listing needs a confirmed email: the link from the mail kith wrote.
    const [welcome] = await mailsTo(kith, "tern_host@example.org");
    await page.goto(linkIn(welcome, "/verify-email/"));
    await page.getByRole("button", { name: "Confirm my email" }).click();
    await page.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();
    await page.goto("/groups/new");
    await tabTo(page, "#f-name");
    await page.keyboard.type("ab");
    await tabTo(page, "#f-description");
    await page.keyboard.type("A circle for people tapering slowly.");
    await tabTo(page, "#f-focus-tapering");
    await page.keyboard.press("Space");
    // A radio group is one Tab stop; the arrows choose within it.
    await tabTo(page, "#f-format-phone");
    await page.keyboard.press("ArrowDown");
    assert.ok(await page.isChecked("#f-format-video"));
    await tabTo(page, "#f-rules-0-weekdays-2");
    await page.keyboard.press("Space");
    // The start time is left empty: a time input cannot hold 25:00.
    await tabTo(page, "#f-rules-0-duration_minutes");
    await page.keyboard.type("90");
    await tabTo(page, "#f-call_link");
    await page.keyboard.type("javascript:alert(1)");
    await tabTo(page, ".group-form button[type=submit]");
    await page.keyboard.press("Enter");
    await page.locator("#error-summary").waitFor();
    assert.equal(await focusedId(page), "error-summary", "the summary receives focus");
    const summary = await page.locator("#error-summary").innerText();
    for (const message of [/Use at least 3 characters/, /Enter a time such as 19:00/, /starting with https:\/\//]) {
      assert.match(summary, message);
    }
    assert.match(await page.locator("#f-rules-0-start-error").innerText(), /Enter a time such as 19:00/);
    assert.equal(await page.inputValue("#f-name"), "ab");
    assert.equal(await page.inputValue("#f-description"), "A circle for people tapering slowly.");
    assert.equal(await page.inputValue("#f-rules-0-duration_minutes"), "90");
    assert.ok(await page.isChecked("#f-focus-tapering"));
    assert.ok(await page.isChecked("#f-rules-0-weekdays-2"));
    await audit(page, "List a group");
    await screenshot(page, "group-form-errors");
    await step(page, "refused");

    // The audit moved focus; put it back where the page left it. The
    // summary's first link then takes the keyboard to the field.
    await page.focus("#error-summary");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "f-name");
    await page.keyboard.press("End");
    await page.keyboard.type("c Circle");
    // A time input takes the hours, then the minutes, from the keyboard.
    await tabTo(page, "#f-rules-0-start");
    await page.keyboard.type("1900");
    assert.equal(await page.inputValue("#f-rules-0-start"), "19:00");
    await tabTo(page, "#f-call_link");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("https://meet.example.org/tern");
    await tabTo(page, ".group-form button[type=submit]");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "abc Circle" }).waitFor();
    assert.match(await page.getByRole("status").innerText(), /Waiting for review/);
  } finally {
    await browser.close();
  }
});
