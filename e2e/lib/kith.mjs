// Starts kith — the debug binary `cargo build -p kith` makes — on a free
// port, with its own SQLite database, the demo groups and a fixed clock, so
// what the journeys see does not depend on the hour they run.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
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
  return { url, stop: () => child.kill() };
}
