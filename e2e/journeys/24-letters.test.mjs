// Journey 24: an editor writes a letter to the mailing list. Three
// confirmed subscribers chose "Events", one chose something else and one
// never confirmed. The editor composes a letter in Markdown for "Events",
// sees an over-long subject refused with what they typed kept, counts the
// audience (three), saves, previews the letter as mailed, sends a test to
// themselves and then sends it: each of the three receives it once with a
// one-click unsubscribe, nobody else does, and the list shows it sent.
// One of them unsubscribes from the letter's link without logging in, and
// the list counts one unsubscribed after it.
// Every page passes the accessibility checks at both widths.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { logIn, mailsTo, startKith } from "../lib/kith.mjs";

const EDITOR = { handle: "quill", email: "quill@example.org", role: "editor" };
const SUBSCRIBERS = `
INSERT INTO subscribers (email, created_at, confirmed_at, consent_at, consent_source) VALUES
  ('ev1@example.org', 0, 0, 0, 'form'), ('ev2@example.org', 0, 0, 0, 'form'),
  ('ev3@example.org', 0, 0, 0, 'form'), ('voices@example.org', 0, 0, 0, 'form');
INSERT INTO subscribers (email, created_at, expires_at, consent_at, consent_source) VALUES
  ('unconfirmed@example.org', 0, 4102444800, 0, 'form');
INSERT INTO subscriber_interests (subscriber_id, interest_id)
  SELECT s.id, i.id FROM subscribers s, newsletter_interests i
  WHERE i.code = 'events' AND s.email LIKE 'ev%' OR i.code = 'hearing-voices' AND s.email LIKE 'voices%'
     OR i.code = 'events' AND s.email LIKE 'unconfirmed%';
`;

let kith;
before(async () => {
  kith = await startKith({ staff: [EDITOR], sql: SUBSCRIBERS });
});
after(() => kith?.stop());

test("an editor composes, previews, tests and sends a letter to the subscribers of one interest", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "letters" });
    await logIn(page, EDITOR.handle);
    await page.goto("/admin/letters");
    await audit(page, "Letters");
    await page.getByRole("link", { name: "Write a letter" }).click();
    await page.getByRole("heading", { level: 1, name: "Write a letter" }).waitFor();

    // Refused: the subject is too long; everything typed stays.
    await page.getByLabel("Subject").fill("x".repeat(151));
    await page.getByLabel("Letter", { exact: true }).fill("# Autumn\n\nWe meet [in the park](https://example.org/park).");
    await page.getByLabel("Events").check();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /Use at most 150 characters/);
    assert.equal(await page.getByLabel("Events").isChecked(), true);
    assert.match(await page.getByLabel("Letter", { exact: true }).inputValue(), /in the park/);
    await audit(page, "Write a letter");

    // Counted, then saved.
    await page.getByLabel("Subject").fill("Autumn gatherings");
    await page.getByRole("button", { name: "Count who would receive it" }).click();
    assert.match(await page.locator(".audience-count").innerText(), /reach 3 confirmed subscribers/);
    await step(page, "letter-counted");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForURL(/\/admin\/letters\/\d+\?done=saved$/);
    assert.match(await page.locator(".notice").innerText(), /The letter is saved/);
    await audit(page, "Letter");
    const letterPath = new URL(page.url()).pathname;

    await page.getByRole("link", { name: "Preview as a subscriber sees it" }).click();
    await page.getByRole("heading", { level: 1, name: "Preview" }).waitFor();
    assert.match(await page.locator("pre.letter-text").innerText(), /\/newsletter\/unsubscribe\/sample/);
    await audit(page, "Preview");
    await screenshot(page, "letter-preview");
    await page.goto(letterPath);

    await page.getByRole("button", { name: "Send a test to me" }).click();
    await page.waitForURL(/\?done=tested$/);
    const [test] = await mailsTo(kith, EDITOR.email);
    assert.equal(test.subject, "Autumn gatherings");
    assert.match(test.text, /A test of this letter/);

    await page.getByRole("button", { name: "Send now" }).click();
    await page.waitForURL(/\?done=sending$/);
    let unsubscribeLink;
    for (const to of ["ev1@example.org", "ev2@example.org", "ev3@example.org"]) {
      const mails = await mailsTo(kith, to);
      unsubscribeLink ??= mails[0].text.match(/http:\/\/127\.0\.0\.1:\d+\/newsletter\/unsubscribe\/[0-9a-f]{32}/)[0];
      assert.equal(mails.length, 1, to);
      assert.equal(mails[0].subject, "Autumn gatherings");
      assert.match(mails[0].raw, /List-Unsubscribe: <http:\/\/127\.0\.0\.1:\d+\/newsletter\/unsubscribe\/[0-9a-f]{32}>/);
      assert.match(mails[0].raw, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
      assert.match(mails[0].text, /Change your interests: http:\/\/127\.0\.0\.1:\d+\/newsletter\/manage\/[0-9a-f]{32}/);
    }
    for (const nobody of ["voices@example.org", "unconfirmed@example.org"]) {
      await assert.rejects(mailsTo(kith, nobody), /no mail/);
    }

    // The first subscriber unsubscribes from the letter's own link, with
    // no account and no session: one button, and the address is forgotten.
    const reader = await open(browser, kith.url, { journey: "letters-unsubscribe" });
    await reader.goto(unsubscribeLink);
    await audit(reader, "Unsubscribe", { zones: false });
    await reader.getByRole("button", { name: "Unsubscribe from the letters" }).click();
    await reader.getByRole("heading", { level: 1, name: "You are unsubscribed" }).waitFor();
    await audit(reader, "You are unsubscribed", { zones: false });
    await reader.context().close();

    await page.goto("/admin/letters");
    assert.match(await page.locator("table.letters").innerText(), /Autumn gatherings\s+Sent/);
    const row = page.locator("table.letters tbody tr", { hasText: "Autumn gatherings" });
    assert.equal(await row.locator("td").nth(6).innerText(), "1", "unsubscribed after the letter");
    await audit(page, "Letters");
  } finally {
    await browser.close();
  }
});
