// Journey 17: a member reports a group listing; a second moderator hides
// it from the reports queue; the reporter hears the outcome and the
// listing's host hears the decision with the reason (never who reported),
// and may appeal once. axe on every page on the way.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { MODERATOR, PASSWORD, binary, linkIn, listAndApprove, logIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
  // A second moderator (an admin), made as an operator would, so the one
  // who decides is not the listing's host.
  const made = spawnSync(
    binary,
    ["admin", "create", "--handle", "keeper", "--email", "keeper@example.org", "--role", "admin"],
    {
      env: { ...process.env, KITH_DATABASE_URL: `sqlite://${path.dirname(kith.mailDir)}/kith.db` },
      input: `${PASSWORD}\n`,
      encoding: "utf8",
    },
  );
  if (made.status !== 0) throw new Error(`kith admin create failed: ${made.stderr}`);
});
after(() => kith?.stop());

const NAME = "Foxglove Stop-Now Circle";

test("a reported listing is hidden by a moderator and both sides are told", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    // The listing's host (here the first moderator) lists a group.
    const host = await open(browser, kith.url, { journey: "report" });
    const groupPath = await listAndApprove(host, NAME, { weekday: 3, start: "18:00", minutes: 60 }, async () => {});

    // A member registers, logs in and reports it from its page.
    const member = await open(browser, kith.url, { journey: "report" });
    await member.goto("/register");
    await member.getByLabel("Handle").fill("foxglove_reader");
    await member.getByLabel("Email").fill("foxglove@example.org");
    await member.getByLabel("Password").fill(PASSWORD);
    await member.getByRole("button", { name: "Create account" }).click();
    await member.waitForURL(/\/login\?registered=1/);
    await logIn(member, "foxglove_reader");
    await member.goto(groupPath);
    await member.getByRole("link", { name: "Report this listing" }).click();
    await member.getByRole("heading", { level: 1, name: "Report" }).waitFor();
    await audit(member, "Report");
    // "Something else" needs words: refused, the choice kept.
    await member.getByLabel("Something else (please say what)").check();
    await member.getByRole("button", { name: "Send the report" }).click();
    await member.locator("#error-summary").waitFor();
    assert.equal(await member.getByLabel("Something else (please say what)").isChecked(), true);
    await audit(member, "Report");
    await member.getByLabel("Unsafe or harmful advice").check();
    await member.getByLabel("More about it (optional)").fill("It tells people to stop their medication at once.");
    await member.getByRole("button", { name: "Send the report" }).click();
    await member.getByRole("heading", { level: 1, name: "Thank you for your report" }).waitFor();
    await audit(member, "Thank you for your report");
    await step(member, "reported");

    // The second moderator hides it from the reports queue.
    const moderator = await open(browser, kith.url, { journey: "report" });
    await logIn(moderator, "keeper");
    await moderator.goto("/moderation");
    await moderator.getByRole("link", { name: "Reports" }).click();
    await moderator.getByRole("heading", { level: 1, name: "Reports" }).waitFor();
    const item = moderator.locator(".queue-item", { hasText: NAME });
    assert.match(await item.innerText(), /stop their medication at once/);
    assert.match(await item.innerText(), /foxglove_reader/);
    await audit(moderator, "Reports");
    await screenshot(moderator, "reports-queue");
    // A decision needs a reason both sides read.
    await item.getByLabel("Decision").selectOption({ label: "Hide it" });
    await item.getByRole("button", { name: /^Decide/ }).click();
    await moderator.locator("#error-summary").waitFor();
    await audit(moderator, "Reports");
    const again = moderator.locator(".queue-item", { hasText: NAME });
    await again.getByLabel("Decision").selectOption({ label: "Hide it" });
    await again.getByLabel(/^Reason/).fill("Advice to stop at once is not safe; please describe tapering gently.");
    await again.getByRole("button", { name: /^Decide/ }).click();
    await moderator.waitForURL(/\/moderation\/reports\?decided=1/);
    assert.match(await moderator.getByRole("status").innerText(), /have been mailed your reason/);
    await audit(moderator, "Reports");

    // The listing is gone from the directory's readers.
    const visitor = await open(browser, kith.url, { journey: "report" });
    const gone = await visitor.goto(groupPath);
    assert.equal(gone.status(), 404);

    // The reporter's mail: the outcome, with the reason.
    // (After the mail that confirms their address.)
    const outcome = (await mailsTo(kith, "foxglove@example.org", 2)).find((m) =>
      /about your report/.test(m.subject),
    );
    assert.ok(outcome, "the reporter is told");
    assert.match(outcome.text, /They hid what you reported/);
    assert.match(outcome.text, /describe tapering gently/);
    // The host's mail: the decision and the reason, never who reported.
    const decisions = await mailsTo(kith, MODERATOR.email);
    const decision = decisions.find((m) => /decision/.test(m.subject));
    assert.ok(decision, "the host is told");
    assert.match(decision.text, /describe tapering gently/);
    assert.doesNotMatch(decision.raw, /foxglove_reader/);

    // The host appeals once.
    await host.goto(linkIn(decision, "/reports/"));
    await host.getByRole("heading", { level: 1, name: "A moderator's decision" }).waitFor();
    await audit(host, "A moderator's decision");
    await host.getByLabel("Why is the decision wrong?").fill("We rewrote the description to taper slowly.");
    await host.getByRole("button", { name: "Send the appeal" }).click();
    await host.getByRole("status").filter({ hasText: "Your appeal was sent" }).waitFor();
    await audit(host, "A moderator's decision");
  } finally {
    await browser.close();
  }
});

test("a visitor without an account reports a listing, and the moderators read it", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const visitor = await open(browser, kith.url, { journey: "report-visitor", size: "phone" });
    await visitor.goto("/groups");
    await visitor.locator("main h3 a, main h2 a").first().click();
    const listing = await visitor.locator("h1").innerText();
    await visitor.getByRole("link", { name: "Report this listing" }).click();
    await visitor.getByRole("heading", { level: 1, name: "Report" }).waitFor();
    assert.match(await visitor.locator("main").innerText(), /no email is asked/);
    await audit(visitor, "Report");
    await visitor.getByLabel("Spam or advertising").check();
    await visitor.getByLabel("More about it (optional)").fill("It sells supplements.");
    await visitor.waitForTimeout(3200); // a person takes longer than a program
    await visitor.getByRole("button", { name: "Send the report" }).click();
    await visitor.getByRole("heading", { level: 1, name: "Thank you for your report" }).waitFor();
    assert.match(await visitor.locator("main").innerText(), /you will not hear back/);
    await audit(visitor, "Thank you for your report");

    const moderator = await open(browser, kith.url, { journey: "report-visitor" });
    await logIn(moderator, "keeper");
    await moderator.goto("/moderation/reports");
    const item = moderator.locator(".queue-item", { hasText: "It sells supplements." });
    assert.match(await item.innerText(), /a visitor without an account/);
    assert.match(await item.innerText(), new RegExp(listing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await audit(moderator, "Reports");
  } finally {
    await browser.close();
  }
});
