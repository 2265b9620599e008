// Journey 8: a newcomer asks to join with one form that also makes their
// account; once they confirm their email (which logs them in and says what
// comes next) the host sees the request, answers in the private thread and
// welcomes them; the seeker then sees the call link, a stranger does not;
// the host writes to all members. Every page on the way passes the
// accessibility checks.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { PASSWORD, linkIn, listAndApprove, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const NAME = "Riverbank Check-in Circle";
// A call link as long as the ones video services hand out: it must wrap on
// a phone, not push the page sideways.
const LINK = "https://us02web.zoom.us/j/81234567890?pwd=riverbank-private-Zk9aQm3bT0x8VhYw2LcJpR5sNdE7uFgH1iKoPqXs";

/** The warden lists a group that asks a question, and approves it. */
function listGroup(host) {
  return listAndApprove(host, NAME, { weekday: 3, start: "18:00", minutes: 60 }, async (page) => {
    await page.getByLabel(/Ask the hosts: you read each request/).check();
    await page.getByLabel(/Your question to people who ask/).fill("What brings you here?");
    await page.getByLabel("Call link", { exact: true }).fill(LINK);
    await page.getByLabel("Dial-in number").fill("+49 30 555 0100,,7777#");
  });
}

test("a seeker asks, the host answers and welcomes them, and only then the link shows", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const host = await open(browser, kith.url, { journey: "joining-host" });
    const groupPath = await listGroup(host);

    const seeker = await open(browser, kith.url, { journey: "joining-seeker" });
    await seeker.goto(groupPath);
    assert.doesNotMatch(await seeker.content(), /riverbank-private/);
    await seeker.getByRole("link", { name: "Ask to join" }).click();
    await seeker.waitForURL(/\/join$/);
    await audit(seeker, `Ask to join: ${NAME}`);
    // One form for a newcomer: the account and the request together. Sent
    // without an answer, it says why and keeps what was typed.
    await seeker.getByLabel("Handle").fill("riverbank_seeker");
    await seeker.getByLabel("Email").fill("seeker@example.org");
    await seeker.getByLabel("Password").fill(PASSWORD);
    await seeker.getByRole("button", { name: "Ask to join" }).click();
    await seeker.getByRole("alert").waitFor();
    assert.match(await seeker.getByRole("alert").innerText(), /Please answer the hosts' question/);
    assert.equal(await seeker.getByLabel("Handle").inputValue(), "riverbank_seeker");
    assert.equal(await seeker.getByLabel("Password").inputValue(), "", "never sent back");
    await audit(seeker, `Ask to join: ${NAME}`);
    await seeker.getByLabel("Password").fill(PASSWORD);
    await seeker.getByLabel("What brings you here?").fill("I am tapering and want company.");
    await seeker.getByRole("button", { name: "Ask to join" }).click();
    await seeker.getByRole("heading", { name: "Check your email" }).waitFor();
    await audit(seeker, `Ask to join: ${NAME}`);

    // The request reaches the hosts once the email is confirmed; the
    // seeker is logged in by it and reads what comes next.
    const [welcome] = await mailsTo(kith, "seeker@example.org");
    await seeker.goto(linkIn(welcome, "/verify-email/"));
    await seeker.getByRole("button", { name: "Confirm my email" }).click();
    await seeker.waitForURL(/\/me\/confirmed$/);
    await seeker.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();
    assert.match(await seeker.locator("main").innerText(), /Your request now reaches the group's hosts/);
    assert.match(await seeker.locator("main").innerText(), /We send you a mail when the hosts answer/);
    await seeker.getByRole("button", { name: "Log out" }).waitFor();
    await audit(seeker, "Your email is confirmed");
    await seeker.getByRole("link", { name: /Messages with the hosts/ }).click();
    await seeker.waitForURL(/\/requests\/[0-9a-f]{32}$/);
    const requestPath = new URL(seeker.url()).pathname;
    assert.match(await seeker.getByRole("status").innerText(), /waiting for the hosts/);
    await audit(seeker, `Your request to join: ${NAME}`);
    await step(seeker, "asked");

    // The host reads the request and answers in the thread.
    await host.goto(`${groupPath}/people`);
    await audit(host, `Requests and members: ${NAME}`);
    await host.getByRole("link", { name: "riverbank_seeker" }).click();
    await host.waitForURL(new RegExp(`${requestPath}$`));
    assert.match(await host.locator(".answer").innerText(), /tapering and want company/);
    await audit(host, `Your request to join: ${NAME}`);
    await host.getByLabel("Write a message").fill("Welcome! We start with a round of check-ins.");
    await host.getByRole("button", { name: "Send" }).click();
    await host.locator(".thread").waitFor();
    await host.getByLabel("A message with your answer (optional)").fill("Glad you found us.");
    await host.getByRole("button", { name: "Welcome them" }).click();
    await host.getByText("A member of the group.").waitFor();
    await step(host, "approved");

    // The seeker sees the thread, the new state and, now, the link.
    await seeker.reload();
    const thread = await seeker.locator(".thread").innerText();
    assert.match(thread, /We start with a round of check-ins/);
    assert.match(thread, /Glad you found us/);
    assert.match(await seeker.getByRole("status").innerText(), /member/);
    // The seeker may report or block a host who wrote to them, from here.
    const hosts = seeker.getByRole("region", { name: "The hosts who wrote to you" });
    assert.equal(await hosts.getByRole("button", { name: /^Block / }).count(), 1);
    assert.equal(await hosts.getByRole("link", { name: /^Report / }).count(), 1);
    await audit(seeker, `Your request to join: ${NAME}`);
    await screenshot(seeker, "request");
    await seeker.goto(groupPath);
    assert.match(await seeker.locator(".private").innerText(), /riverbank-private/);
    // The dial-in is one tap on a phone, pauses included.
    const dial = seeker.locator(".private").getByRole("link", { name: "+49 30 555 0100,,7777#" });
    assert.equal(await dial.getAttribute("href"), "tel:+49305550100,,7777%23");
    await seeker.goto("/me");
    assert.match(await seeker.locator(".memberships").innerText(), new RegExp(NAME));
    await audit(seeker, "Your page");
    await step(seeker, "member");

    // The host writes to all members: one mail each, no shared recipients.
    await host.goto(`${groupPath}/people`);
    await host.getByLabel("Your announcement").fill("Next week we meet half an hour later.");
    await host.getByRole("button", { name: "Send to all members" }).click();
    assert.match(await host.getByRole("status").innerText(), /Mails on their way: 1/);
    await audit(host, `Requests and members: ${NAME}`);
    const news = await mailsTo(kith, "seeker@example.org", 4);
    const announcement = news.find((mail) => mail.text.includes("half an hour later"));
    assert.ok(announcement, "the member got the announcement");
    assert.equal(announcement.subject, "kith: news from one of your groups");
    assert.doesNotMatch(announcement.raw, /warden@example\.org/);

    // An invitation link: made once, opened by a guest; a wrong one reads
    // "not valid".
    await host.getByLabel("Works for (days)").fill("7");
    await host.getByRole("button", { name: "Make an invitation link" }).click();
    const invitation = (await host.locator("code.secret").innerText()).trim();
    assert.match(invitation, /\/invitations\/[0-9a-f]{32}$/);
    await audit(host, `Requests and members: ${NAME}`);
    const guest = await open(browser, kith.url, { journey: "joining-guest" });
    await guest.goto(new URL(invitation).pathname);
    await guest.getByRole("heading", { level: 1, name: `You are invited: ${NAME}` }).waitFor();
    await audit(guest, `You are invited: ${NAME}`);
    const wrong = await guest.goto("/invitations/0123456789abcdef0123456789abcdef");
    assert.equal(wrong.status(), 404);
    await audit(guest, "This invitation is not valid");

    // A stranger sees the group but never the link, and no thread.
    const stranger = await open(browser, kith.url, { journey: "joining-stranger" });
    await stranger.goto(groupPath);
    assert.equal(await stranger.locator(".private").count(), 0);
    assert.doesNotMatch(await stranger.content(), /riverbank-private/);
    // Without an account the thread's address asks for a login; nothing of
    // it shows.
    await stranger.goto(requestPath);
    assert.match(stranger.url(), /\/login(\?|$)/);
    assert.doesNotMatch(await stranger.content(), /check-ins/);

    // The host closes the group for good; the member is told by mail.
    await host.goto(groupPath);
    await host.getByRole("link", { name: "Close the group" }).click();
    await host.waitForURL(/\/close$/);
    await audit(host, `Close the group: ${NAME}`);
    await host.getByRole("button", { name: "Close the group" }).click();
    await host.getByRole("alert").waitFor();
    assert.match(await host.getByRole("alert").innerText(), /Tick the box/);
    await audit(host, `Close the group: ${NAME}`);
    await host.getByLabel("I understand that this cannot be undone").check();
    await host.getByRole("button", { name: "Close the group" }).click();
    await host.waitForURL(/\/me\?done=closed$/);
    const gone = await stranger.goto(groupPath);
    assert.equal(gone.status(), 404);
    const last = await mailsTo(kith, "seeker@example.org", 5);
    assert.ok(last.some((mail) => mail.text.includes("have closed the group")));
  } finally {
    await browser.close();
  }
});
