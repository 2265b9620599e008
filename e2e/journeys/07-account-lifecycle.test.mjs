// Journey 7: a person registers, reads the mail kith wrote (an .eml file in
// the outbox folder, as kith writes without an SMTP server), confirms their
// email through its link, chooses which mail they want, forgets their
// password and sets a new one through the mailed link, and finally deletes
// their account. Every page on the way is audited.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, step } from "../lib/browser.mjs";
import { PASSWORD, linkIn, logIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const EMAIL = "heron@example.org";
const NEW_PASSWORD = "herons wade at dawn in the reeds";

test("register, confirm by mail, reset the password by mail, delete the account", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const page = await open(browser, kith.url, { journey: "account-lifecycle" });
    await page.goto("/register");
    await page.getByLabel("Handle").fill("heron");
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/login\?registered=1/);

    // The mail: a neutral subject and a link.
    const [welcome] = await mailsTo(kith, EMAIL);
    assert.equal(welcome.subject, "kith: confirm your email");
    assert.match(welcome.raw, /Content-Type: text\/html/, "an HTML part too");
    const verify = linkIn(welcome, "/verify-email/");

    // Until confirmed, listing a group explains why and offers the link again.
    await logIn(page, EMAIL);
    assert.match(await page.locator("main").innerText(), /not confirmed yet/);
    await page.goto("/groups/new");
    await audit(page, "Please confirm your email first");
    await page.goto(verify);
    await audit(page, "Confirm your email");
    await page.getByRole("button", { name: "Confirm my email" }).click();
    await page.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();
    await audit(page, "Your email is confirmed");
    // A second visit: the same clear page as any link that does not work.
    await page.goto(verify);
    await page.getByRole("heading", { level: 1, name: "This link does not work" }).waitFor();
    await audit(page, "This link does not work");
    await step(page, "confirmed");

    await page.goto("/me");
    assert.match(await page.locator("main").innerText(), /Your email is confirmed/);
    await audit(page, "Your page");
    await page.getByRole("link", { name: "Which mail kith sends you" }).click();
    await audit(page, "Which mail kith sends you");
    await page.getByLabel("Announcements from your groups' hosts").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/me\/notifications\?saved=1$/);
    assert.equal(await page.getByLabel("Announcements from your groups' hosts").isChecked(), false);
    await page.goto("/me/sessions");
    await audit(page, "Where you are logged in");
    assert.match(await page.locator("table.sessions").innerText(), /This one/);
    await page.goto("/me/email");
    await audit(page, "Change your email");
    await page.goto("/me/password");
    await audit(page, "Change your password");
    await page.goto("/mail/unsubscribe/0123456789abcdef0123456789abcdef");
    await audit(page, "This link does not work");

    // Logged out, the password is forgotten.
    await page.goto("/me");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.goto("/login");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await audit(page, "Forgot your password?");
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.getByRole("heading", { level: 1, name: "Please check your mail" }).waitFor();
    await audit(page, "Please check your mail");
    const mails = await mailsTo(kith, EMAIL, 2);
    const reset = mails.find((m) => m.subject === "kith: set a new password");
    assert.ok(reset, "a reset mail arrived");
    await page.goto(linkIn(reset, "/password-reset/"));
    await audit(page, "Choose a new password");
    await page.getByLabel("New password").fill("short");
    await page.getByRole("button", { name: "Save the new password" }).click();
    await page.locator(".error-summary").waitFor();
    await audit(page, "Choose a new password");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Save the new password" }).click();
    await page.waitForURL(/\/login\?reset=1$/);
    assert.match(await page.getByRole("status").innerText(), /Your password is changed/);
    await logIn(page, EMAIL, NEW_PASSWORD);
    await step(page, "reset");

    await page.getByRole("link", { name: "Delete your account" }).click();
    await audit(page, "Delete your account");
    await page.getByLabel("Your password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Delete my account for good" }).click();
    await page.getByRole("heading", { level: 1, name: "Your account is deleted" }).waitFor();
    await audit(page, "Your account is deleted");
    await page.goto("/me");
    await page.waitForURL(/\/login/);
  } finally {
    await browser.close();
  }
});
