// Browser tests: builds a small demo database, serves it, and walks the registry
// journeys in Debian's headless chromium. Screenshots go to target/screenshots/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'target/debug/jiujin');
const shots = join(root, 'target/screenshots');
mkdirSync(shots, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'jiujin-browser-'));
const db = `sqlite://${join(dir, 'b.db')}`;

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${e.message}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitHealthy(base, server) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jiujin serve exited with ${server.exitCode}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy in 60 s');
}

const demo = spawnSync(bin, ['--db', db, 'demo', '--no-serve', '--workers', '3000', '--seed', '7'], {
  encoding: 'utf8',
});
if (demo.status !== 0) {
  console.error(demo.stdout, demo.stderr);
  process.exit(1);
}
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
let browser;
try {
  await waitHealthy(base, server);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const masked = /^\d{6}\*{8}\d{3}[\dX]$/;
  const [user, password] = readFileSync(join(dir, 'demo-login.txt'), 'utf8').trim().split('\n');

  await check('a visitor without a session is sent to the login page, and the API answers 401', async () => {
    await page.goto(`${base}/registry/1`);
    await page.waitForURL(/\/login\?next=/);
    const r = await fetch(`${base}/api/v1/persons`);
    assert(r.status === 401, `API status ${r.status}`);
  });

  await check('a wrong password is refused with a message', async () => {
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('form button');
    await page.waitForSelector('.error');
    assert((await page.textContent('.error')).includes('用户名或密码错误'), 'message');
    await page.screenshot({ path: join(shots, 'login-refused.png') });
  });

  await check('logging in leads back to the page asked for', async () => {
    await page.goto(`${base}/registry/1`);
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', password);
    await page.click('form button');
    await page.waitForURL(/\/registry\/1$/);
    assert((await page.textContent('header')).includes('admin'), 'user shown in the header');
  });

  await check('the registry list shows people with masked identity numbers', async () => {
    await page.goto(`${base}/registry`);
    assert((await page.textContent('h1')).includes('人员登记'), 'heading');
    const ids = await page.$$eval('table.list tbody td.mono:nth-child(2)', (els) => els.map((e) => e.textContent.trim()));
    assert(ids.length === 50, `50 rows on the first page, got ${ids.length}`);
    assert(ids.every((t) => masked.test(t)), `masked ids, got ${ids[0]}`);
    await page.screenshot({ path: join(shots, 'registry-list.png'), fullPage: true });
  });

  let firstName = '';
  await check('searching by name finds only matching people', async () => {
    firstName = (await page.textContent('table.list tbody tr td a')).trim();
    const prefix = firstName.slice(0, 2);
    await page.fill('input[name=q]', prefix);
    await page.click('form.filters button');
    await page.waitForURL(/q=/);
    const names = await page.$$eval('table.list tbody tr td:first-child a', (els) => els.map((e) => e.textContent.trim()));
    assert(names.length > 0, 'some results');
    assert(names.every((n) => n.startsWith(prefix)), `all start with ${prefix}: ${names.join(' ')}`);
    await page.screenshot({ path: join(shots, 'registry-search.png'), fullPage: true });
  });

  await check('filtering by district keeps the filter and shows a count', async () => {
    await page.goto(`${base}/registry`);
    await page.selectOption('select[name=region]', '500101');
    await page.selectOption('select[name=status]', 'outside');
    await page.click('form.filters button');
    await page.waitForURL(/region=500101/);
    assert((await page.inputValue('select[name=region]')) === '500101', 'district kept');
    const total = Number((await page.textContent('h1 small')).replace(/[^0-9]/g, ''));
    assert(total > 0 && total < 3000, `a subset, got ${total}`);
    const statuses = await page.$$eval('table.list tbody tr td:nth-child(6)', (els) => els.map((e) => e.textContent.trim()));
    assert(statuses.every((s) => s === '市外就业'), `status filter: ${statuses.join(',')}`);
  });

  await check('a person page shows the record and the timeline', async () => {
    await page.goto(`${base}/registry`);
    await page.click('table.list tbody tr td a');
    await page.waitForURL(/\/registry\/\d+$/);
    assert((await page.textContent('main')).includes('时间线'), 'timeline heading');
    assert((await page.$$('ol.timeline > li')).length >= 1, 'at least the registration event');
    assert((await page.textContent('ol.timeline')).includes('登记'), 'registration event');
    const id = (await page.textContent('dl.card dd.mono')).trim();
    assert(masked.test(id), `masked id on the person page: ${id}`);
    await page.screenshot({ path: join(shots, 'person.png'), fullPage: true });
  });

  await check('a full identity number is shown only with a reason', async () => {
    const url = page.url();
    assert(/\/registry\/\d+$/.test(url), `on a person page: ${url}`);
    await page.click('details.reveal summary');
    await page.fill('#reveal-reason', '核对');
    await page.click('form.reveal-form button');
    await page.waitForSelector('#reveal-error');
    assert((await page.textContent('#reveal-error')).includes('请填写查看事由'), 'the reason is asked for next to the field');
    assert(masked.test((await page.textContent('#id-number')).trim()), 'still masked');
    await page.screenshot({ path: join(shots, 'reveal-refused.png'), fullPage: true });
    await page.fill('#reveal-reason', '核对社保缴费信息');
    await page.click('form.reveal-form button');
    await page.waitForSelector('p.notice');
    const full = (await page.textContent('#id-number')).trim();
    assert(/^\d{17}[\dX]$/.test(full), `full number shown: ${full}`);
    await page.screenshot({ path: join(shots, 'reveal-shown.png'), fullPage: true });
  });

  await check('the API documentation renders its operations from the binary', async () => {
    const p = await context.newPage();
    const errors = [];
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await p.goto(`${base}/api/docs`);
    await p.waitForSelector('.opblock', { timeout: 15000 });
    const ops = await p.$$('.opblock');
    assert(ops.length >= 3, `operations shown: ${ops.length}`);
    assert(!errors.some((e) => /Content Security Policy/i.test(e)), `CSP errors: ${errors.join(' | ')}`);
    await p.screenshot({ path: join(shots, 'api-docs.png'), fullPage: true });
    await p.close();
  });

  await check('a malformed identity number in the search box gets a clear message', async () => {
    await page.goto(`${base}/registry?q=500101198001011231`);
    const err = await page.textContent('.error');
    assert(err && err.includes('校验码'), `message: ${err}`);
  });

  await check('the list is usable on a phone-sized screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/registry`);
    assert((await phone.$$('table.list tbody tr td a')).length === 50, 'the list is there');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 400, `no horizontal scrolling, width ${width}`);
    await phone.screenshot({ path: join(shots, 'registry-phone.png'), fullPage: false });
    await phone.close();
  });

  await check('the likely-duplicates queue lists pairs for review', async () => {
    await page.goto(`${base}/registry/duplicates`);
    assert((await page.textContent('h1')).includes('疑似重复'), 'heading');
    await page.screenshot({ path: join(shots, 'duplicates.png'), fullPage: true });
  });

  await check('the JSON API returns masked people', async () => {
    const r = await page.request.get(`${base}/api/v1/persons?page=1`);
    const j = await r.json();
    assert(j.total === 3000 || j.total > 2900, `total ${j.total}`);
    assert(j.items.every((p) => masked.test(p.id_number_masked)), 'masked');
    assert(!JSON.stringify(j).match(/\d{17}[\dX]/), 'no full identity number anywhere');
  });
  await check('logging out ends the session', async () => {
    await page.goto(`${base}/registry`);
    await page.click('form.logout button');
    await page.waitForURL(/\/login$/);
    const r = await page.request.get(`${base}/api/v1/persons`);
    assert(r.status() === 401, `after logout ${r.status()}`);
  });
} finally {
  if (browser) await browser.close();
  server.kill('SIGINT');
  rmSync(dir, { recursive: true, force: true });
}
if (failures) {
  console.log(`${failures} browser test(s) failed`);
  process.exit(1);
}
console.log(`browser tests passed; screenshots in ${shots}`);
