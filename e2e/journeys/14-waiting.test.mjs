// Journey 14: feedback while waiting, on a phone (390 px). A new host
// registers, confirms their email (which logs them in) and lists a group;
// the moderator hears by mail that it waits and approves it; the host hears
// by mail that it is listed. A seeker in Melbourne asks to join with the
// newcomer's form, confirms, and is logged in on a page that says the
// request reaches the hosts, that a mail comes when they answer, and which
// groups let one in at once meanwhile. Taking the request back asks first
// (and going back changes nothing); the host's decline asks first and is
// confirmed with the keyboard alone; blocking asks first too. The declined
// seeker reads kind words, other groups and the crisis link. Every new page
// passes the accessibility checks.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, step, tabTo } from "../lib/browser.mjs";
import {
  MODERATOR,
  PASSWORD,
  linkIn,
  listAndApprove,
  mailsTo,
  startKith,
} from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const NAME = "Harbour Light Circle";
const OPEN = "Open Harbour Circle";
const HOST = { handle: "harbour_host", email: "harbour.host@example.org" };
const SEEKER = { handle: "harbour_seeker", email: "harbour.seeker@example.org" };

/** Follows the confirmation link of the latest mail to `email`. */
async function confirmEmail(page, email) {
  const [mail] = await mailsTo(kith, email);
  await page.goto(linkIn(mail, "/verify-email/"));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.waitForURL(/\/me\/confirmed$/);
  await page.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();
}

