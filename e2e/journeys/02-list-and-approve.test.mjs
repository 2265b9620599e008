// Journey 2: a person registers and lists a group; it is not in the
// directory; a moderator logs in and approves it; now it is.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { MODERATOR, PASSWORD, linkIn, logIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const NAME = "Saltmarsh Tapering Circle";

async function inDirectory(page) {
  await page.goto(`/groups?q=saltmarsh`);
  return (await page.locator(".group-card", { hasText: NAME }).count()) > 0;
}

test("a listed group appears only after a moderator approves it", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const host = await open(browser, kith.url, { journey: "list-and-approve" });
    await host.goto("/register");
    await audit(host, "Create an account");
    await host.getByLabel("Handle").fill("saltmarsh_host");
    await host.getByLabel("Email").fill("saltmarsh@example.org");
    await host.getByLabel("Password").fill(PASSWORD);
    await host.getByRole("button", { name: "Create account" }).click();
    await host.waitForURL(/\/login\?registered=1/);
    assert.match(await host.getByRole("status").innerText(), /opening it confirms your email and logs you in/);
    await audit(host, "Log in");
    // Listing a group needs a confirmed email: the link kith mailed.
    const [welcome] = await mailsTo(kith, "saltmarsh@example.org");
    await host.goto(linkIn(welcome, "/verify-email/"));
    await host.getByRole("button", { name: "Confirm my email" }).click();
    await host.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();
    // Confirming logged them in: no password to type again.
    await host.goto("/me");
    await host.getByRole("heading", { level: 1, name: "Your page" }).waitFor();
    assert.match(await host.locator(".site-header").innerText(), /saltmarsh_host/);
    await audit(host, "Your page");
    await step(host, "me");
    // A private calendar link, shown once.
    await host.getByRole("button", { name: "Make a calendar link" }).click();
    const link = await host.getByLabel("Your calendar's address").inputValue();
    assert.match(link, /\/me\/calendar\.ics\?token=[0-9a-f]{32}$/);
    // One tap subscribes; one more copies the address.
    const subscribe = await host.getByRole("link", { name: "Subscribe in your calendar app" }).getAttribute("href");
    assert.equal(subscribe, link.replace(/^https?:/, "webcal:"));
    await host.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await host.getByRole("button", { name: "Copy the link" }).click();
    await host.locator("#calendar-url-copied", { hasText: "Copied." }).waitFor();
    assert.equal(await host.evaluate(() => navigator.clipboard.readText()), link);
    await audit(host, "Your page");

    await host.getByRole("link", { name: "List a group" }).click();
    await host.waitForURL(/\/groups\/new$/);
    await audit(host, "List a group");
    await host.getByLabel("Name", { exact: true }).fill(NAME);
    await host.getByLabel("Description").fill("We check in about tapering, gently, every Tuesday.");
    await host.getByLabel("Group agreements").fill("What is said here stays here.");
    await host.getByLabel("Tapering").check();
    await host.getByLabel("Video", { exact: true }).check();
    await host.getByLabel("Language", { exact: true }).selectOption({ label: "English" });
    await host.getByLabel("Country", { exact: true }).selectOption({ label: "Germany" });
    await host.getByLabel("The group's time zone").selectOption({ label: "Berlin" });
    assert.equal(await host.getByLabel("The group's time zone").inputValue(), "Europe/Berlin");
    await host.locator("#f-rules-0-weekdays-2").check();
    await host.locator("#f-rules-0-start").fill("19:00");
    await host.locator("#f-rules-0-duration_minutes").fill("90");
    // A second meeting time: the 2nd and last Thursday of each month.
    await host.locator("#f-rules-1-kind").selectOption({ label: "Monthly, on given weeks" });
    // Only the monthly fields show now.
    assert.equal(await host.locator("#f-rules-1-month_weeks").isVisible(), true);
    assert.equal(await host.locator("#f-rules-1-interval_weeks").isVisible(), false);
    await host.locator("#f-rules-1-weekdays-4").check();
    await host.locator("#f-rules-1-month_weeks-2").check();
    await host.locator("#f-rules-1-month_weeks-last").check();
    await host.locator("#f-rules-1-start").fill("18:30");
    await host.locator("#f-rules-1-duration_minutes").fill("60");
    // The link typed as people do, without https://.
    await host.getByLabel("Call link", { exact: true }).fill("meet.example.org/saltmarsh");
    await step(host, "form");
    await host.getByRole("button", { name: "Send for review" }).click();
    await host.getByRole("heading", { level: 1, name: NAME }).waitFor();
    assert.match(await host.getByRole("status").innerText(), /Waiting for review/);
    assert.match(await host.locator(".private").innerText(), /meet\.example\.org\/saltmarsh/);
    const rules = await host.locator(".rules").innerText();
    assert.match(rules, /Every Tuesday, 19:00–20:30/);
    assert.match(rules, /The 2nd and last Thursday of each month, 18:30–19:30/);
    await audit(host, NAME);
    await step(host, "pending");

    // The group comes first; requests and members are one tap away, and
    // the forms that change single meetings fold away below.
    const order = await host.evaluate(() => {
      const y = (selector) => document.querySelector(selector)?.getBoundingClientRect().top ?? -1;
      return { people: y('.host-links a[href$="/people"]'), about: y("#about-title"), manage: y("#manage-title") };
    });
    assert.ok(order.people >= 0 && order.people < order.about && order.about < order.manage, JSON.stringify(order));
    assert.equal(await host.locator(".cancel-list").isVisible(), false, "folded away");
    // The host cancels the first meeting, with a note for members.
    await host.getByText("Cancel or move one meeting").click();
    const cancel = host.locator(".cancel-list li").first();
    await cancel.getByLabel("A note for members, optional").fill("Holiday: back next week.");
    await cancel.getByRole("button", { name: /Cancel this meeting/ }).click();
    await host.getByRole("heading", { level: 1, name: NAME }).waitFor();
    const first = host.locator(".upcoming tbody tr").first();
    assert.match(await first.innerText(), /Cancelled:[\s\S]*Holiday: back next week\./);
    await host.getByText("Cancel or move one meeting").click();
    assert.equal(await host.locator(".cancel-list li").first().getByRole("button", { name: /Put back as usual/ }).count(), 1);
    await audit(host, NAME);

    const seeker = await open(browser, kith.url, { journey: "list-and-approve-seeker" });
    assert.equal(await inDirectory(seeker), false, "not in the directory while pending");
    const direct = await seeker.goto(host.url().replace(kith.url, ""));
    assert.equal(direct.status(), 404);

    const moderator = await open(browser, kith.url, { journey: "list-and-approve-moderator" });
    await logIn(moderator, MODERATOR.handle);
    await moderator.getByRole("link", { name: "Moderation" }).click();
    await moderator.waitForURL(/\/moderation$/);
    const item = moderator.locator(".queue-item", { hasText: NAME });
    await item.waitFor();
    // The listing's own words, read before the button.
    await item.getByText("Read the listing first").click();
    assert.match(await item.locator(".preview").innerText(), /We check in about tapering, gently, every Tuesday\./);
    await audit(moderator, "Moderation");
    await screenshot(moderator, "moderation");
    await item.getByRole("button", { name: `Approve ${NAME}`, exact: true }).click();
    await moderator.waitForURL(/\/moderation\?approved=/);
    assert.match(await moderator.getByRole("status").innerText(), new RegExp(`Approved\\. It is in the directory now: ${NAME}`));
    assert.equal(await moderator.locator(".queue-item", { hasText: NAME }).count(), 0);
    await audit(moderator, "Moderation");

    assert.equal(await inDirectory(seeker), true, "listed once approved");
    await seeker.locator(".group-card h3 a", { hasText: NAME }).click();
    await seeker.getByRole("heading", { level: 1, name: NAME }).waitFor();
    assert.equal(await seeker.locator(".private").count(), 0, "no private details for a seeker");
    assert.doesNotMatch(await seeker.content(), /meet\.example\.org\/saltmarsh/);
    await step(seeker, "listed");

    // The host rewrites one sentence and adds a paragraph; the moderator
    // reads just that in the change log.
    await host.goto(`${new URL(host.url()).pathname}/edit`);
    await host.getByLabel("Description").fill("We check in about tapering, kindly, every Tuesday.\n\nNewcomers are welcome.");
    await host.getByRole("button", { name: /Save/ }).click();
    await host.getByRole("heading", { level: 1, name: NAME }).waitFor();
    await moderator.goto("/moderation");
    const change = moderator.locator(".changes li", { hasText: NAME }).first();
    assert.equal(await change.locator("del").first().textContent(), "removed: We check in about tapering, gently, every Tuesday.");
    assert.deepEqual(await change.locator("ins").allTextContents(), [
      "added: We check in about tapering, kindly, every Tuesday.",
      "added: Newcomers are welcome.",
    ]);
    assert.equal(await change.locator("dd p").count(), 2, "paragraphs kept");
    await audit(moderator, "Moderation");

    // Unlisting asks for the reason the hosts will read; without one, the
    // page says so and nothing changes.
    await moderator.goto(new URL(seeker.url()).pathname);
    await moderator.getByRole("link", { name: "Unlist" }).click();
    await moderator.getByRole("heading", { level: 1, name: `Take a group out of the directory: ${NAME}` }).waitFor();
    await audit(moderator, "Take a group out of the directory");
    await moderator.getByRole("button", { name: "Unlist" }).click();
    await moderator.getByRole("alert").waitFor();
    assert.match(await moderator.getByRole("alert").innerText(), /reason/i);
    await audit(moderator, "Take a group out of the directory");
    assert.equal(await inDirectory(seeker), true, "still listed");
    await moderator.getByLabel(/Reason for unlisting/).fill("Please add who the group is for.");
    await moderator.getByRole("button", { name: "Unlist" }).click();
    await moderator.getByRole("heading", { level: 1, name: NAME }).waitFor();
    assert.equal(await inDirectory(seeker), false, "unlisted");
  } finally {
    await browser.close();
  }
});
