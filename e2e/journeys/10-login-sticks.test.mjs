// Journey 10: a login that arrives with a session that ended meanwhile
// still logs the person in. One tab shows the login form; the person logs
// in from another tab of the same browser, and that session is ended from
// a second device; then they send the form of the first tab. kith must set
// exactly the new session, never the new one and then a deletion — a
// cookie jar keeps the last, which left the person logged out after a
// successful login.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launch, open, step } from "../lib/browser.mjs";
import { MODERATOR, PASSWORD, logIn, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

test("a login sent with an ended session's cookie logs the person in", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    // The first tab loads the form while nobody is logged in.
    const form = await open(browser, kith.url, { journey: "login-sticks" });
    await form.goto("/login");
    await form.getByLabel("Handle or email").fill(MODERATOR.handle);
    await form.getByLabel("Password", { exact: true }).fill(PASSWORD);

    // Another tab of the same browser logs in: the cookie now names a
    // session.
    const tab = await form.context().newPage();
    await logIn(tab, MODERATOR.handle);
    await tab.close();

    // A second device ends that session: the browser's cookie is stale.
    const other = await open(browser, kith.url, { journey: "login-sticks-other" });
    await logIn(other, MODERATOR.email);
    await other.goto("/me/sessions");
    const rows = other.locator("table.sessions tbody tr");
    assert.equal(await rows.count(), 2);
    const stale = rows.filter({ hasNotText: "This one" });
    await stale.getByRole("button", { name: /^End/ }).click();
    await other.waitForURL(/\/me\/sessions/);
    assert.equal(await other.locator("table.sessions tbody tr").count(), 1);

    // The first tab's form, sent now, logs the person in for good.
    const answer = form.waitForResponse(
      (r) => r.url().endsWith("/login") && r.request().method() === "POST",
    );
    await form.getByRole("button", { name: "Log in" }).click();
    const cookies = (await (await answer).headersArray()).filter(
      (h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith("kith_session="),
    );
    assert.equal(cookies.length, 1, JSON.stringify(cookies));
    await form.waitForURL(/\/me$/);
    await form.goto("/me");
    assert.match(form.url(), /\/me$/, "still logged in on the next page");
    await form.getByRole("button", { name: "Log out" }).waitFor();
    await step(form, "logged-in");
  } finally {
    await browser.close();
  }
});