test("waiting is told what comes next, and what cannot be undone asks first", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    // The moderator lists a group one may join at once, meeting this week.
    const warden = await open(browser, kith.url, { journey: "waiting-warden", size: "phone" });
    await listAndApprove(warden, OPEN, { weekday: 3, start: "19:00", minutes: 60 }, async (page) => {
      await page.getByLabel("Open to anyone, family and friends too", { exact: true }).check();
      await page.getByLabel(/Anyone joins at once/).check();
    });

    // A new host registers and confirms; confirming logs them in.
    const host = await open(browser, kith.url, { journey: "waiting-host", size: "phone" });
    await host.goto("/register");
    await host.getByLabel("Handle").fill(HOST.handle);
    await host.getByLabel("Email").fill(HOST.email);
    await host.getByLabel("Password").fill(PASSWORD);
    await host.getByRole("button", { name: "Create account" }).click();
    await host.waitForLoadState();
    await confirmEmail(host, HOST.email);
    assert.match(await host.getByRole("status").first().innerText(), new RegExp(HOST.handle));
    await audit(host, "Your email is confirmed");
    await step(host, "confirmed");

    // The host lists a group that reads each request.
    await host.goto("/groups/new");
    await host.getByLabel("Name", { exact: true }).fill(NAME);
    await host.getByLabel("Description").fill("We check in about tapering, one at a time.");
    await host.getByLabel("Tapering").check();
    await host.getByLabel("Video", { exact: true }).check();
    await host.getByLabel("The group's time zone").selectOption("Europe/Berlin");
    await host.locator("#f-rules-0-weekdays-2").check();
    await host.locator("#f-rules-0-start").fill("18:00");
    await host.locator("#f-rules-0-duration_minutes").fill("60");
    await host.getByLabel(/Ask the hosts: you read each request/).check();
    await host.getByLabel(/Your question to people who ask/).fill("What brings you here?");
    await host.getByRole("button", { name: "Send for review" }).click();
    await host.getByRole("heading", { level: 1, name: NAME }).waitFor();
    const groupPath = new URL(host.url()).pathname;

    // The moderator hears that it waits, and approves it.
    const waiting = await mailsTo(kith, MODERATOR.email);
    const queued = waiting.find((m) => m.subject === "kith: a listing waits for review");
    assert.ok(queued, "the moderator is told a listing waits");
    assert.match(queued.text, new RegExp(NAME));
    await warden.goto(linkIn(queued, "/moderation"));
    await warden
      .locator(".queue-item", { hasText: NAME })
      .getByRole("button", { name: `Approve ${NAME}`, exact: true })
      .click();
    await warden.waitForURL(/\/moderation\?approved=/);
    const listed = (await mailsTo(kith, HOST.email, 2)).find(
      (m) => m.subject === "kith: your group is listed",
    );
    assert.ok(listed, "the host is told the group is listed");
    assert.match(listed.text, new RegExp(groupPath));
    assert.doesNotMatch(listed.raw, /warden@example\.org/);

    // A seeker in Melbourne asks with the newcomer's one form.
    const seeker = await open(browser, kith.url, {
      journey: "waiting-seeker",
      size: "phone",
      timezoneId: "Australia/Melbourne",
    });
    await seeker.goto(`${groupPath}/join`);
    await seeker.getByLabel("Handle").fill(SEEKER.handle);
    await seeker.getByLabel("Email").fill(SEEKER.email);
    await seeker.getByLabel("Password").fill(PASSWORD);
    await seeker.getByLabel("What brings you here?").fill("I want company while I taper.");
    await seeker.getByRole("button", { name: "Ask to join" }).click();
    await seeker.getByRole("heading", { name: "Check your email" }).waitFor();

    // Confirming logs them in and says what comes next.
    await confirmEmail(seeker, SEEKER.email);
    const main = await seeker.locator("main").innerText();
    assert.match(main, /Your request now reaches the group's hosts/);
    assert.match(main, /We send you a mail when the hosts answer/);
    const meanwhile = seeker.locator("section", { hasText: "Groups you can go to meanwhile" });
    assert.match(await meanwhile.innerText(), new RegExp(OPEN));
    assert.doesNotMatch(await meanwhile.innerText(), new RegExp(NAME));
    await seeker.getByRole("button", { name: "Log out" }).waitFor();
    await audit(seeker, "Your email is confirmed");
    await step(seeker, "confirmed");

    // Taking the request back asks first; going back changes nothing.
    await seeker.getByRole("link", { name: /Messages with the hosts/ }).click();
    await seeker.waitForURL(/\/requests\/[0-9a-f]{32}$/);
    const requestPath = new URL(seeker.url()).pathname;
    await seeker.getByRole("button", { name: "Take back my request" }).click();
    await seeker.getByRole("heading", { level: 1, name: "Take back your request?" }).waitFor();
    await audit(seeker, "Take back your request?");
    await step(seeker, "take-back-asks");
    await seeker.getByRole("link", { name: "No, go back" }).click();
    await seeker.waitForURL(new RegExp(`${requestPath}$`));
    assert.match(await seeker.getByRole("status").innerText(), /waiting for the hosts/);

    // The host declines with a note: asked first, confirmed by keyboard.
    await host.goto(`${groupPath}/people`);
    await host.getByRole("link", { name: SEEKER.handle }).click();
    await host.waitForURL(new RegExp(`${requestPath}$`));
    await host.getByLabel("A message with your answer (optional)").fill("We are full of regulars this season.");
    await host.getByRole("button", { name: "Decline", exact: true }).click();
    await host.getByRole("heading", { level: 1, name: "Decline this request?" }).waitFor();
    assert.match(await host.locator(".consequence").innerText(), /cannot be undone/);
    await audit(host, "Decline this request?");
    await step(host, "decline-asks");
    await tabTo(host, "button.danger");
    await host.keyboard.press("Enter");
    await host.waitForURL(new RegExp(`${requestPath}$`));
    await host.getByText("You declined this request.").waitFor();

    // Blocking asks first too; going back leaves it.
    await host.getByRole("button", { name: "Block", exact: true }).click();
    await host.getByRole("heading", { level: 1, name: "Block this person?" }).waitFor();
    await audit(host, "Block this person?");
    await host.getByRole("link", { name: "No, go back" }).click();
    await host.waitForURL(new RegExp(`${requestPath}$`));
    await host.getByText("You declined this request.").waitFor();

    // The seeker reads kind words, other groups and the crisis link.
    await seeker.reload();
    const kind = await seeker.getByRole("status").innerText();
    assert.match(kind, /could not take you in this time/);
    assert.match(kind, /says nothing about you/);
    assert.equal(await seeker.locator(".status.state-declined").count(), 0, "no bare badge");
    const others = seeker.locator("section", { hasText: "Other groups to try" });
    assert.ok((await others.locator(".suggestions li").count()) >= 1, "a group to try");
    assert.doesNotMatch(await others.innerText(), new RegExp(NAME));
    assert.equal(await seeker.locator(".note a[href='/crisis']").count(), 1);
    assert.match(await seeker.locator(".thread").innerText(), /full of regulars/);
    await audit(seeker, `Your request to join: ${NAME}`);
    await step(seeker, "declined");
  } finally {
    await browser.close();
  }
});
