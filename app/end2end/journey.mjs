// The demo journey in a real browser, clicking as a person would: sign in with Chirp,
// post, read the teaching page, sign in with Chirp over OAuth 2.0 and see its token
// refreshed, link Warble, unlink Chirp, sign out, and refuse a sign-in. Saves a screenshot of each page in screenshots/ (git-ignored).
//
// Then the signature playground and debugger: a published example signed in the
// browser, one character changed and signed again without a request, a request with a
// known mistake diagnosed; and both pages once more with JavaScript off (the forms post
// to the site, which computes the same page).
//
// On every page of the site and of the provider it also runs axe-core (failing on any
// serious or critical violation) and checks the page at phone width (390 px: no
// horizontal scrolling), with a screenshot of that too.
//
//   SITE_URL=http://127.0.0.1:13000 CHIRP_URL=http://127.0.0.1:18001 node journey.mjs
//   README_SCREENSHOTS=1 ...   also writes the README's readme-playground.png and
//                              readme-debugger.png next to this file
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const site = (process.env.SITE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const chirp = (process.env.CHIRP_URL ?? 'http://127.0.0.1:8001').replace(/\/$/, '');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1000, height: 800 };
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const profileDir = mkdtempSync(join(tmpdir(), 'site-e2e-'));

const launchOptions = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
};
const browser = await chromium.launchPersistentContext(profileDir, { ...launchOptions, viewport: DESKTOP });
const page = browser.pages()[0] ?? await browser.newPage();
page.setDefaultTimeout(15000);
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
// Failed loads are reported by URL below; other console errors (panics) fail the test.
page.on('console', (m) => {
  if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
});
let wasmLoaded = false;
page.on('response', (r) => {
  if (r.url().endsWith('.wasm') && r.ok()) wasmLoaded = true;
  // The 404s of the deliberate unknown-remote visits are expected; nothing else (favicons included).
  if (r.status() >= 400 && !r.url().includes('/profile/nope') && !r.url().includes('/login/nope')) {
    problems.push(`${r.status()} ${r.url()}`);
  }
});

let n = 0;
async function step(name, body) {
  n += 1;
  const label = `${String(n).padStart(2, '0')}-${name}`;
  try {
    await body();
    await page.screenshot({ path: join(shots, `${label}.png`), fullPage: true });
    console.log(`ok   ${label}`);
  } catch (e) {
    await page.screenshot({ path: join(shots, `${label}-FAILED.png`), fullPage: true }).catch(() => {});
    console.error(`FAIL ${label}: ${e.message}`);
    await browser.close();
    process.exit(1);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// axe-core on the page as it is now; then the same page at phone width, screenshot
// included. Serious and critical violations fail the step.
const audited = [];
async function audit(name) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  await page.setViewportSize(PHONE);
  try {
    await page.waitForTimeout(50);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: join(shots, `phone-${name}.png`), fullPage: true });
    if (width > PHONE.width) report.push(`at ${PHONE.width} px the page is ${width} px wide (horizontal scrolling)`);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
  expect(report.length === 0, `${name} (${page.url()}):\n  ${report.join('\n  ')}`);
  audited.push(name);
}

async function signInAtProvider(decision) {
  // The provider's sign-in form appears unless this browser is signed in there already.
  await page.waitForSelector('#allow, #sign-in');
  if (await page.$('#sign-in')) {
    await page.fill('#screen_name', 'alice');
    await page.fill('#password', 'wonderland');
    await page.click('#sign-in');
  }
  await page.waitForSelector('#allow');
  await page.click(decision === 'allow' ? '#allow' : '#deny');
}

await step('home', async () => {
  await page.goto(`${site}/`);
  await page.waitForSelector('#sign-in-chirp');
  expect(await page.isVisible('#sign-in-warble'), 'a Warble button');
  await audit('site-home');
});

await step('hydrated', async () => {
  // Hydrated, the router follows links without loading a new document (this marker stays).
  await page.waitForLoadState('networkidle');
  expect(wasmLoaded, 'the site loaded its wasm');
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click('header nav a[href="/how-it-works"]');
  await page.waitForURL(`${site}/how-it-works`);
  await page.waitForSelector('main h1');
  expect(await page.evaluate(() => window.__sameDocument === true),
    'a link was followed without reloading the page (the page hydrated)');
  await page.goto(`${site}/`);
  await page.waitForSelector('#sign-in-chirp');
});

await step('chirp-consent', async () => {
  await page.click('#sign-in-chirp');
  await page.waitForSelector('#sign-in');
  await audit('provider-sign-in');
  await page.fill('#screen_name', 'alice');
  await page.fill('#password', 'wonderland');
  await page.click('#sign-in');
  await page.waitForSelector('#allow');
  await audit('provider-consent');
});

