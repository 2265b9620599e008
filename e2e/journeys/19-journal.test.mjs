// Journey 19: a member's private journal. A member registers, confirms
// their email and logs in; from their page they start the journal with
// their password, see the recovery code once and say they saved it. A
// first check-in without a mood is refused and keeps what was typed; with
// one it is saved and read back, newest first. They open its edit form,
// add a medicine to the taper log with two doses and read the step, then
// lock the journal, which asks for the password again. Every page
// passes the accessibility checks.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { PASSWORD, registerConfirmed, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const MEMBER = { handle: "heron_writes", email: "heron@example.org" };
const NOTE = "Slept badly, but a walk by the river helped in the afternoon.";

test("a member starts their journal, keeps the code and writes a check-in", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "journal" });
    await registerConfirmed(page, kith, MEMBER);

    // From their page to the journal, which says what it is.
    await page.getByRole("link", { name: "Open your private journal" }).click();
    await page.waitForURL(/\/journal$/);
    const intro = await page.locator("main").innerText();
    assert.match(intro, /Only you can read it/);
    assert.match(intro, /not medical advice/);
    await audit(page, "Your journal");

    // Started with the password; the code shows once.
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Start my journal" }).click();
    await page.getByRole("heading", { level: 1, name: "Your recovery code" }).waitFor();
    const code = (await page.locator("#recovery-code").innerText()).trim();
    assert.ok(code.length >= 20, `a code: ${code}`);
    await audit(page, "Your recovery code");
    await page.getByRole("button", { name: "I have saved it" }).click();
    await page.waitForURL(/\/journal\?done=saved$/);
    assert.ok(!(await page.content()).includes(code), "the code is shown only once");
    await audit(page, "Your journal");

    // A first try without a mood is refused and keeps what was typed.
    await page.getByLabel("Hours slept").fill("5.5");
    await page.getByLabel("What you noticed").fill("brain zaps, dizziness");
    await page.getByLabel("Note", { exact: true }).fill(NOTE);
    await step(page, "check-in");
    await page.getByRole("button", { name: "Save this check-in" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /Choose how the day felt/);
    assert.equal(await page.getByLabel("Note", { exact: true }).inputValue(), NOTE);
    assert.equal(await page.getByLabel("Hours slept").inputValue(), "5.5");
    await audit(page, "Your journal");

    await page.getByLabel("In between: some ups and downs").check();
    await page.getByRole("button", { name: "Save this check-in" }).click();
    await page.waitForURL(/\/journal\?done=added$/);
    const entry = page.locator("ul.checkins li").first();
    assert.match(await entry.innerText(), /In between: some ups and downs/);
    assert.match(await entry.innerText(), /brain zaps, dizziness/);
    assert.match(await entry.innerText(), /a walk by the river/);
    await audit(page, "Your journal");
    await screenshot(page, "journal");

    await entry.getByRole("link", { name: /^Edit/ }).click();
    await page.getByRole("heading", { level: 1, name: /Edit your check-in/ }).waitFor();
    assert.equal(await page.getByLabel("Note", { exact: true }).inputValue(), NOTE);
    await audit(page, "Edit your check-in");
    await page.getByRole("link", { name: "Back to your journal" }).click();

    // The taper log: a medicine by their own name, two doses, the step.
    await page.getByRole("link", { name: /Your taper log/ }).click();
    await page.getByRole("heading", { level: 1, name: "Your taper log" }).waitFor();
    await audit(page, "Your taper log");
    await page.getByLabel("Name").fill("Sertraline");
    await page.getByRole("button", { name: "Add the medicine" }).click();
    await page.getByRole("heading", { level: 1, name: "Sertraline" }).waitFor();
    await audit(page, "Sertraline");
    for (const [day, amount] of [["2026-01-05", "50"], ["2026-02-02", "45"]]) {
      await page.getByLabel("From").fill(day);
      await page.getByLabel("Amount").fill(amount);
      await page.getByLabel("Unit").fill("mg");
      await page.getByRole("button", { name: "Save this dose" }).click();
      await page.getByRole("cell", { name: `${amount} mg` }).waitFor();
    }
    assert.match(await page.locator("table.doses").innerText(), /-10%/);
    await audit(page, "Sertraline");
    await page.goto("/journal");

    // Locked, it asks for the password again and shows nothing.
    await page.getByRole("button", { name: "Lock the journal" }).click();
    await page.waitForURL(/\/journal\?done=locked$/);
    assert.doesNotMatch(await page.locator("main").innerText(), /walk by the river/);
    await page.getByRole("button", { name: "Open my journal" }).waitFor();
    await audit(page, "Your journal");
  } finally {
    await browser.close();
  }
});
