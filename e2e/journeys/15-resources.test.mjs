// Journey 15: the resource library. An admin makes a member an editor on
// /admin/editors; the editor writes a resource with a PDF — a file of the
// wrong kind first, refused with the form kept — and publishes it; a
// visitor finds it from the site's navigation in /resources, beside the
// site's founding post, reads it, sees the feed link and downloads the
// file with its name and type.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { PASSWORD, binary, logIn, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const PDF = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
const TITLE = "Freedom From Psych Drugs";

test("an editor publishes a resource with a PDF; a visitor finds, reads and downloads it", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  // An admin, made as an operator would, beside the running server.
  const env = {
    ...process.env,
    KITH_DATABASE_URL: `sqlite://${path.join(path.dirname(kith.mailDir), "kith.db")}`,
  };
  const made = spawnSync(binary, ["admin", "create", "--handle", "keeper", "--email", "keeper@example.org"], {
    env,
    input: `${PASSWORD}\n`,
    encoding: "utf8",
  });
  assert.equal(made.status, 0, made.stderr);
  try {
    // A member registers.
    const page = await open(browser, kith.url, { journey: "resources" });
    await page.goto("/register");
    await page.getByLabel("Handle").fill("scribe");
    await page.getByLabel("Email").fill("scribe@example.org");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/login\?registered=1/);

    // The admin makes them an editor.
    const admin = await open(browser, kith.url, { journey: "resources-admin" });
    await logIn(admin, "keeper");
    await admin.goto("/admin");
    await admin.getByRole("link", { name: "Editors of the resource library" }).click();
    await admin.waitForURL(/\/admin\/editors$/);
    await audit(admin, "Editors");
    await admin.getByLabel("Their handle").fill("nobody-here");
    await admin.getByRole("button", { name: "Make an editor" }).click();
    await admin.locator(".error-summary").waitFor();
    await audit(admin, "Editors");
    await admin.getByLabel("Their handle").fill("scribe");
    await admin.getByRole("button", { name: "Make an editor" }).click();
    await admin.locator(".editors li", { hasText: "scribe" }).waitFor();
    await step(admin, "editor-given");

    // The editor writes a resource; a web page posing as a PDF is refused.
    await logIn(page, "scribe");
    await page.goto("/resources");
    await page.getByRole("link", { name: "Write a resource" }).click();
    await page.waitForURL(/\/resources\/new$/);
    await audit(page, "Write a resource");
    await page.getByLabel("Title", { exact: true }).fill(TITLE);
    await page.getByLabel("Summary").fill("A short eBook on coming off with others beside you.");
    await page.getByLabel("Text", { exact: true }).fill("## Why a group\n\nThe strength to get through it came to me from others who had done so.");
    await page.getByLabel("Tags (optional)").fill("Coming off, groups");
    await page.getByLabel("Published: everyone").check();
    await page.getByLabel("A file to download (optional)").setInputFiles({
      name: "freedom.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("<html>not a book</html>"),
    });
    await page.getByRole("button", { name: "Save the resource" }).click();
    await page.locator(".error-summary").waitFor();
    assert.match(await page.locator("#f-file-error").innerText(), /not a PDF or an EPUB/);
    assert.equal(await page.getByLabel("Title", { exact: true }).inputValue(), TITLE, "the title is kept");
    await audit(page, "Write a resource");
    await step(page, "wrong-file");

    await page.getByLabel("A file to download (optional)").setInputFiles({
      name: "Freedom From Psych Drugs.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await page.getByRole("button", { name: "Save the resource" }).click();
    await page.waitForURL(/\/resources\/freedom-from-psych-drugs$/);
    await page.getByRole("heading", { level: 1, name: TITLE }).waitFor();
    await audit(page, TITLE);
    await step(page, "published");

    // A visitor finds it from the navigation, beside the founding post.
    const visitor = await open(browser, kith.url, { journey: "resources-visitor", size: "phone" });
    await visitor.goto("/");
    await visitor.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Resources" }).click();
    await visitor.waitForURL(/\/resources$/);
    await audit(visitor, "Resources");
    await screenshot(visitor, "resources");
    assert.equal(
      await visitor.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute("href"),
      "/resources/feed.atom",
    );
    await visitor.getByRole("link", { name: "Do It In a Group" }).waitFor();
    await visitor.getByRole("link", { name: "groups" }).first().click();
    await visitor.waitForURL(/\/resources\?tag=groups$/);
    await audit(visitor, "Resources");
    await visitor.getByRole("link", { name: TITLE }).click();
    await visitor.waitForURL(/\/resources\/freedom-from-psych-drugs$/);
    await audit(visitor, TITLE);
    assert.match(await visitor.locator(".prose").innerText(), /The strength to get through it/);
    await visitor.getByRole("link", { name: "Follow new resources (Atom feed)" }).waitFor();
    assert.equal(await visitor.locator("section#comments").count(), 1, "the place for the comments");
    await step(visitor, "reading");

    const download = visitor.getByRole("link", { name: /Download Freedom From Psych Drugs\.pdf/ });
    const file = await visitor.request.get(await download.getAttribute("href"));
    assert.equal(file.status(), 200);
    assert.equal(file.headers()["content-type"], "application/pdf");
    assert.match(file.headers()["content-disposition"], /^attachment; .*filename\*=UTF-8''Freedom%20From%20Psych%20Drugs\.pdf$/);
    assert.equal(file.headers()["x-content-type-options"], "nosniff");
    assert.deepEqual(await file.body(), PDF);

    const feed = await visitor.request.get("/resources/feed.atom");
    assert.equal(feed.headers()["content-type"], "application/atom+xml; charset=utf-8");
    const atom = await feed.text();
    assert.match(atom, /<title>Freedom From Psych Drugs<\/title>/);
    assert.match(atom, /<title>Do It In a Group<\/title>/);
  } finally {
    await browser.close();
  }
});
