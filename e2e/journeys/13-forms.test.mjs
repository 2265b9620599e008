// Journey 13: a host in Melbourne, on a phone, lists a group by names —
// "Deutsch (German)", "Australia", "Melbourne" — not codes. With
// JavaScript the schedule shows only the fields of the kind chosen; without
// it every field shows and the form still saves.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, step } from "../lib/browser.mjs";
import { PASSWORD, linkIn, logIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const HOST = "wattle_host";
const PHONE = { size: "phone", timezoneId: "Australia/Melbourne" };

/** Registers the host and confirms the email from the mail kith wrote. */
async function registerHost(page) {
  await page.goto("/register");
  await page.getByLabel("Handle").fill(HOST);
  await page.getByLabel("Email").fill(`${HOST}@example.org`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/registered=1/);
  const [welcome] = await mailsTo(kith, `${HOST}@example.org`);
  await page.goto(linkIn(welcome, "/verify-email/"));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();
  await logIn(page, HOST);
}

/** The fields of the group form every kind of rule shares, by label. */
async function fillAbout(page, name) {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Description").fill("Wir sprechen über das Absetzen, langsam und gemeinsam.");
  await page.getByLabel("Tapering").check();
  await page.getByLabel("Video", { exact: true }).check();
  await page.getByLabel("Language", { exact: true }).selectOption({ label: "Deutsch (German)" });
  await page.getByLabel("Country", { exact: true }).selectOption({ label: "Australia" });
  await page.getByLabel("The group's time zone").selectOption({ label: "Melbourne" });
  // Typed without https://: kith adds it.
  await page.getByLabel("Call link", { exact: true }).fill("meet.example.org/wattle");
}

/** Which of a rule's kind-specific fields show. */
async function shown(page, rule) {
  const visible = async (id) => page.locator(`#f-rules-${rule}-${id}`).isVisible();
  return {
    weekdays: await visible("weekdays"),
    interval: await visible("interval_weeks"),
    anchor: await visible("anchor_date"),
    monthWeeks: await visible("month_weeks"),
    date: await visible("date"),
    start: await visible("start"),
    duration: await visible("duration_minutes"),
    firstDate: await visible("first_date"),
  };
}

test("with JavaScript, a host at 390 px sees only the chosen kind's fields", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { ...PHONE, journey: "forms-script" });
    await registerHost(page);
    await page.goto("/groups/new");
    await page.getByRole("heading", { level: 1, name: "List a group" }).waitFor();
    // Nothing is chosen by code: the options read as names.
    const language = page.getByLabel("Language", { exact: true });
    assert.equal(await language.locator("option:checked").innerText(), "English");
    const zone = page.getByLabel("The group's time zone");
    assert.equal(await zone.locator('optgroup[label="Australia"] option[value="Australia/Melbourne"]').innerText(), "Melbourne");
    assert.equal(await zone.locator('option[value="US/Eastern"], option[value="Asia/Calcutta"]').count(), 0);
    // A weekly rule: days, time and length, no interval, month weeks or date.
    assert.deepEqual(await shown(page, 0), {
      weekdays: true, interval: false, anchor: false, monthWeeks: false,
      date: false, start: true, duration: true, firstDate: true,
    });
    await audit(page, "List a group");
    await step(page, "weekly");

    await fillAbout(page, "Wattle Absetzkreis");
    await page.locator("#f-rules-0-kind").selectOption({ label: "Every few weeks" });
    assert.deepEqual(await shown(page, 0), {
      weekdays: true, interval: true, anchor: true, monthWeeks: false,
      date: false, start: true, duration: true, firstDate: true,
    });
    await page.locator("#f-rules-0-weekdays-2").check();
    await page.getByLabel(/Every how many weeks/).first().fill("2");
    await page.locator("#f-rules-0-start").fill("19:00");
    await page.locator("#f-rules-0-duration_minutes").fill("90");
    // The second meeting happens once: only its date, time and length.
    await page.locator("#f-rules-1-kind").selectOption({ label: "Once" });
    assert.deepEqual(await shown(page, 1), {
      weekdays: false, interval: false, anchor: false, monthWeeks: false,
      date: true, start: true, duration: true, firstDate: false,
    });
    await page.locator("#f-rules-1-date").fill("2026-06-20");
    await page.locator("#f-rules-1-start").fill("10:30");
    await page.locator("#f-rules-1-duration_minutes").fill("60");
    await audit(page, "List a group");
    await step(page, "filled");

    await page.getByRole("button", { name: "Send for review" }).click();
    await page.getByRole("heading", { level: 1, name: "Wattle Absetzkreis" }).waitFor();
    const rules = await page.locator(".rules").innerText();
    // The week to count from was left empty: this week (1 June 2026).
    assert.match(rules, /Every 2 weeks on Tuesday, counting from the week of 2026-06-01/);
    assert.match(rules, /Once, on Saturday 2026-06-20/);
    assert.match(await page.locator(".private").innerText(), /https:\/\/meet\.example\.org\/wattle/);
    const details = await page.locator("body").innerText();
    assert.match(details, /German/);
    assert.match(details, /Australia\/Melbourne|Melbourne/);
    await audit(page, "Wattle Absetzkreis");
    await step(page, "listed");

    // Editing shows the names chosen, still chosen.
    await page.goto(`${new URL(page.url()).pathname}/edit`);
    assert.equal(await page.getByLabel("Language", { exact: true }).locator("option:checked").innerText(), "Deutsch (German)");
    assert.equal(await page.getByLabel("Country", { exact: true }).locator("option:checked").innerText(), "Australia");
    assert.equal(await page.getByLabel("The group's time zone").inputValue(), "Australia/Melbourne");
    assert.equal(await shown(page, 0).then((s) => s.interval), true);
    await audit(page, "Edit Wattle Absetzkreis");
  } finally {
    await browser.close();
  }
});

test("without JavaScript, every field shows and the form still saves", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { ...PHONE, journey: "forms-no-script", javaScriptEnabled: false });
    await logIn(page, HOST);
    await page.goto("/groups/new");
    assert.deepEqual(await shown(page, 0), {
      weekdays: true, interval: true, anchor: true, monthWeeks: true,
      date: true, start: true, duration: true, firstDate: true,
    });
    await fillAbout(page, "Wattle Monthly Circle");
    // Monthly: the 1st Sunday, the other kinds' fields left as they are.
    await page.locator("#f-rules-0-kind").selectOption({ label: "Monthly, on given weeks" });
    await page.locator("#f-rules-0-weekdays-0").check();
    await page.locator("#f-rules-0-month_weeks-1").check();
    await page.locator("#f-rules-0-start").fill("09:00");
    await page.locator("#f-rules-0-duration_minutes").fill("75");
    await step(page, "filled");
    await page.getByRole("button", { name: "Send for review" }).click();
    await page.getByRole("heading", { level: 1, name: "Wattle Monthly Circle" }).waitFor();
    assert.match(await page.locator(".rules").innerText(), /The 1st Sunday of each month, 09:00–10:15/);
    await step(page, "listed");

    // axe runs inside the page: audit the form as it shows without the
    // form script (every field), in a context that runs axe but never
    // loads forms.js.
    const checker = await open(browser, kith.url, { ...PHONE, journey: "forms-no-script-audit" });
    await checker.route("**/assets/forms.js", (route) => route.abort());
    await logIn(checker, HOST);
    await checker.goto("/groups/new");
    assert.equal(await checker.locator("#f-rules-0-date").isVisible(), true);
    await audit(checker, "List a group");
    await checker.context().close();
  } finally {
    await browser.close();
  }
});
