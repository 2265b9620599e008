// Journey 16: a member confirms their email and writes a story to be shown
// as an anonymous member; the moderator reads it in full, sees who wrote
// it, and publishes it; the author is mailed; a visitor reads it under
// "anonymous member", and nowhere the author's handle. Every page audited.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { MODERATOR, PASSWORD, linkIn, logIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const HANDLE = "kestrel_writes";
const EMAIL = "kestrel@example.org";
const TITLE = "The winter I came off, one call at a time";
const STORY = "Every Tuesday five of us dialled in.\n\nNobody gave advice unless someone asked, and for an hour I was not the only one.";

test("a member's anonymous story is published by a moderator and read without its author", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const author = await open(browser, kith.url, { journey: "stories-author" });
    await author.goto("/register");
    await author.getByLabel("Handle").fill(HANDLE);
    await author.getByLabel("Email").fill(EMAIL);
    await author.getByLabel("Password").fill(PASSWORD);
    await author.getByRole("button", { name: "Create account" }).click();
    await author.waitForURL(/\/login\?registered=1/);
    const [welcome] = await mailsTo(kith, EMAIL);
    await author.goto(linkIn(welcome, "/verify-email/"));
    await author.getByRole("button", { name: "Confirm my email" }).click();
    await author.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();

    // From the header to the list, and on to the form.
    await author.getByRole("link", { name: "Stories", exact: true }).click();
    await author.getByRole("heading", { level: 1, name: "Members' stories" }).waitFor();
    await audit(author, "Members' stories");
    await author.getByRole("link", { name: "Write a story" }).click();
    await author.waitForURL(/\/stories\/new$/);
    await audit(author, "Write a story");

    // Refused, the form keeps what was typed and says what to fix.
    await author.getByLabel("Your story").fill("Too short");
    await author.getByLabel("An anonymous member").check();
    await author.getByRole("button", { name: "Send for review" }).click();
    await author.getByRole("alert").waitFor();
    assert.match(await author.getByRole("alert").innerText(), /give it a title/);
    assert.equal(await author.getByLabel("Your story").inputValue(), "Too short");
    assert.equal(await author.getByLabel("An anonymous member").isChecked(), true);
    await audit(author, "Write a story");

    await author.getByLabel("Title").fill(TITLE);
    await author.getByLabel("Your story").fill(STORY);
    await step(author, "form");
    await author.getByRole("button", { name: "Send for review" }).click();
    await author.getByRole("heading", { level: 1, name: TITLE }).waitFor();
    const storyPath = new URL(author.url()).pathname;
    assert.match(await author.locator(".status-notice").innerText(), /Waiting for review/);
    assert.match(await author.locator(".byline").innerText(), /anonymous member/);
    assert.match(await author.locator("main").innerText(), /Only you and the moderators know you wrote it/);
    await audit(author, TITLE);

    // Until published, a visitor finds nothing there.
    const visitor = await open(browser, kith.url, { journey: "stories-visitor" });
    const early = await visitor.goto(storyPath);
    assert.equal(early.status(), 404);

    // The moderator reads it in full, and who wrote it.
    const moderator = await open(browser, kith.url, { journey: "stories-moderator" });
    await logIn(moderator, MODERATOR.handle);
    const waiting = await mailsTo(kith, MODERATOR.email);
    assert.ok(waiting.some((m) => m.subject === "kith: a story waits for review"));
    assert.ok(waiting.every((m) => !m.raw.includes(HANDLE)), "the mail does not name the author");
    await moderator.goto("/moderation");
    const item = moderator.locator(".queue-item", { hasText: TITLE });
    await item.waitFor();
    assert.match(await item.innerText(), new RegExp(HANDLE));
    assert.match(await item.innerText(), /to be shown as an anonymous member/);
    assert.match(await item.locator(".prose").innerText(), /Nobody gave advice unless someone asked/);
    await audit(moderator, "Moderation");
    await item.getByRole("button", { name: `Publish ${TITLE}`, exact: true }).click();
    await moderator.waitForURL(/\/moderation\?story_published=/);
    assert.match(await moderator.getByRole("status").innerText(), /Published/);
    await audit(moderator, "Moderation");

    // The author is told, without the subject saying what about.
    const decided = await mailsTo(kith, EMAIL, 2);
    assert.equal(decided.at(-1).subject, "kith: your story was reviewed");
    assert.match(decided.at(-1).text, /is published now/);

    // A visitor reads it under "anonymous member", and never the handle.
    await visitor.goto("/stories");
    const card = visitor.locator(".story-card", { hasText: TITLE });
    await card.waitFor();
    assert.match(await card.innerText(), /By anonymous member/);
    await audit(visitor, "Members' stories");
    await card.getByRole("link", { name: TITLE }).click();
    await visitor.getByRole("heading", { level: 1, name: TITLE }).waitFor();
    assert.match(await visitor.locator(".byline").innerText(), /anonymous member/);
    assert.doesNotMatch(await visitor.content(), new RegExp(HANDLE));
    assert.equal(await visitor.locator("#comments").count(), 1, "the place for comments");
    await audit(visitor, TITLE);
    await step(visitor, "published");
    await screenshot(visitor, "story");
    const api = await visitor.request.get(`/api/v1${storyPath}`);
    const json = await api.json();
    assert.equal(json.author, "anonymous member");
    assert.doesNotMatch(JSON.stringify(json), new RegExp(HANDLE));

    // The author sees it on their list, and withdrawing asks first.
    await author.goto("/me/stories");
    await author.getByRole("heading", { level: 1, name: "Your stories" }).waitFor();
    assert.match(await author.locator("main").innerText(), /Published/);
    await audit(author, "Your stories");
    await author.getByRole("link", { name: `Withdraw ${TITLE}` }).click();
    await author.getByRole("heading", { level: 1, name: `Withdraw your story: ${TITLE}` }).waitFor();
    await audit(author, "Withdraw your story");
    await author.getByRole("button", { name: "Withdraw the story" }).click();
    await author.getByRole("alert").waitFor();
    assert.equal((await visitor.goto(storyPath)).status(), 200, "nothing withdrawn unasked");
    await author.getByLabel("Yes, I want to withdraw this story").check();
    await author.getByRole("button", { name: "Withdraw the story" }).click();
    await author.waitForURL(/\/me\/stories\?withdrawn=1$/);
    assert.match(await author.getByRole("status").innerText(), /withdrawn/);
    assert.equal((await visitor.goto(storyPath)).status(), 404);
  } finally {
    await browser.close();
  }
});
