// Starts kith — the debug binary `cargo build -p kith` makes — on a free
// port, with its own SQLite database, the demo groups and a fixed clock, so
// what the journeys see does not depend on the hour they run.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";

const repo = path.resolve(import.meta.dirname, "..", "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");

/** The binary the journeys run. */
export const binary = process.env.KITH_BIN ?? path.join(targetDir, "debug", "kith");

/** Monday 1 June 2026, 10:00 UTC: "now" for every journey. */
export const NOW = "2026-06-01T10:00:00Z";

/** The password of every account the journeys create. */
export const PASSWORD = "a quiet walk by the river";

/** The moderator every server starts with. */
export const MODERATOR = { handle: "warden", email: "warden@example.org" };

/**
 * Starts a fresh kith; answers its base URL and a way to stop it.
 * @returns {Promise<{url: string, stop: () => void}>}
 */
export async function startKith(options = {}) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run \`cargo build -p kith\` first (or set KITH_BIN)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), "kith-e2e-"));
  const env = {
    ...process.env,
    KITH_DATABASE_URL: `sqlite://${dir}/kith.db`,
    // No SMTP server: mail is written as .eml files here, for the journeys
    // to read as a person reads their mail.
    KITH_MAIL_DIR: path.join(dir, "outbox"),
    KITH_FIXED_NOW: NOW,
    RUST_LOG: "warn",
  };
  // The moderator is made as an operator would: password on standard input.
  const made = spawnSync(
    binary,
    ["admin", "create", "--handle", MODERATOR.handle, "--email", MODERATOR.email, "--role", "moderator"],
    { env, input: `${PASSWORD}\n`, encoding: "utf8" },
  );
  if (made.status !== 0) {
    throw new Error(`kith admin create failed: ${made.stderr}`);
  }
  // More staff (`[{handle, email, role}]`), made the same way.
  for (const person of options.staff ?? []) {
    const staff = spawnSync(
      binary,
      ["admin", "create", "--handle", person.handle, "--email", person.email, "--role", person.role],
      { env, input: `${PASSWORD}\n`, encoding: "utf8" },
    );
    if (staff.status !== 0) {
      throw new Error(`kith admin create failed: ${staff.stderr}`);
    }
  }
  // Rows no page writes (a journey's mailing-list subscribers), with
  // Debian's sqlite3 into the migrated database.
  if (options.sql) {
    const written = spawnSync("sqlite3", [`${dir}/kith.db`], { input: options.sql, encoding: "utf8" });
    if (written.status !== 0) {
      throw new Error(`sqlite3 failed: ${written.stderr}`);
    }
  }
  if (options.importFeed) {
    // Groups from another site's Meeting Guide feed, as an operator imports them.
    const imported = spawnSync(binary, ["import", "meeting-guide", "-"], {
      env,
      input: JSON.stringify(options.importFeed),
      encoding: "utf8",
    });
    if (imported.status !== 0) {
      throw new Error(`kith import failed: ${imported.stderr}`);
    }
  }
  const child = spawn(binary, ["serve", "--demo", "--addr", "127.0.0.1:0"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`kith exited with ${code}`)));
  });
  // Keep reading, so kith never writes into a full pipe.
  lines.on("line", () => {});
  const url = first.replace("kith is running at ", "").replace(/\/$/, "");
  if (!url.startsWith("http://127.0.0.1:")) {
    throw new Error(`unexpected first line: ${first}`);
  }
  return { url, mailDir: env.KITH_MAIL_DIR, stop: () => child.kill() };
}

/** Decodes a MIME part's body by its Content-Transfer-Encoding. */
function decodePart(headers, body) {
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === "base64") {
    return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  }
  if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/**
 * The mails kith wrote to `to` (newest last): subject and plain text.
 * Waits up to five seconds for at least `count` of them.
 * @returns {Promise<Array<{subject: string, text: string, raw: string}>>}
 */