await step('chirp-profile', async () => {
  await page.click('#allow');
  await page.waitForURL(`${site}/profile/chirp`);
  await page.waitForSelector('#profile-name');
  await page.waitForLoadState('networkidle');
  expect(wasmLoaded, 'the site hydrated (its wasm loaded)');
  await audit('site-profile');
});

await step('chirp-posted', async () => {
  // Hydrated, the form posts by fetch: the page (and this marker) stays.
  await page.evaluate(() => { window.__sameDocument = true; });
  const text = `Hello from the browser test ${Date.now()}`;
  await page.fill('#status', text);
  await page.click('#post-status');
  await page.waitForSelector(`#timeline >> text=${text}`);
  expect(await page.evaluate(() => window.__sameDocument === true),
    'the post went by fetch without reloading the page (the page hydrated)');
});

await step('how-it-works', async () => {
  await page.goto(`${site}/how-it-works`);
  for (const id of ['request_token', 'authorize', 'callback', 'access_token', 'api_call']) {
    await page.waitForSelector(`#step-${id}`);
  }
  const body = await page.textContent('body');
  expect(!body.includes('chirp-demo-secret'), 'no consumer secret on the page');
  await audit('site-how-it-works');
});

await step('how-it-works-to-playground', async () => {
  // The signed API call of this very sign-in, opened in the playground: the same request,
  // nonce and timestamp give the same base string (the secrets are not carried over).
  const recorded = (await page.textContent('#step-api_call .recorded-base-string')).trim();
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click('#step-api_call .open-playground a');
  await page.waitForURL(/\/playground\?/);
  await page.waitForSelector('#base-string');
  const rebuilt = (await page.textContent('#base-string')).trim();
  expect(rebuilt === recorded, `the playground rebuilt the recorded base string:\n  ${rebuilt}\n  ${recorded}`);
  expect(await page.inputValue('#consumer_secret') === '', 'no secret carried over');
  expect(await page.evaluate(() => window.__sameDocument === true), 'opened without reloading (hydrated)');
});

await step('chirp2-profile', async () => {
  // The third way in: OAuth 2.0 with PKCE, at the same provider (already signed in there).
  await page.goto(`${site}/`);
  await page.click('#sign-in-chirp2');
  await signInAtProvider('allow');
  await page.waitForURL(`${site}/profile/chirp2`);
  await page.waitForSelector('#profile-name');
  await page.goto(`${site}/how-it-works`);
  for (const id of ['code_authorize', 'code_callback', 'code_token', 'bearer_call']) {
    await page.waitForSelector(`#step-${id}`);
  }
  const body = await page.textContent('body');
  expect(!body.includes('chirp-oauth2-secret'), 'no client secret on the page');
  expect(!(await page.$('#step-refresh')), 'no refresh yet');
});

await step('chirp2-refreshed', async () => {
  // The stack's Chirp issues access tokens for 70 s (OAUTH2_ACCESS_TOKEN_TTL_SECS in
  // .ci/e2e) and the site refreshes one that expires within 60 s: the profile keeps
  // working, and within seconds a visit refreshes the token, which the teaching page shows.
  const deadline = Date.now() + 40000;
  for (;;) {
    await page.goto(`${site}/profile/chirp2`);
    await page.waitForSelector('#profile-name');
    await page.goto(`${site}/how-it-works`);
    await page.waitForSelector('#step-code_token');
    if (await page.$('#step-refresh')) break;
    expect(Date.now() < deadline, 'the access token was refreshed within 40 s');
    await page.waitForTimeout(2000);
  }
  const body = await page.textContent('body');
  expect(body.includes('grant_type=refresh_token'), 'the refresh request is shown');
  expect(!body.includes('chirp-oauth2-secret'), 'no client secret on the page');
});

await step('warble-profile', async () => {
  await page.goto(`${site}/`);
  await page.click('#sign-in-warble');
  await signInAtProvider('allow');
  await page.waitForURL(`${site}/profile/warble`);
  await page.waitForSelector('#profile-name');
});

await step('accounts-unlinked', async () => {
  await page.goto(`${site}/accounts`);
  await page.waitForSelector('#unlink-chirp');
  await audit('site-accounts');
  await page.click('#unlink-chirp');
  await page.waitForURL(`${site}/accounts`);
  await page.waitForSelector('#unlink-warble');
  expect(!(await page.$('#unlink-chirp')), 'Chirp is unlinked');
});

