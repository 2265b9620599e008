// Journey 21: a member's journal leaves and comes back. A member with a
// journal writes a check-in and a dose, corrects the dose on its own
// page, and downloads the journal from the export page (which warns that
// the files are not encrypted): the JSON parses and holds the check-in.
// Then, with the journal locked in their session, they open it with the
// recovery code instead of the password; the code is spent, and a new
// one is shown once, to keep. The import page says what it takes. Every
// page passes the accessibility checks at both widths.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";

import { audit, launch, open, step } from "../lib/browser.mjs";
import { PASSWORD, registerConfirmed, startJournal, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const MEMBER = { handle: "plover_keeps", email: "plover@example.org" };
const NOTE = "A calm morning; the new step felt gentle so far.";

test("a member corrects a dose, downloads the journal and recovers it with the code", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "journal-export" });
    await registerConfirmed(page, kith, MEMBER);

    const first = await startJournal(page);

    await page.getByLabel("Fairly good: a steady day").check();
    await page.getByLabel("Note", { exact: true }).fill(NOTE);
    await page.getByRole("button", { name: "Save this check-in" }).click();
    await page.waitForURL(/\/journal\?done=added$/);

    // A dose typed wrong, corrected on its own page.
    await page.getByRole("link", { name: /Your taper log/ }).click();
    await page.getByLabel("Name").fill("Paroxetine");
    await page.getByRole("button", { name: "Add the medicine" }).click();
    await page.getByRole("heading", { level: 1, name: "Paroxetine" }).waitFor();
    await page.getByLabel("From").fill("2026-05-04");
    await page.getByLabel("Amount").fill("200");
    await page.getByLabel("Unit").fill("mg");
    await page.getByRole("button", { name: "Save this dose" }).click();
    await page.getByRole("cell", { name: "200 mg" }).waitFor();
    await page.locator("table.doses").getByRole("link", { name: /^Edit/ }).click();
    await page.getByRole("heading", { level: 1, name: /Edit your dose change/ }).waitFor();
    assert.equal(await page.getByLabel("Amount").inputValue(), "200");
    await audit(page, "Edit your dose change");
    await page.getByLabel("Amount").fill("lots");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /Type the amount as a number/);
    assert.equal(await page.getByLabel("Amount").inputValue(), "lots", "what was typed is kept");
    await audit(page, "Edit your dose change");
    await page.getByLabel("Amount").fill("20");
    await step(page, "dose corrected");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("cell", { name: "20 mg" }).waitFor();
    assert.doesNotMatch(await page.locator("table.doses").innerText(), /200 mg/);
    await audit(page, "Paroxetine");
    await page.locator("table.doses").getByRole("link", { name: /^Delete/ }).click();
    await page.getByRole("heading", { level: 1, name: /Delete your dose change/ }).waitFor();
    await audit(page, "Delete your dose change");
    await page.getByRole("link", { name: "Keep it, back to the medicine" }).click();
    await page.getByRole("link", { name: "Rename this medicine" }).click();
    await audit(page, "Rename your medicine");
    await page.getByRole("link", { name: "Back to this medicine" }).click();
    await page.getByRole("link", { name: "Delete this medicine" }).click();
    assert.match(await page.locator("main").innerText(), /Dose changes deleted with it: 1\./);
    await audit(page, "Delete this medicine");

    // The export page warns, then the JSON download holds the check-in.
    await page.goto("/journal");
    await page.getByRole("link", { name: "Download your journal" }).click();
    await page.getByRole("heading", { level: 1, name: "Download your journal" }).waitFor();
    const about = await page.locator("main").innerText();
    assert.match(about, /These files are not encrypted/);
    assert.match(about, /check-ins, 1; medicines, 1; dose changes, 1\./);
    await audit(page, "Download your journal");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download everything (JSON)" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^kith-journal-\d{4}-\d{2}-\d{2}\.json$/);
    const file = JSON.parse(await readFile(await download.path(), "utf8"));
    assert.equal(file.kith_journal, 1);
    assert.equal(file.checkins.length, 1);
    assert.equal(file.checkins[0].note, NOTE);
    assert.equal(file.medicines[0].doses[0].amount, "20");

    await page.getByRole("link", { name: "Bring in a journal from a file" }).click();
    await page.getByRole("heading", { level: 1, name: "Bring in a journal from a file" }).waitFor();
    assert.match(await page.locator("main").innerText(), /already has entries/);
    await audit(page, "Bring in a journal from a file");

    // Locked in this session, the recovery code opens it once.
    await page.goto("/journal");
    await page.getByRole("button", { name: "Lock the journal" }).click();
    await page.waitForURL(/\/journal\?done=locked$/);
    assert.doesNotMatch(await page.locator("main").innerText(), /calm morning/);
    await audit(page, "Your journal");
    await page.getByLabel("Recovery code").fill(first.toLowerCase());
    await page.getByRole("button", { name: "Open with the code" }).click();
    await page.getByRole("heading", { level: 1, name: "Your recovery code" }).waitFor();
    assert.match(await page.locator("main").innerText(), /no longer opens your journal/);
    const second = (await page.locator("#recovery-code").innerText()).trim();
    assert.notEqual(second, first);
    await audit(page, "Your recovery code", { zones: false });
    await page.getByRole("button", { name: "I have saved it" }).click();
    await page.waitForURL(/\/journal\?done=saved$/);
    assert.ok(!(await page.content()).includes(second), "the new code is shown only once");
    assert.match(await page.locator("main").innerText(), /calm morning/);

    // The spent code opens nothing.
    await page.getByRole("button", { name: "Lock the journal" }).click();
    await page.waitForURL(/\/journal\?done=locked$/);
    await page.getByLabel("Recovery code").fill(first);
    await page.getByRole("button", { name: "Open with the code" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /This code does not open your journal/);
    await audit(page, "Your journal");

    // The password opens it, and a lost code can be replaced.
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Open my journal" }).click();
    await page.waitForURL(/\/journal\?done=opened$/);
    await page.getByRole("link", { name: /Get a new one/ }).click();
    await page.getByRole("heading", { level: 1, name: "A new recovery code" }).waitFor();
    await audit(page, "A new recovery code");
  } finally {
    await browser.close();
  }
});