export async function mailsTo(kith, to, count = 1) {
  const pattern = new RegExp(`^To: .*${to.replace(/[.+]/g, "\\$&")}`, "mi");
  for (let tries = 0; tries < 50; tries++) {
    const files = existsSync(kith.mailDir)
      ? readdirSync(kith.mailDir).filter((name) => name.endsWith(".eml"))
      : [];
    const mails = files
      .map((name) => path.join(kith.mailDir, name))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
      .map((file) => readFileSync(file, "utf8"))
      .filter((raw) => pattern.test(raw))
      .map((raw) => {
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? "";
        const plain = /(Content-Type: text\/plain[^]*?)\r?\n\r?\n([^]*?)\r?\n--/i.exec(raw);
        return { subject, text: plain ? decodePart(plain[1], plain[2]) : "", raw };
      });
    if (mails.length >= count) return mails;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${to} in ${kith.mailDir}`);
}

/** The path of the first link to `prefix` in a mail's text. */
export function linkIn(mail, prefix) {
  const match = new RegExp(`https?://[^/\\s]+(${prefix}[^\\s]*)`).exec(mail.text);
  if (!match) throw new Error(`no ${prefix} link in: ${mail.text}`);
  return match[1];
}

/** Logs `login` (a handle or an email) in through the form; lands on /me. */
export async function logIn(page, login, password = PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Handle or email").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/me$/);
}

/**
 * Registers `member` (`{handle, email}`) through the form, confirms the
 * address from the welcome mail and logs in; lands on /me.
 */
export async function registerConfirmed(page, kith, member) {
  await page.goto("/register");
  await page.getByLabel("Handle").fill(member.handle);
  await page.getByLabel("Email").fill(member.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/login\?registered=1/);
  const [welcome] = await mailsTo(kith, member.email);
  await page.goto(linkIn(welcome, "/verify-email/"));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await page.getByRole("heading", { level: 1, name: "Your email is confirmed" }).waitFor();
  await logIn(page, member.handle);
}

/**
 * Starts the logged-in member's journal with their password and says the
 * recovery code is saved; answers the code, shown that once.
 */
export async function startJournal(page) {
  await page.goto("/journal");
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Start my journal" }).click();
  await page.getByRole("heading", { level: 1, name: "Your recovery code" }).waitFor();
  const code = (await page.locator("#recovery-code").innerText()).trim();
  await page.getByRole("button", { name: "I have saved it" }).click();
  await page.waitForURL(/\/journal\?done=saved$/);
  return code;
}

/**
 * The moderator lists a video group about tapering and approves it at
 * once, so a journey has a listed group it hosts. `rule` is the weekly
 * meeting (`weekday` 0–6, Sunday 0; `start` HH:MM; `minutes`) in Berlin;
 * `more(page)` fills the rest of the form. Answers the group's path.
 */
export async function listAndApprove(page, name, rule, more) {
  await logIn(page, MODERATOR.handle);
  await page.goto("/groups/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Description").fill("We check in about tapering, one at a time.");
  await page.getByLabel("Tapering").check();
  await page.getByLabel("Video", { exact: true }).check();
  // Chosen by name: the place under its country, sent as Europe/Berlin.
  await page.getByLabel("The group's time zone").selectOption({ label: "Berlin" });
  await page.locator(`#f-rules-0-weekdays-${rule.weekday}`).check();
  await page.locator("#f-rules-0-start").fill(rule.start);
  await page.locator("#f-rules-0-duration_minutes").fill(String(rule.minutes));
  await more(page);
  await page.getByRole("button", { name: "Send for review" }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  const groupPath = new URL(page.url()).pathname;
  await page.goto("/moderation");
  await page
    .locator(".queue-item", { hasText: name })
    .getByRole("button", { name: `Approve ${name}`, exact: true })
    .click();
  await page.waitForURL(/\/moderation\?approved=/);
  return groupPath;
}
