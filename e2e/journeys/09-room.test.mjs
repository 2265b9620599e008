// Journey 9: a live room with three browsers — the host facilitates, two
// members take turns in a check-in round and by raised hands; each change
// of turn reaches everyone and is announced in a live region; the room
// works by keyboard and passes the accessibility checks. A member who
// leaves the group from another tab is out of the room at once, and told;
// a host takes facilitation back after handing it over; in a round all see
// who comes next and someone just listening is passed by; removing someone
// asks once more.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { audit, launch, open, screenshot, step } from "../lib/browser.mjs";
import { PASSWORD, linkIn, listAndApprove, logIn, mailsTo, startKith } from "../lib/kith.mjs";

let kith;
before(async () => {
  kith = await startKith();
});
after(() => kith?.stop());

const NAME = "Monday Noon Circle";

/** The warden lists an open group meeting now (Monday 11:55 in Berlin). */
function listGroup(host) {
  return listAndApprove(host, NAME, { weekday: 1, start: "11:55", minutes: 60 }, async (page) => {
    await page.getByLabel(/Anyone joins at once/).check();
    await page.getByLabel("Call link", { exact: true }).fill("https://meet.example.org/noon");
  });
}

/** A member: registers, confirms by mail, joins the open group. */
async function member(browser, handle, groupPath) {
  const page = await open(browser, kith.url, { journey: `room-${handle}` });
  await page.goto("/register");
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Email").fill(`${handle}@example.org`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/login\?registered=1/);
  const [mail] = await mailsTo(kith, `${handle}@example.org`);
  await page.goto(linkIn(mail, "/verify-email/"));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await logIn(page, handle);
  await page.goto(`${groupPath}/join`);
  await page.getByRole("button", { name: "Join this group" }).click();
  await page.waitForURL(/\/requests\//);
  return page;
}

/** Opens the room from /me. */
async function enterRoom(page) {
  await page.goto("/me");
  await page.getByRole("link", { name: new RegExp(`^Meeting room ${NAME}`) }).first().click();
  await page.waitForURL(/\/meetings\/[0-9a-f]{32}\/room$/);
  await page.getByText("Connected.").waitFor();
}

const speaking = (page) => page.locator("#turn").innerText();

test("three people take turns in a live room", async (t) => {
  const browser = await launch(t);
  if (!browser) return;
  try {
    const host = await open(browser, kith.url, { journey: "room-host" });
    const groupPath = await listGroup(host);
    const ada = await member(browser, "ada_noon", groupPath);
    const bea = await member(browser, "bea_noon", groupPath);
    const beaRequest = new URL(bea.url()).pathname;

    await enterRoom(host);
    // Ada comes by the group's page: the meeting on now is at its top.
    await ada.goto(groupPath);
    const now = ada.locator(".meeting-now");
    assert.match(await now.innerText(), /The meeting is on now — late is fine\./);
    await audit(ada, NAME);
    await now.getByRole("link", { name: "Go to the room" }).click();
    await ada.waitForURL(/\/meetings\/[0-9a-f]{32}\/room$/);
    await ada.getByText("Connected.").waitFor();
    await enterRoom(bea);
    await audit(ada, `Meeting room: ${NAME}`);
    await audit(host, `Meeting room: ${NAME}`);
    for (const page of [host, ada, bea]) {
      await page.locator("#people li", { hasText: "bea_noon" }).waitFor();
    }

    // A check-in round, by keyboard: the facilitator starts it.
    await host.getByRole("button", { name: "Start a check-in round" }).focus();
    await host.keyboard.press("Enter");
    for (const page of [host, ada, bea]) {
      await page.locator("#turn", { hasText: "warden" }).waitFor();
    }
    // The live region says it, for screen readers.
    await ada.waitForFunction(() =>
      document.getElementById("announcer").textContent.includes("Now speaking: warden"),
    );
    await host.getByRole("button", { name: "Next person" }).click();
    await bea.locator("#turn", { hasText: "ada_noon" }).waitFor();
    assert.match(await ada.locator("#timer").innerText(), /^\d+:\d\d$/);
    await step(ada, "speaking");
    await ada.getByRole("button", { name: "I am done" }).click();
    await host.locator("#turn", { hasText: "bea_noon" }).waitFor();
    await bea.getByRole("button", { name: "Pass" }).click();
    await ada.locator("#turn", { hasText: "Nobody is speaking." }).waitFor();

    // Open sharing: Ada and Bea raise hands; the host calls the next.
    await host.getByRole("button", { name: "Open sharing" }).click();
    await ada.getByRole("button", { name: "Raise my hand" }).click();
    await bea.getByRole("button", { name: "Raise my hand" }).click();
    await host.locator("#queue li").nth(1).waitFor();
    await host.getByRole("button", { name: "Call the next hand" }).click();
    await ada.locator("#turn", { hasText: /ada_noon|bea_noon/ }).waitFor();
    await audit(bea, `Meeting room: ${NAME}`);

    // The facilitator sees speaking times, and hands facilitation to Ada.
    assert.match(await host.locator("#people").innerText(), /ada_noon — spoke \d+:\d\d/);
    assert.doesNotMatch(await ada.locator("#people").innerText(), /spoke/);
    await host.getByRole("button", { name: "Hand facilitation to ada_noon" }).click();
    await ada.getByRole("button", { name: "Start a check-in round" }).waitFor();
    assert.equal(await host.getByRole("button", { name: "Start a check-in round" }).isVisible(), false);
    await audit(ada, `Meeting room: ${NAME}`);
    // A host can always take it back.
    await host.getByRole("button", { name: "Take facilitation back" }).click();
    await host.getByRole("button", { name: "Start a check-in round" }).waitFor();
    await ada.getByRole("button", { name: "Start a check-in round" }).waitFor({ state: "hidden" });
    assert.equal(await ada.getByRole("button", { name: "Take facilitation back" }).isVisible(), false);
    await audit(host, `Meeting room: ${NAME}`);

    // In a round everyone sees who comes next; Bea is just listening
    // today, so the round passes her by.
    await bea.getByLabel("Just listening today: rounds pass me by").check();
    await host.locator("#people li", { hasText: "bea_noon (just listening)" }).waitFor();
    await host.getByRole("button", { name: "Start a check-in round" }).click();
    await ada.locator("#next-up", { hasText: "Next: ada_noon (you)" }).waitFor();
    await host.getByRole("button", { name: "Next person" }).click();
    await ada.locator("#next-up").waitFor({ state: "hidden" });
    assert.doesNotMatch(await ada.locator("#turn").innerText(), /bea_noon/);
    await bea.getByLabel("Just listening today: rounds pass me by").uncheck();
    await host.getByRole("button", { name: "End the round" }).click();
    await ada.locator("#next-up").waitFor({ state: "hidden" });

    // Removing someone asks once more, on the same button.
    await host.getByLabel("First name of someone without a device").fill("Mo");
    await host.getByRole("button", { name: "Add", exact: true }).click();
    await ada.locator("#people li", { hasText: "Mo" }).waitFor();
    await host.getByRole("button", { name: "Remove Mo" }).click();
    await host.getByRole("button", { name: "Yes, remove Mo" }).waitFor();
    assert.equal(await ada.locator("#people li", { hasText: "Mo" }).count(), 1, "not yet");
    await host.getByRole("button", { name: "Yes, remove Mo" }).click();
    await ada.locator("#people li", { hasText: "Mo" }).waitFor({ state: "detached" });

    // The side-channel.
    await bea.getByLabel("Write to the room").fill("Thank you all.");
    await bea.getByRole("button", { name: "Send" }).click();
    await host.locator("#chat li", { hasText: "bea_noon: Thank you all." }).waitFor();
    await step(host, "room");
    await screenshot(ada, "room");

    // Bea leaves the group in another tab: her room says she is no longer
    // in it, and stops reconnecting.
    const beaTab = await bea.context().newPage();
    await beaTab.goto(beaRequest);
    await beaTab.getByRole("button", { name: "Leave this group" }).click();
    // Leaving asks first.
    await beaTab.getByRole("button", { name: "Yes, leave the group" }).click();
    await bea.locator("#room-status", { hasText: "You are no longer in this room." }).waitFor();
    // Told kindly, with where to go next.
    await bea.getByRole("heading", { name: "You are no longer in this room." }).waitFor();
    await bea.getByRole("link", { name: /the crisis page lists lines that are peer-run/ }).waitFor();
    await bea.getByRole("link", { name: /The group's page says where you stand/ }).waitFor();
    await ada.getByLabel("Write to the room").fill("Bye, Bea.");
    await ada.getByRole("button", { name: "Send" }).click();
    await host.locator("#chat li", { hasText: "ada_noon: Bye, Bea." }).waitFor();
    assert.equal(await bea.locator("#chat li", { hasText: "Bye, Bea." }).count(), 0);
    await audit(bea, `Meeting room: ${NAME}`);
  } finally {
    await browser.close();
  }
});