await step('signed-out', async () => {
  await page.click('#sign-out');
  await page.waitForURL(`${site}/`);
  await page.waitForSelector('#sign-in-chirp');
  expect(!(await page.$('#greeting')), 'nobody is greeted');
});

await step('denied', async () => {
  await page.click('#sign-in-chirp');
  await signInAtProvider('deny');
  await page.waitForSelector('#denied');
  await audit('site-denied');
});

await step('unknown-remote', async () => {
  const response = await page.goto(`${site}/profile/nope`);
  expect(response.status() === 404, `status ${response.status()}`);
  await audit('site-not-found');
  const error = await page.goto(`${site}/login/nope`);
  expect(error.status() === 404, `status ${error.status()}`);
  await audit('site-error-page');
});

// The signature playground and debugger, hydrated: everything is computed in the
// browser, so typing makes no request at all.
const RFC_SIGNATURE = 'MdpQcU8iPSUjWoN/UDMsK2sui9I=';
// RFC 5849's photo request, as its client signed it (over http), sent over https.
const MISTAKEN_REQUEST = [
  'GET /photos?file=vacation.jpg&size=original HTTP/1.1',
  'Host: photos.example.net',
  'Authorization: OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", '
    + 'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", '
    + 'oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"',
  '',
  '',
].join('\r\n');
const readmeShots = process.env.README_SCREENSHOTS === '1';
let siteRequests = 0;
page.on('request', (r) => { if (r.url().startsWith(site)) siteRequests += 1; });

