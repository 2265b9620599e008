// Journey 25: the mailing list as an admin keeps it. An admin, made as an
// operator would be, publishes a resource with a PDF, adds an interest
// (a label too long first, refused with the words kept), places the home
// page's form with that download (saving says version 2 is in force) and
// imports a small CSV with the attestation ticked — a bad line first,
// refused naming its line — then sees the counts. Every page passes axe.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import { audit, launch, open, step } from "../lib/browser.mjs";
import { PASSWORD, binary, logIn, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const PDF = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
const TITLE = "Freedom From Psych Drugs";

test("an admin adds an interest, places the home form with a download and imports a CSV", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    await manageTheList(browser);
  } finally {
    await browser.close();
  }
});

async function manageTheList(browser) {
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
  const page = await open(browser, kith.url, { journey: "newsletter-admin" });
  await logIn(page, "keeper");

  // A resource with a file, for the form to offer.
  await page.goto("/resources/new");
  await page.getByLabel("Title", { exact: true }).fill(TITLE);
  await page.getByLabel("Summary").fill("A short eBook on coming off with others beside you.");
  await page.getByLabel("Text", { exact: true }).fill("Others who had done it helped.");
  await page.getByLabel("Published: everyone").check();
  await page.getByLabel("A file to download (optional)").setInputFiles({
    name: "freedom.pdf",
    mimeType: "application/pdf",
    buffer: PDF,
  });
  await page.getByRole("button", { name: "Save the resource" }).click();
  await page.waitForURL(/\/resources\/freedom-from-psych-drugs$/);

  // From the admin page to the mailing list.
  await page.goto("/admin");
  await page.getByRole("link", { name: "The mailing list: interests, forms, export and import" }).click();
  await page.waitForURL(/\/admin\/newsletter$/);
  await audit(page, "The mailing list");
  await step(page, "overview");

  // An interest: too long first, then as meant.
  await page.getByRole("link", { name: "Edit the interests people choose" }).click();
  await page.waitForURL(/\/admin\/newsletter\/interests$/);
  await audit(page, "Interests");
  const label = page.locator("#f-label");
  await label.fill("Groups online ".repeat(7));
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.locator(".error-summary").waitFor();
  assert.match(await page.locator("#f-label-error").innerText(), /at most 80 characters/);
  assert.equal((await label.inputValue()).trim(), "Groups online ".repeat(7).trim(), "the label is kept");
  await audit(page, "Interests");
  await label.fill("Groups online");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByRole("heading", { level: 2, name: /Groups online/ }).waitFor();
  await step(page, "interest-added");

  // The home page's form, shown, with the eBook.
  await page.goto("/admin/newsletter/forms");
  await audit(page, "Signup forms");
  const home = page.locator("section", { has: page.getByRole("heading", { level: 2, name: "home page's form" }) });
  await home.getByLabel("Show this form").check();
  await home.getByLabel("Heading").fill("Your free eBook");
  await home.getByLabel("Free download").selectOption({ label: TITLE });
  await home.getByRole("button", { name: "Save the home page's form" }).click();
  await page.waitForURL(/\/admin\/newsletter\/forms\?saved=home&version=2$/);
  assert.match(await page.locator(".notice").innerText(), /home page's form now shows version 2/);
  await audit(page, "Signup forms");
  await step(page, "form-saved");

  // A CSV with a bad line is refused, naming it; then the good one.
  await page.goto("/admin/newsletter/import");
  await audit(page, "Import addresses");
  await page.getByLabel("Groups online").check();
  await page.getByLabel(/I attest that every address/).check();
  await page.getByLabel("CSV file").setInputFiles({
    name: "list.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("email,first_name\nann@example.net,Ann\nnot an address,Bo\n"),
  });
  await page.getByRole("button", { name: "Import" }).click();
  await page.locator(".error-summary").waitFor();
  assert.match(await page.locator("#f-file-error").innerText(), /Line 3: this is not an email address/);
  assert.ok(await page.getByLabel("Groups online").isChecked(), "the choice is kept");
  await audit(page, "Import addresses");
  await page.getByLabel("CSV file").setInputFiles({
    name: "list.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("email,first_name\nann@example.net,Ann\nbo@example.net,Bo\n"),
  });
  await page.getByRole("button", { name: "Import" }).click();
  await page.getByText("Added: 2").waitFor();
  await audit(page, "Import addresses");
  await step(page, "imported");

  await page.goto("/admin/newsletter");
  await page.getByText("Confirmed subscribers: 2").waitFor();
  const row = page.locator("tr", { hasText: "groups-online" });
  assert.match(await row.innerText(), /2$/);
}
