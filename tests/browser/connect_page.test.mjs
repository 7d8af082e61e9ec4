// The connect page in Debian's headless chromium, against the real service and the
// mock providers (each with its consent page): connect Notion and land back with the
// workspace listed; refuse at Google's consent page and see why; disconnect and see it
// gone. No provider token ever reaches the browser. A failing step leaves a screenshot
// in OAUTH_TEST_ARTIFACTS.
//
// Run by ctest: node --test connect_page.test.mjs, with OAUTH_TEST_SERVICE_BINARY and
// OAUTH_TEST_MOCK_SERVER_BINARY naming the programs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const serviceBinary = process.env.OAUTH_TEST_SERVICE_BINARY;
const mockBinary = process.env.OAUTH_TEST_MOCK_SERVER_BINARY;
const artifacts = process.env.OAUTH_TEST_ARTIFACTS ?? join(tmpdir(), "oauth-browser-artifacts");
const browserPath = process.env.OAUTH_TEST_CHROMIUM ?? "/usr/bin/chromium";

// Provider tokens as the mocks make them: Google's ya29., the others' at- and rt-.
const providerToken = /ya29\.[A-Za-z0-9_-]{8}|\b(at|rt)-[A-Za-z0-9_-]{16}/;

const dir = mkdtempSync(join(tmpdir(), "oauth-browser-"));
const children = [];
let browser, page, base, bearer, env;
const seen = [];  // every body the browser received from the service

function firstLine(child) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before its first line`)));
  });
}

async function waitForListening(logFile) {
  for (let i = 0; i < 400; i++) {
    if (existsSync(logFile)) {
      for (const line of readFileSync(logFile, "utf8").split("\n").filter(Boolean)) {
        const entry = JSON.parse(line);
        if (entry.event === "listening") return entry;
        if (entry.event === "start_failed") throw new Error(entry.reason);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the service did not start");
}

before(async () => {
  assert.ok(serviceBinary && mockBinary, "OAUTH_TEST_SERVICE_BINARY and OAUTH_TEST_MOCK_SERVER_BINARY must be set");
  const envFile = join(dir, "mocks.env");
  const mocks = spawn(mockBinary, ["--env-file", envFile], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(mocks);
  await firstLine(mocks);

  env = {
    PATH: "/usr/bin:/bin",
    OAUTH_DEVELOPMENT: "1",  // the mocks speak plain HTTP on loopback
    OAUTH_SERVICE_PORT: "0",
    OAUTH_JWT_SECRET: "browser-test-bearer-secret-0123456789",
    OAUTH_ENCRYPTION_KEY: "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
    OAUTH_STORE_URL: `sqlite:${join(dir, "tokens.db")}`,
    OAUTH_ACCESS_LOG: join(dir, "access.log"),
  };
  for (const line of readFileSync(envFile, "utf8").split("\n").filter(Boolean)) {
    const at = line.indexOf("=");
    env[line.slice(0, at)] = line.slice(at + 1);
  }
  children.push(spawn(serviceBinary, [], { env, stdio: ["ignore", "inherit", "inherit"] }));
  const listening = await waitForListening(env.OAUTH_ACCESS_LOG);
  base = listening.public_url;
  bearer = execFileSync(serviceBinary, ["--dev-token", "acme", "ada"], { env }).toString().trim();

  browser = await chromium.launch({
    executablePath: browserPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  page.on("response", async (response) => {
    if (!response.url().startsWith(base)) return;
    try { seen.push({ url: response.url(), body: await response.text() }); } catch { /* a redirect has no body */ }
  });
});

after(async () => {
  await browser?.close();
  for (const child of children.reverse()) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/// Runs a step; when it fails, the page as it was goes to the artifacts folder.
async function step(name, body) {
  try {
    await body();
  } catch (error) {
    mkdirSync(artifacts, { recursive: true });
    const file = join(artifacts, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    error.message += ` (screenshot: ${file})`;
    throw error;
  }
}

test("a token from a link is used once the person says it names them, and the page says who", () =>
  step("confirm", async () => {
    await page.goto(`${base}/connect#token=${bearer}`);
    assert.equal(new URL(page.url()).hash, "", "the bearer token is taken out of the address bar");
    await page.getByText("Is this you?").waitFor();
    assert.equal(await page.getByTestId("link-who").textContent(), "ada (acme)");
    assert.equal(await page.getByTestId("connect-notion").count(), 0, "nothing can be connected before the answer");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Signed in as").waitFor();
    assert.equal(await page.getByTestId("who").textContent(), "ada (acme)");
  }));

