// Journey 23: the mailing list. The newsletter page's form offers a free
// eBook (an operator set that up: here, straight in the database, as
// admins' editing of forms is another page). A visitor signs up with two
// interests: the email field says "required" in words, a malformed
// address is refused and kept. "Check your inbox"; the confirmation mail's
// link shows a button (a mail scanner's visit changes nothing); pressing
// it confirms, and the page offers the download and a link to manage the
// subscription. The file downloads as an attachment; the manage page
// keeps a changed choice of interests; its unsubscribe button ends the
// subscription. Every page passes the accessibility checks.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { linkIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const VISITOR = "ada.letters@example.net";
const EBOOK = Buffer.from("%PDF-1.4\n% the journey's eBook\n");

/** The eBook as a published resource, offered by the newsletter page's form. */
function offerEbook() {
  const db = path.join(path.dirname(kith.mailDir), "kith.db");
  const sql = `
    INSERT INTO resources (slug, title, summary, body, published_at, created_at, updated_at)
      VALUES ('coming-off-guide', 'The coming-off guide', 'A guide.', 'A guide.', 1, 1, 1);
    INSERT INTO resource_files (resource_id, name, content_type, size, sha256, data, uploaded_at)
      SELECT id, 'Coming off guide.pdf', 'application/pdf', ${EBOOK.length}, '${"ab".repeat(32)}',
             X'${EBOOK.toString("hex")}', 1 FROM resources WHERE slug = 'coming-off-guide';
    UPDATE newsletter_forms SET download_resource_id =
      (SELECT id FROM resources WHERE slug = 'coming-off-guide') WHERE placement = 'newsletter';`;
  const done = spawnSync("sqlite3", [db, sql], { encoding: "utf8" });
  assert.equal(done.status, 0, done.stderr);
}

test("a visitor signs up with interests, confirms, downloads, manages and unsubscribes", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    offerEbook();
    const page = await open(browser, kith.url, { journey: "newsletter", size: "phone" });
    await page.goto("/newsletter");
    await page.getByRole("heading", { level: 1, name: "The mailing list" }).waitFor();
    await audit(page, "The mailing list");
    await screenshot(page, "newsletter");
    const interests = page.getByRole("group", { name: "Please send me news about (check all that apply)" });
    await interests.waitFor();
    assert.match(await page.locator("main").innerText(), /The coming-off guide/, "the download offered");

    // A malformed address is refused and kept, with the interests checked.
    await page.getByLabel("Email (required)").fill("ada at example");
    await interests.getByLabel("Coming off").check();
    await page.waitForTimeout(3200); // a person takes longer than a program
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.locator("#nl-email-error").waitFor();
    assert.equal(await page.getByLabel("Email (required)").inputValue(), "ada at example");
    assert.ok(await interests.getByLabel("Coming off").isChecked(), "kept");
    await audit(page, "The mailing list", { zones: false });
    await step(page, "refused");

    await page.getByLabel("Email (required)").fill(VISITOR);
    await page.getByLabel("First name (optional)").fill("Ada");
    await interests.getByLabel("Events").check();
    await page.waitForTimeout(3200);
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.getByRole("heading", { level: 1, name: "Check your inbox" }).waitFor();
    await audit(page, "Check your inbox", { zones: false });

    const [mail] = await mailsTo(kith, VISITOR);
    assert.equal(mail.subject, "kith: please confirm your subscription");
    await page.goto(linkIn(mail, "/newsletter/confirm/"));
    await page.getByRole("heading", { level: 1, name: "Confirm your subscription" }).waitFor();
    await audit(page, "Confirm your subscription");
    await page.getByRole("button", { name: "Confirm my subscription" }).click();
    await page.getByRole("heading", { level: 1, name: "You are subscribed" }).waitFor();
    await audit(page, "You are subscribed", { zones: false });
    await step(page, "confirmed");

    const download = page.getByRole("link", { name: /Download The coming-off guide/ });
    const file = await page.request.get(await download.getAttribute("href"));
    assert.equal(file.status(), 200);
    assert.equal(file.headers()["content-type"], "application/pdf");
    assert.match(file.headers()["content-disposition"], /^attachment; /);
    assert.equal(file.headers()["cache-control"], "private, no-store");
    assert.deepEqual(await file.body(), EBOOK);

    await page.getByRole("link", { name: /Choose what the letters are about/ }).click();
    await page.getByRole("heading", { level: 1, name: "Your subscription" }).waitFor();
    await audit(page, "Your subscription");
    const mine = page.getByRole("group", { name: "Please send me news about (check all that apply)" });
    assert.ok(await mine.getByLabel("Coming off").isChecked());
    assert.ok(await mine.getByLabel("Events").isChecked());
    await mine.getByLabel("Events").uncheck();
    await mine.getByLabel("Hearing voices").check();
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.getByRole("status").waitFor();
    assert.ok(!(await mine.getByLabel("Events").isChecked()), "saved");
    assert.ok(await mine.getByLabel("Hearing voices").isChecked(), "saved");
    await audit(page, "Your subscription", { zones: false });

    await page.getByRole("button", { name: "Unsubscribe from the letters" }).click();
    await page.getByRole("heading", { level: 1, name: "You are unsubscribed" }).waitFor();
    await audit(page, "You are unsubscribed", { zones: false });
    await step(page, "unsubscribed");
  } finally {
    await browser.close();
  }
});
