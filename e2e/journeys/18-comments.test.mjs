// Journey 18: comments under the site's founding post. A member confirms
// their email and comments that their group meets on Tuesdays (and is
// pointed, gently, to listing it). A guest, without an account, answers
// them: a refused form keeps what was typed; the sent comment waits for the
// guest's mailed link and then for a moderator, who publishes it from the
// review page; the member is mailed that someone answered, follows the link
// to the comment's permalink and reads the answer under the guest's name —
// never their address. Every page passes the accessibility checks.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { MODERATOR, PASSWORD, linkIn, logIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const MEMBER = { handle: "wren_checks_in", email: "wren@example.org" };
const GUEST = { name: "Rowan", email: "rowan.guest@example.net" };
const POST = "/resources/do-it-in-a-group";
const MINE = "Our group meets every Tuesday at 7pm by phone. Three of us, for two years now.";
const ANSWER = "My experience wasn't the same, but a group helped me too.";

test("a member comments, a guest answers after confirming, a moderator publishes, the member hears of it", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const member = await open(browser, kith.url, { journey: "comments-member" });
    await member.goto("/register");
    await member.getByLabel("Handle").fill(MEMBER.handle);
    await member.getByLabel("Email").fill(MEMBER.email);
    await member.getByLabel("Password").fill(PASSWORD);
    await member.getByRole("button", { name: "Create account" }).click();
    await member.waitForURL(/\/login\?registered=1/);
    const [welcome] = await mailsTo(kith, MEMBER.email);
    await member.goto(linkIn(welcome, "/verify-email/"));
    await member.getByRole("button", { name: "Confirm my email" }).click();
    await member.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();

    await member.goto(POST);
    await member.getByRole("heading", { level: 2, name: /Comments/ }).waitFor();
    await member.getByLabel("Your comment").fill(MINE);
    await step(member, "comment");
    await member.getByRole("button", { name: "Post comment" }).click();
    await member.waitForURL(/\/comments\/[0-9a-f]{32}/);
    const mine = member.locator("li.comment.focus");
    assert.match(await mine.innerText(), /every Tuesday at 7pm/);
    assert.match(await mine.innerText(), /List it on kith/, "a gentle pointer to listing the group");
    await audit(member, "A comment");

    // A guest answers from the comment's permalink.
    const guest = await open(browser, kith.url, { journey: "comments-guest", size: "phone" });
    await guest.goto(POST);
    await audit(guest, "Do It In a Group");
    await guest.locator("li.comment", { hasText: "every Tuesday" }).getByRole("link", { name: "Reply" }).click();
    await guest.waitForURL(/\/comments\/[0-9a-f]{32}#reply$/);
    await audit(guest, "A comment");

    // Refused, the form keeps what was typed and says what to fix.
    await guest.getByLabel("Your name").fill(GUEST.name);
    await guest.getByLabel("Your email address").fill("rowan at example");
    await guest.getByLabel("Your comment").fill(ANSWER);
    await guest.waitForTimeout(3200); // a person takes longer than a program
    await guest.getByRole("button", { name: "Send comment" }).click();
    await guest.getByRole("alert").waitFor();
    assert.match(await guest.getByRole("alert").innerText(), /email address such as/);
    assert.equal(await guest.getByLabel("Your comment").inputValue(), ANSWER);
    assert.equal(await guest.getByLabel("Your name").inputValue(), GUEST.name);
    await audit(guest, "Your comment needs a change");

    await guest.getByLabel("Your email address").fill(GUEST.email);
    await guest.waitForTimeout(3200);
    await guest.getByRole("button", { name: "Send comment" }).click();
    await guest.getByRole("heading", { level: 1, name: "Please check your mail" }).waitFor();
    await audit(guest, "Please check your mail");

    // Nothing shows before the guest confirms.
    await member.reload();
    assert.doesNotMatch(await member.locator("main").innerText(), /wasn't the same/);

    const [confirm] = await mailsTo(kith, GUEST.email);
    assert.equal(confirm.subject, "kith: confirm your comment");
    await guest.goto(linkIn(confirm, "/comments/confirm/"));
    await audit(guest, "Confirm your comment");
    await guest.getByRole("button", { name: "Confirm my comment" }).click();
    await guest.getByRole("heading", { level: 1, name: "Thank you" }).waitFor();
    assert.match(await guest.locator("main").innerText(), /reaches a moderator/);

    // The moderator reads it in the review page and publishes it.
    const moderator = await open(browser, kith.url, { journey: "comments-moderator" });
    await logIn(moderator, MODERATOR.handle);
    await moderator.goto("/moderation");
    await moderator.getByRole("link", { name: "Comments waiting for review" }).click();
    await moderator.getByRole("heading", { level: 1, name: "Comments waiting for review" }).waitFor();
    assert.match(await moderator.locator("main").innerText(), /wasn't the same/);
    assert.doesNotMatch(await moderator.locator("main").innerText(), /rowan\.guest/);
    await audit(moderator, "Comments waiting for review");
    await moderator.getByRole("button", { name: `Publish ${GUEST.name} (guest)` }).click();
    await moderator.getByRole("status").waitFor();

    // The member is told, and reads the answer under the guest's name.
    const replies = await mailsTo(kith, MEMBER.email, 2);
    const told = replies.find((m) => m.subject === "kith: someone answered your comment");
    assert.ok(told, "the member is mailed the answer");
    assert.match(told.text, /wasn't the same/);
    await member.goto(linkIn(told, "/comments/"));
    const answer = member.locator("li.comment.focus");
    assert.match(await answer.innerText(), /Rowan \(guest\)/);
    assert.match(await answer.innerText(), /wasn't the same/);
    assert.doesNotMatch(await member.content(), /rowan\.guest@example\.net/);
    await audit(member, "A comment");
    await screenshot(member, "comment-thread");
  } finally {
    await browser.close();
  }
});