test("the page lists nothing before anything is connected", () =>
  step("empty", async () => {
    await page.goto(`${base}/connect`);
    await page.getByText("Nothing is connected yet.").waitFor();
    for (const name of ["google", "microsoft", "notion", "youtube"])
      await page.getByTestId(`connect-${name}`).waitFor();
    // Google offers a choice of scopes; Notion has none to choose.
    assert.ok(await page.getByTestId("provider-google").locator("input[type=checkbox]").count() > 3);
    assert.equal(await page.getByTestId("provider-notion").locator("input[type=checkbox]").count(), 0);
  }));

test("connecting Notion: approve on its consent page, land back with the workspace listed", () =>
  step("connect-notion", async () => {
    await page.getByTestId("connect-notion").click();
    await page.waitForURL(/\/v1\/oauth\/authorize/);
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(`${base}/connect`);
    await page.getByText("Connected notion.").waitFor();
    const row = page.getByTestId("integration").filter({ hasText: "notion" });
    await row.waitFor();
    assert.equal(await row.getByTestId("account").textContent(), "Analytical Engines");
    assert.match(await row.textContent(), /active/);
  }));

test("refusing at Google's consent page shows the error and connects nothing", () =>
  step("refuse-google", async () => {
    const box = page.getByTestId("provider-google").locator("input[type=checkbox]").first();
    await box.check();
    const chosen = await box.getAttribute("value");
    await page.getByTestId("connect-google").click();
    await page.waitForURL(/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth|\/auth\?/);
    assert.match(decodeURIComponent(page.url()), new RegExp(chosen.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForURL(`${base}/connect`);
    await page.getByText("Access to your google account was not granted.").waitFor();
    assert.equal(await page.getByTestId("integration").count(), 1);
  }));

test("disconnecting Notion removes it from the page", () =>
  step("disconnect-notion", async () => {
    await page.getByTestId("disconnect-notion").click();
    await page.getByText(/Disconnected notion/).waitFor();
    await page.getByText("Nothing is connected yet.").waitFor();
    assert.equal(await page.getByTestId("integration").count(), 0);
  }));

test("a link made for someone else is refused by the person it was sent to", () =>
  step("foreign-link", async () => {
    const mallory = execFileSync(serviceBinary, ["--dev-token", "acme", "mallory"], { env }).toString().trim();
    await page.goto(`${base}/connect#token=${mallory}`);
    await page.getByText("Is this you?").waitFor();
    assert.equal(await page.getByTestId("link-who").textContent(), "mallory (acme)");
    await page.getByRole("button", { name: "This is not me" }).click();
    await page.getByText("Signed in as").waitFor();
    assert.equal(await page.getByTestId("who").textContent(), "ada (acme)", "the page stays with its own user");
    const stored = await page.evaluate(() => sessionStorage.getItem("oauth_service_token"));
    assert.notEqual(stored, mallory);
  }));

test("the outcome in the address bar is shown in the page's own words only", () =>
  step("outcome-words", async () => {
    const forged = "Your account is locked. Call +1 555 0100 now";
    await page.goto(`${base}/connect?provider=google&error=GOOGLE_ACCESS_DENIED&message=${encodeURIComponent(forged)}`);
    await page.getByText("Access to your google account was not granted.").waitFor();
    assert.ok(!(await page.content()).includes(forged));
    await page.goto(`${base}/connect?provider=google&error=${encodeURIComponent(forged)}&message=${encodeURIComponent(forged)}`);
    await page.getByText("Connecting an account failed. Please try again.").waitFor();
    assert.ok(!(await page.content()).includes(forged));
    await page.goto(`${base}/connect?provider=${encodeURIComponent("<img src=x onerror=alert(1)>")}&connected=1`);
    await page.getByText("Signed in as").waitFor();
    assert.equal(await page.locator("img").count(), 0);
  }));

test("no provider token reached the browser", () =>
  step("no-token", async () => {
    assert.ok(seen.length > 8, `the service's answers were recorded (${seen.length})`);
    for (const { url, body } of seen) assert.doesNotMatch(body, providerToken, url);
    const storage = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }) + document.cookie);
    assert.doesNotMatch(storage, providerToken);
    const log = readFileSync(join(dir, "access.log"), "utf8");
    assert.doesNotMatch(log, providerToken);
    assert.ok(!log.includes(bearer), "the bearer token is not logged");
  }));