// A README picture: the part of the page from `selector` down, 1000 x 1200.
async function readmeShot(selector, file) {
  await page.setViewportSize({ width: DESKTOP.width, height: 1200 });
  try {
    await page.evaluate((s) => document.querySelector(s).scrollIntoView(), selector);
    await page.waitForTimeout(100);
    await page.screenshot({ path: new URL(`./${file}`, import.meta.url).pathname });
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

async function hydratedSigningPage(path) {
  await page.goto(`${site}${path}`);
  // The page says so once it runs in the browser (an effect, which only runs hydrated).
  await page.waitForSelector('#secrets-note:has-text("Running in your browser")');
}

await step('playground-rfc-preset', async () => {
  await hydratedSigningPage('/playground');
  await page.click('#preset-rfc5849-protected-resource');
  await page.waitForFunction((sig) => document.querySelector('#result-signature')?.textContent === sig, RFC_SIGNATURE);
  expect(page.url() === `${site}/playground`, 'the example was loaded in the page, not fetched');
  const verdict = await page.textContent('#preset-match');
  expect(verdict.includes('Matches the published signature') && verdict.includes(RFC_SIGNATURE), verdict);
  expect((await page.textContent('#signing-key')).includes('••••••••&••••••••'), 'the key is masked');
  await audit('site-playground');
});

await step('playground-live', async () => {
  await page.evaluate(() => { window.__sameDocument = true; });
  const before = siteRequests;
  const nonce = await page.inputValue('#nonce');
  await page.fill('#nonce', `${nonce.slice(0, -1)}X`);
  await page.waitForFunction((sig) => {
    const shown = document.querySelector('#result-signature')?.textContent;
    return shown && shown !== sig;
  }, RFC_SIGNATURE);
  expect((await page.textContent('#preset-match')).includes('Differs from the published signature'), 'no longer the published one');
  expect((await page.textContent('#base-string')).includes(`oauth_nonce%3D${nonce.slice(0, -1)}X`), 'the new nonce is signed');
  await page.click('#show-key');
  await page.waitForSelector('#signing-key:has-text("kd94hf93k423kf44&pfkkdhi9sl3r4s00")');
  await page.click('#fresh');
  await page.waitForFunction((n) => document.querySelector('#nonce').value !== n, `${nonce.slice(0, -1)}X`);
  expect(siteRequests === before, `no request while signing (${siteRequests - before} made)`);
  expect(await page.evaluate(() => window.__sameDocument === true), 'no page load');
  await page.click('#show-key');
  await page.click('#preset-twitter-statuses-update');
  await page.waitForSelector('#preset-match:has-text("Matches")');
  if (readmeShots) await readmeShot('#result', 'readme-playground.png');
});

// RSA-SHA1 (§3.4.3), signed in the browser with the private key of oauthlib's tests.
const RSA_SIGNATURE = '3/p38uARbzckLjITD5O7QtBRhvRuQsgM622bgUqVGhtbgPIeiDMKnwPS3IgAX46H6V5gGrmkAZHDnmBb0bIqNqgBEaEnHtKS5e0rfIY3F31pMNB2sOQ/0fXE6c3jCNy/Vv3QDPii1exQH4ydKXjg6cPt52kMxBspX8ROc92DnAk=';

await step('playground-rsa-sha1', async () => {
  const before = siteRequests;
  await page.click('#preset-rsa-sha1-normalization');
  await page.waitForFunction((sig) => document.querySelector('#result-signature')?.textContent === sig, RSA_SIGNATURE);
  expect((await page.textContent('#preset-match')).includes('Matches the published signature'), 'the RSA example matches');
  expect((await page.inputValue('#signature_method')) === 'RSA-SHA1', 'the method is RSA-SHA1');
  expect((await page.textContent('#signing-key')).includes('••••••••'), 'the private key is masked');
  expect(siteRequests === before, `no request while signing with RSA (${siteRequests - before} made)`);
});

await step('debugger-diagnosis', async () => {
  await hydratedSigningPage('/debugger');
  const before = siteRequests;
  await page.fill('#raw', MISTAKEN_REQUEST);
  await page.fill('#consumer_secret', 'kd94hf93k423kf44');
  await page.fill('#token_secret', 'pfkkdhi9sl3r4s00');
  await page.waitForSelector('#mistake-other_scheme');
  const found = await page.textContent('#mistake-other_scheme');
  expect(found.includes('another scheme') && found.includes('§3.4.1.2'), found);
  expect((await page.textContent('#verdict')).includes('does not match'), 'a mismatch');
  expect(siteRequests === before, 'diagnosed without a request');
  await audit('site-debugger');
  if (readmeShots) await readmeShot('#diagnosis', 'readme-debugger.png');
});

await step('signing-pages-without-javascript', async () => {
  const noJsBrowser = await chromium.launch(launchOptions);
  try {
    const context = await noJsBrowser.newContext({ javaScriptEnabled: false, viewport: DESKTOP });
    const plain = await context.newPage();
    plain.setDefaultTimeout(15000);
    await plain.goto(`${site}/playground?preset=rfc5849-protected-resource`);
    expect((await plain.textContent('#result-signature')) === RFC_SIGNATURE, 'rendered by the server');
    expect((await plain.textContent('#secrets-note')).includes('JavaScript is off'), 'says the form posts');
    await plain.fill('#nonce', 'changedNonce');
    const [posted] = await Promise.all([
      plain.waitForNavigation(),
      plain.click('#sign'),
    ]);
    expect(posted.status() === 200, `POST /playground: ${posted.status()}`);
    expect(posted.request().method() === 'POST', 'the form was posted');
    expect((await plain.textContent('#base-string')).includes('oauth_nonce%3DchangedNonce'), 'signed on the server');
    expect((await plain.textContent('#preset-match')).includes('Differs'), 'no longer the published one');
    await plain.screenshot({ path: join(shots, 'nojs-playground.png'), fullPage: true });

    await plain.goto(`${site}/debugger`);
    await plain.fill('#raw', MISTAKEN_REQUEST);
    await plain.fill('#consumer_secret', 'kd94hf93k423kf44');
    await plain.fill('#token_secret', 'pfkkdhi9sl3r4s00');
    const [diagnosed] = await Promise.all([plain.waitForNavigation(), plain.click('#diagnose')]);
    expect(diagnosed.status() === 200, `POST /debugger: ${diagnosed.status()}`);
    expect(await plain.isVisible('#mistake-other_scheme'), 'the mistake, found on the server');
    await plain.screenshot({ path: join(shots, 'nojs-debugger.png'), fullPage: true });
  } finally {
    await noJsBrowser.close();
  }
});

// The provider's own pages (this browser is still signed in at Chirp).
for (const [name, path, selector] of [
  ['provider-home', '/', 'main'],
  ['provider-connected-apps', '/settings/apps', 'main'],
  ['provider-developer-apps', '/developer/apps', 'main'],
]) {
  await step(name, async () => {
    const response = await page.goto(`${chirp}${path}`);
    expect(response.ok(), `${path}: status ${response.status()}`);
    await page.waitForSelector(selector);
    await audit(name);
  });
}

await step('provider-signed-out-pages', async () => {
  await browser.clearCookies();
  for (const [name, path] of [['provider-sign-up', '/signup'], ['provider-sign-in-page', '/login']]) {
    const response = await page.goto(`${chirp}${path}`);
    expect(response.ok(), `${path}: status ${response.status()}`);
    await page.waitForSelector('form');
    await audit(name);
  }
});

await browser.close();
rmSync(profileDir, { recursive: true, force: true });
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`browser journey: ${n} steps passed; axe-core (no serious or critical violation) and ${PHONE.width} px width on ${audited.length} pages: ${audited.join(', ')}; screenshots in app/end2end/screenshots/`);
