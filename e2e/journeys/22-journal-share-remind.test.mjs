// Journey 22: sharing a check-in on purpose, and a gentle daily reminder.
// A member who belongs to a group meeting now keeps a journal. They turn
// on a daily reminder at 08:00 and see it saved (and named on their mail
// preferences); a time that is not one is refused and kept. With the
// meeting's room open in another tab, they share one check-in: the page
// shows exactly the words that go, the doses stay out unless ticked, and
// the message appears in the room's chat. Every page passes the
// accessibility checks at both widths.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { listAndApprove, registerConfirmed, startJournal, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const NAME = "Share Noon Circle";
const MEMBER = { handle: "wren_shares", email: "wren@example.org" };
const NOTE = "The afternoon walk helped again.";

test("a member turns on a reminder and shares one check-in into a live room", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    // A group meeting now (Monday 11:55 in Berlin), open to join.
    const host = await open(browser, kith.url, { journey: "share-host" });
    const groupPath = await listAndApprove(host, NAME, { weekday: 1, start: "11:55", minutes: 60 }, async (p) => {
      await p.getByLabel(/Anyone joins at once/).check();
      await p.getByLabel("Call link", { exact: true }).fill("https://meet.example.org/share");
    });

    const page = await open(browser, kith.url, { journey: "journal-share" });
    await registerConfirmed(page, kith, MEMBER);
    await page.goto(`${groupPath}/join`);
    await page.getByRole("button", { name: "Join this group" }).click();
    await page.waitForURL(/\/requests\//);

    // A journal with one check-in and one medicine.
    await startJournal(page);
    await page.getByLabel("Fairly good: a steady day").check();
    await page.getByLabel("Note", { exact: true }).fill(NOTE);
    await page.getByRole("button", { name: "Save this check-in" }).click();
    await page.waitForURL(/\/journal\?done=added$/);
    await page.goto("/journal/taper");
    await page.getByLabel("Name").fill("Paroxetine");
    await page.getByRole("button", { name: "Add the medicine" }).click();
    await page.getByRole("heading", { level: 1, name: "Paroxetine" }).waitFor();
    await page.getByLabel("From").fill("2026-05-04");
    await page.getByLabel("Amount").fill("15");
    await page.getByLabel("Unit").fill("mg");
    await page.getByRole("button", { name: "Save this dose" }).click();
    await page.getByRole("cell", { name: "15 mg" }).waitFor();
    await page.goto("/journal");

    // The reminder: off at first; a wrong time is refused and kept.
    const reminder = page.locator("#reminder");
    assert.equal(await reminder.getByLabel("Send me a daily reminder").isChecked(), false);
    await reminder.getByLabel("Send me a daily reminder").check();
    await step(page, "reminder");
    await reminder.getByRole("button", { name: "Save the reminder" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /Choose a time for the reminder/);
    assert.equal(await page.locator("#reminder").getByLabel("Send me a daily reminder").isChecked(), true);
    await audit(page, "Your journal");
    await page.locator("#reminder").getByLabel("Time").fill("08:00");
    await page.locator("#reminder").getByRole("button", { name: "Save the reminder" }).click();
    await page.waitForURL(/\/journal\?done=reminder_on$/);
    assert.match(await page.getByRole("status").innerText(), /Your daily reminder is on/);
    assert.equal(await page.locator("#reminder").getByLabel("Time").inputValue(), "08:00");
    assert.equal(await page.locator("#reminder").getByLabel("Send me a daily reminder").isChecked(), true);
    await audit(page, "Your journal");
    await page.goto("/me/notifications");
    assert.match(await page.locator("#journal-reminder").innerText(), /Daily journal reminder: on, at 08:00\./);
    await audit(page, "Which mail kith sends you");

    // Sharing: not in the room yet, the page says so and offers no send.
    await page.goto("/journal");
    await page.locator("ul.checkins li").first().getByRole("link", { name: /^Share…/ }).click();
    await page.getByRole("heading", { level: 1, name: /Share a check-in/ }).waitFor();
    const words = await page.locator("blockquote.shared-words").innerText();
    assert.match(words, /Fairly good: a steady day/);
    assert.match(words, /The afternoon walk helped again\./);
    assert.doesNotMatch(words, /Paroxetine/);
    assert.match(await page.locator("main").innerText(), /you are not in this room now/);
    assert.equal(await page.getByRole("button", { name: "Send to the room" }).count(), 0);
    await audit(page, "Share a check-in");
    const sharePath = new URL(page.url()).pathname;

    // The room in another tab of the same session.
    const room = await page.context().newPage();
    await room.goto("/me");
    await room.getByRole("link", { name: new RegExp(`^Meeting room ${NAME}`) }).first().click();
    await room.waitForURL(/\/meetings\/[0-9a-f]{32}\/room$/);
    await room.getByText("Connected.").waitFor();

    await page.goto(sharePath);
    assert.match(await page.locator("#f-doses-hint").innerText(), /Paroxetine 15 mg/);
    assert.equal(await page.getByLabel("Include my current doses").isChecked(), false);
    await page.getByLabel(NAME).check();
    await audit(page, "Share a check-in");
    await screenshot(page, "journal-share");
    await page.getByRole("button", { name: "Send to the room" }).click();
    await page.waitForURL(/\/journal\?done=shared$/);
    assert.match(await page.getByRole("status").innerText(), /Your check-in was sent to the room/);
    await audit(page, "Your journal");

    const said = room.locator("#chat li", { hasText: NOTE });
    await said.waitFor();
    const text = await said.innerText();
    assert.match(text, new RegExp(`^${MEMBER.handle}: From my journal`));
    assert.doesNotMatch(text, /Paroxetine/, "no doses unless ticked");
    await room.close();
  } finally {
    await browser.close();
  }
});
