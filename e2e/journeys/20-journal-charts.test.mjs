// Journey 20: a member's charts. A member registers, confirms their email,
// logs in and starts their journal; they write sixteen check-ins and a
// medicine with three dose changes, then open the charts from the journal.
// The six-month chart draws the dose as steps with mood and sleep beneath;
// the summary says the figures in words. By keyboard alone (Tab, Enter)
// they switch to the last month, which the range links mark as current,
// and read the tables: each dose change and each check-in in the range.
// Every page passes the accessibility checks at both widths.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import path from "node:path";

import { audit, launch, open, step, tabTo } from "../lib/browser.mjs";
import { registerConfirmed, startJournal, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const MEMBER = { handle: "plover_charts", email: "plover@example.org" };

const MOODS = [
  "Very hard: a very low day",
  "Hard: a low day",
  "In between: some ups and downs",
  "Fairly good: a steady day",
  "Good: a bright day",
];

// day, mood (1–5), hours slept: weekly through the spring, with a dip
// after the March change, then three days at the end of May.
const EARLIER = [
  ["2026-02-02", 3, "6"], ["2026-02-09", 4, "7"], ["2026-02-16", 3, "6.5"],
  ["2026-02-23", 4, "7.5"], ["2026-03-02", 3, "6"], ["2026-03-09", 2, "5"],
  ["2026-03-16", 2, "4.5"], ["2026-03-23", 3, "6"], ["2026-03-30", 3, "6.5"],
  ["2026-04-06", 4, "7"], ["2026-04-13", 4, "7.5"], ["2026-04-20", 5, "8"],
  ["2026-04-27", 4, "7"],
];
const CHECKINS = [
  ["2026-05-25", 2, "5"],
  ["2026-05-28", 3, "6.5"],
  ["2026-05-31", 4, "7.5"],
];

/** A mean in tenths, rounded half up, as kith writes it: `3.4`. */
function mean(values, divisor = 1) {
  const n = values.length * divisor;
  const tenths = Math.floor((values.reduce((a, b) => a + b, 0) * 20 + n) / (2 * n));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

const DOSES = [
  ["2026-01-05", "50"],
  ["2026-03-02", "45"],
  ["2026-05-04", "40"],
];

/**
 * With KITH_SCREENSHOTS=1, the charts themselves (summary, doses, mood and
 * sleep) at a laptop's width, for the README: docs/screenshots/journal-charts.png.
 */
async function pictureForReadme(page) {
  if (process.env.KITH_SCREENSHOTS !== "1") return;
  await page.evaluate(() => document.activeElement?.blur());
  const file = path.resolve(import.meta.dirname, "..", "..", "docs", "screenshots", "journal-charts.png");
  const charts = page.locator("main .charts");
  const box = await charts.boundingBox();
  // From the range links to the end of the mood and sleep charts.
  const end = await page.locator("main table.chart-data").last().boundingBox();
  await page.screenshot({
    path: file,
    fullPage: true,
    clip: { x: box.x - 16, y: box.y, width: box.width + 32, height: end.y - box.y - 8 },
  });
}

test("a member reads their doses, mood and sleep as charts, by keyboard and as tables", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "journal-charts" });
    await registerConfirmed(page, kith, MEMBER);

    await startJournal(page);

    // Sixteen check-ins.
    for (const [day, mood, hours] of [...EARLIER, ...CHECKINS]) {
      await page.getByLabel("Day", { exact: true }).fill(day);
      await page.getByLabel(MOODS[mood - 1]).check();
      await page.getByLabel("Hours slept").fill(hours);
      await page.getByRole("button", { name: "Save this check-in" }).click();
      await page.waitForURL(/\/journal\?done=added$/);
    }

    // A medicine with three dose changes.
    await page.getByRole("link", { name: /Your taper log/ }).click();
    await page.getByLabel("Name").fill("Paroxetine");
    await page.getByRole("button", { name: "Add the medicine" }).click();
    await page.getByRole("heading", { level: 1, name: "Paroxetine" }).waitFor();
    for (const [day, amount] of DOSES) {
      await page.getByLabel("From").fill(day);
      await page.getByLabel("Amount").fill(amount);
      await page.getByLabel("Unit").fill("mg");
      await page.getByRole("button", { name: "Save this dose" }).click();
      await page.getByRole("cell", { name: `${amount} mg` }).waitFor();
    }
    await step(page, "doses");

    // The charts, from the journal: six months unless asked otherwise.
    await page.goto("/journal");
    await page.getByRole("link", { name: /Your charts/ }).click();
    await page.waitForURL(/\/journal\/charts$/);
    await page.getByRole("heading", { level: 1, name: "Your charts" }).waitFor();
    await audit(page, "Your charts");
    const six = page.getByRole("link", { name: "Last six months" });
    assert.equal(await six.getAttribute("aria-current"), "page");
    const main = await page.locator("main").innerText();
    assert.match(main, /not medical advice/);
    assert.match(main, /From 1 Dec 2025 to 1 Jun 2026\./);
    assert.match(main, /Paroxetine: from 50 mg to 40 mg, with 3 changes in this range\./);
    const all = [...EARLIER, ...CHECKINS];
    assert.match(main, /16 check-ins on 16 different days\./);
    const moods = all.map(([, mood]) => mood);
    const halfHours = all.map(([, , hours]) => Number(hours) * 2);
    assert.ok(
      main.includes(`Mood averaged ${mean(moods)} on the scale from 1 (very hard) to 5 (good): lowest 2, highest 5.`),
      main,
    );
    assert.ok(main.includes(`Sleep averaged ${mean(halfHours, 2)} hours a night: shortest 4.5 hours, longest 8 hours.`), main);
    // Each chart is one image with its own name; the dose is a step line.
    const doseChart = page.getByRole("img", { name: "Paroxetine: dose over time" });
    await doseChart.waitFor();
    const d = await doseChart.locator("path.step").getAttribute("d");
    assert.equal((d.match(/ V/g) ?? []).length, 2, `two steps down: ${d}`);
    await page.getByRole("img", { name: /Mood by day/ }).waitFor();
    await page.getByRole("img", { name: "Hours slept by day" }).waitFor();
    assert.equal(await page.locator("main svg circle").count(), 3 + 16 + 16, "dose marks, mood and sleep dots");
    // The line breaks across the four weeks with no check-in.
    const moodLine = await page.getByRole("img", { name: /Mood by day/ }).locator("path").getAttribute("d");
    assert.equal((moodLine.match(/M/g) ?? []).length, 2, moodLine);
    await pictureForReadme(page);

    // By keyboard: Tab to the last month, Enter.
    await tabTo(page, 'a[href="/journal/charts?range=month"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/range=month$/);
    assert.equal(
      await page.getByRole("link", { name: "Last month" }).getAttribute("aria-current"),
      "page",
    );
    assert.equal(await page.getByRole("link", { name: "Last six months" }).getAttribute("aria-current"), null);
    await audit(page, "Your charts");

    // The tables: what the month draws, and nothing from before it but
    // the dose in force when it began.
    const doses = page.getByRole("table", { name: "Paroxetine: the dose changes drawn" });
    const doseRows = await doses.getByRole("row").allInnerTexts();
    assert.equal(doseRows.length, 1 + 2, `a header and two rows: ${doseRows}`);
    assert.match(doseRows[1], /45 mg/);
    assert.match(doseRows[1], /in force when this range began/);
    assert.match(doseRows[2], /40 mg\s+-11\.1%/);
    assert.ok(!doseRows.join("\n").includes("50 mg"), "50 mg ended before this month");
    const checkins = page.getByRole("table", { name: /Check-ins in this range/ });
    const rowHeaders = await checkins.getByRole("rowheader").allInnerTexts();
    assert.deepEqual(
      rowHeaders.map((h) => h.slice(-10)),
      CHECKINS.map(([day]) => day),
      "the month's check-ins only, oldest first",
    );
    await checkins.getByRole("cell", { name: "Hard: a low day (2)" }).waitFor();
    await checkins.getByRole("cell", { name: "7.5" }).waitFor();
    assert.match(await page.locator("main").innerText(), /Paroxetine: from 45 mg to 40 mg, with one change in this range\./);

    // Everything, and back to the journal.
    await tabTo(page, 'a[href="/journal/charts?range=all"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/range=all$/);
    assert.match(await page.locator("main").innerText(), /From 5 Jan 2026 to 1 Jun 2026\./);
    await audit(page, "Your charts");
    await page.getByRole("link", { name: "Back to your journal" }).click();
    await page.waitForURL(/\/journal$/);
  } finally {
    await browser.close();
  }
});
