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
    // Each change of a filter reloads the list in place (htmx) and updates the address.
    await page.selectOption('select[name=region]', '500101');
    await page.waitForURL(/region=500101/);
    await page.selectOption('select[name=status]', 'outside');
    await page.waitForURL(/status=outside/);
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
    // The policies evaluated on the registry, each opening to its conditions.
    assert((await page.textContent('#policies')).includes('政策享受'), 'policies heading');
    const policy = page.locator('ul.policies > li summary').first();
    const collapsed = page.locator('summary', { hasText: '不符合的政策' });
    if (await collapsed.count()) await collapsed.first().click();
    await policy.click();
    const conditions = await page.locator('ul.conditions').first().textContent();
    assert(/[✓✗?]/.test(conditions) && conditions.includes('号'), `conditions with citations: ${conditions}`);
    await page.screenshot({ path: join(shots, 'person.png'), fullPage: true });
  });

  await check('the policy library: search in Chinese, open a policy with its conditions', async () => {
    const personUrl = page.url();
    await page.goto(`${base}/policies`);
    await page.fill('#pq', '返乡 创业');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/\/policies\?q=/);
    const titles = await page.$$eval('ul.policy-list strong', (els) => els.map((e) => e.textContent));
    assert(titles.includes('返乡创业一次性创业补贴'), `search results: ${titles.join(',')}`);
    await page.screenshot({ path: join(shots, 'policies.png'), fullPage: true });
    await page.click('text=返乡创业一次性创业补贴');
    await page.waitForURL(/\/policies\/returnee-startup-subsidy$/);
    const main = await page.textContent('main');
    assert(main.includes('判定条件') && main.includes('参数及各版本'), 'conditions and parameters');
    await page.screenshot({ path: join(shots, 'policy.png'), fullPage: true });
    await page.goto(personUrl); // the next check starts on the person page
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

  await check('a what-if from a policy page shows beneficiaries and budget before and after a draft value', async () => {
    await page.goto(`${base}/policies/returnee-startup-subsidy`);
    await page.click('#what-if');
    await page.waitForURL(/\/policies\/returnee-startup-subsidy\/what-if$/);
    assert((await page.inputValue('#f-region')) === '50', 'an administrator starts on the whole city');
    await page.selectOption('#f-param', 'max_amount');
    await page.fill('#f-value', '12000元');
    await page.click('form.what-if-form button[type=submit]');
    await page.waitForSelector('#what-if-result');
    assert(/value=12000/.test(page.url()), `the what-if is a link: ${page.url()}`);
    const rows = await page.$$eval('table.what-if-summary tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert(rows.length === 2 && rows[0].includes('受益对象') && rows[1].includes('预算'), `summary: ${rows.join('|')}`);
    const evaluated = Number((await page.textContent('#what-if-result h2 small')).replace(/[^0-9]/g, ''));
    assert(evaluated > 2000, `the demo city was evaluated: ${evaluated}`);
    assert((await page.getAttribute('#what-if-result a.button', 'href')).includes('what-if.xlsx?'), 'Excel link');
    await page.screenshot({ path: join(shots, 'what-if.png'), fullPage: true });
    // A value of the wrong kind comes back with the reason next to the field.
    await page.fill('#f-value', '很多');
    await page.click('form.what-if-form button[type=submit]');
    await page.waitForSelector('#e-value');
    assert((await page.textContent('#e-value')).includes('应为金额'), 'reason next to the field');
    assert((await page.$$('#what-if-result')).length === 0, 'no result for a refused value');
    await page.screenshot({ path: join(shots, 'what-if-refused.png'), fullPage: true });
  });

  await check('the job board: a posting opens with its details, a Chinese search is explained', async () => {
    await page.goto(`${base}/jobs`);
    const open = await page.textContent('h1');
    assert(/在招岗位 [1-9]\d* 个/.test(open), `open postings counted: ${open}`);
    await Promise.all([page.waitForURL(/\/jobs\/\d+$/), page.locator('#results li a').first().click()]);
    assert((await page.textContent('.wage')).includes('元'), 'the posting shows its wage');
    await page.goto(`${base}/jobs`);
    await page.fill('#jq', '保洁 包吃住');
    await Promise.all([page.waitForURL(/\/jobs\?/), page.click('form[role=search] button[type=submit]')]);
    const understood = await page.textContent('#understood');
    assert(understood.includes('职业') && understood.includes('包吃住'), `the query is explained: ${understood}`);
    await page.screenshot({ path: join(shots, 'jobs-board.png') });
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

  await check('drilling down from district to town to village narrows the list', async () => {
    await page.goto(`${base}/registry?region=500101`);
    const count = async () => Number((await page.textContent('#total')).replace(/共|人.*$/g, '').replace(/[^0-9]/g, ''));
    const district = await count();
    const town = await page.$eval('select[name=town] option:nth-child(2)', (o) => o.value);
    await page.selectOption('select[name=town]', town);
    await page.waitForURL(new RegExp(`town=${town}`));
    await page.waitForSelector('select[name=village]');
    const inTown = await count();
    assert(inTown > 0 && inTown < district, `town ${inTown} < district ${district}`);
    assert((await page.textContent('h1 small')).includes('万州区'), 'the path is shown');
    await page.screenshot({ path: join(shots, 'registry-drill-down.png'), fullPage: true });
  });

  await check('exporting the current filter downloads an Excel file', async () => {
    await page.goto(`${base}/registry?region=500101&status=outside`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-link')]);
    const file = join(dir, 'export.xlsx');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert(bytes.length > 1000 && bytes.subarray(0, 2).toString() === 'PK', `an xlsx file, ${bytes.length} bytes`);
    assert(download.suggestedFilename().endsWith('.xlsx'), download.suggestedFilename());
  });

  function idNumber(address, birth, seq) {
    const body = `${address}${birth}${seq}`;
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0);
    return body + '10X98765432'[sum % 11];
  }
  const newcomer = idNumber('500101', '19710713', String(900 + Math.floor(Math.random() * 99)));

  await check('registering a person: a mistake is shown next to its field, then the person is registered', async () => {
    await page.goto(`${base}/registry`);
    await page.click('a[href="/registry/new"] >> nth=0');
    await page.waitForURL(/\/registry\/new$/);
    await page.fill('#f-name', '浏览器测试');
    await page.fill('#f-id_number', newcomer.slice(0, 17) + (newcomer[17] === '0' ? '1' : '0'));
    await page.fill('#f-hukou_region', '500101001001');
    await page.selectOption('#f-status', '失业');
    await page.click('form.person-form button[type=submit]');
    await page.waitForSelector('#e-id_number');
    assert((await page.textContent('#e-id_number')).includes('校验码'), 'the check character is named');
    assert((await page.inputValue('#f-name')) === '浏览器测试', 'what was typed is kept');
    await page.screenshot({ path: join(shots, 'person-new-refused.png'), fullPage: true });
    await page.fill('#f-id_number', newcomer);
    await page.click('form.person-form button[type=submit]');
    await page.waitForURL(/\/registry\/\d+\?saved=registered$/);
    assert((await page.textContent('.saved')).includes('已登记'), 'registered');
  });

  await check('editing a person: a validation error next to the field, then success on the timeline', async () => {
    await page.click('a[href$="/edit"]');
    await page.waitForURL(/\/edit$/);
    await page.fill('#f-phone', '12345');
    await page.click('form.person-form button[type=submit]');
    await page.waitForSelector('#e-phone');
    assert((await page.getAttribute('#f-phone', 'aria-invalid')) === 'true', 'the field is marked');
    assert((await page.textContent('#form-errors')).includes('联系电话'), 'listed at the top');
    await page.screenshot({ path: join(shots, 'person-edit-refused.png'), fullPage: true });
    await page.fill('#f-phone', '13600001234');
    await page.selectOption('#f-status', '市内就业');
    await page.fill('#f-work_region', '500101001');
    await page.click('form.person-form button[type=submit]');
    await page.waitForURL(/saved=\d+$/);
    assert((await page.textContent('#phone')).trim() === '136****1234', 'new phone, masked');
    const timeline = await page.textContent('ol.timeline');
    assert(timeline.includes('就业状态变更') && timeline.includes('信息变更'), `timeline: ${timeline}`);
    await page.screenshot({ path: join(shots, 'person-edited.png'), fullPage: true });
  });

  await check('uploading an import file with bad rows shows the summary and the rejects download', async () => {
    const header = '姓名,公民身份号码,联系电话,户籍地区划代码,现居住地区划代码,就业状态,就业地区划代码,务工省份,行业,职业,技能等级,期望月薪,人员类别,参保险种,登记失业日期,服务需求,家庭户编号';
    const good = `上传甲,${idNumber('500101', '19800101', '981')},,500101001001,,失业,,,,,,,,,,,`;
    const bad1 = `上传乙,${idNumber('500101', '19800102', '982')},,500101001001,,外出打工,,,,,,,,,,,`;
    const bad2 = `上传丙,500101198001031234,,500101001001,,失业,,,,,,,,,,,`;
    await page.goto(`${base}/registry/import`);
    await page.setInputFiles('#i-file', {
      name: '上传测试.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${good}\n${bad1}\n${bad2}\n`),
    });
    await page.click('form.upload button');
    await page.waitForSelector('#rejected');
    assert((await page.textContent('#inserted')).trim() === '1', 'one inserted');
    assert((await page.textContent('#rejected')).trim() === '2', 'two rejected');
    assert((await page.textContent('table.rejects')).includes('就业状态'), 'reasons shown');
    await page.screenshot({ path: join(shots, 'import-result.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#rejects-link')]);
    const file = join(dir, 'rejects.xlsx');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert(bytes.subarray(0, 2).toString() === 'PK', 'an xlsx file');
    assert(download.suggestedFilename().includes('错误行'), download.suggestedFilename());
  });

  await check('the person form is usable on a phone-sized screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/registry/new`);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 400, `no horizontal scrolling, width ${width}`);
    await phone.screenshot({ path: join(shots, 'person-new-phone.png'), fullPage: true });
    await phone.close();
  });

  await check('a 零工市场 station on a phone: staff post day work, a worker takes it and applies to a posting, staff confirm', async () => {
    // A registered employer (from an export) and a worker account bound to a registered person.
    const csv = join(dir, 'employers.csv');
    const ex = spawnSync(bin, ['--db', db, 'export', 'employers', '--out', csv], { encoding: 'utf8' });
    assert(ex.status === 0, `export employers: ${ex.stderr}`);
    const creditCode = readFileSync(csv, 'utf8').split('\n')[1].split(',')[0].replace(/^\uFEFF/, '');
    const people = await (await page.request.get(`${base}/api/v1/persons?page=1`)).json();
    const person = people.items[0];
    const add = spawnSync(bin, ['--db', db, 'user', 'add', '--username', 'gig-worker', '--role', 'worker',
      '--person', String(person.id), '--password-stdin'], { input: 'gig-worker-password\n', encoding: 'utf8' });
    assert(add.status === 0, `user add: ${add.stderr}`);

    const staff = await context.newPage();
    await staff.setViewportSize({ width: 390, height: 844 });
    await staff.goto(`${base}/stations`);
    await staff.fill('#s-name', '测试零工驿站');
    await staff.fill('#s-region', person.hukou_region.slice(0, 9));
    await staff.fill('#s-address', '场镇农贸市场旁');
    await staff.fill('#s-operator', '镇劳动保障所');
    await Promise.all([staff.waitForURL(/\/stations\/\d+$/), staff.click('form.person-form button[type=submit]')]);
    const stationUrl = staff.url();
    await staff.fill('#g-code', creditCode);
    await staff.fill('#g-title', '搬运装卸');
    await staff.fill('#g-wage', '200');
    await staff.fill('#g-n', '2');
    await Promise.all([staff.waitForURL(stationUrl), staff.click('form[action$="/jobs"] button[type=submit]')]);
    assert((await staff.textContent('#gigs')).includes('搬运装卸'), 'the day work is listed');
    const width = await staff.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 400, `no horizontal scrolling, width ${width}`);

    const workerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const w = await workerContext.newPage();
    w.setDefaultTimeout(10_000);
    await w.goto(`${base}/login`);
    await w.fill('input[name=username]', 'gig-worker');
    await w.fill('input[name=password]', 'gig-worker-password');
    await Promise.all([w.waitForNavigation(), w.click('form button')]);
    await w.goto(stationUrl);
    const take = w.locator('#gigs li', { hasText: '搬运装卸' }).getByRole('button', { name: '我要接单' });
    const box = await take.boundingBox();
    assert(box && box.height >= 40, `a thumb-sized button: ${JSON.stringify(box)}`);
    await Promise.all([w.waitForURL(/claimed=/), take.click()]);
    const gig = await w.locator('#gigs li', { hasText: '搬运装卸' }).textContent();
    assert(gig.includes('还差 1 人') && gig.includes('您已接单'), `one place taken, by this worker: ${gig}`);
    assert((await w.locator('#gigs li', { hasText: '搬运装卸' }).getByRole('button').count()) === 0, 'not offered twice');
    const wWidth = await w.evaluate(() => document.documentElement.scrollWidth);
    assert(wWidth <= 400, `no horizontal scrolling for the worker, width ${wWidth}`);
    await w.screenshot({ path: join(shots, 'station-phone-worker.png'), fullPage: true });

    // The worker applies to a posting found on the board; the page then says so.
    await w.goto(`${base}/jobs`);
    await Promise.all([w.waitForURL(/\/jobs\/\d+$/), w.locator('#results li a').first().click()]);
    await Promise.all([w.waitForNavigation(), w.getByRole('button', { name: '申请该岗位' }).click()]);
    assert((await w.textContent('.apply')).includes('已申请'), 'the application is recorded');
    assert((await w.getByRole('button', { name: '申请该岗位' }).count()) === 0, 'not twice');
    await workerContext.close();

    await staff.reload();
    await Promise.all([staff.waitForURL(stationUrl), staff.getByRole('button', { name: '确认完工' }).first().click()]);
    assert((await staff.textContent('table.list')).includes('已完工'), 'completion recorded');
    await staff.screenshot({ path: join(shots, 'station-phone-staff.png'), fullPage: true });
    await staff.close();
  });

  await check('a follow-up contact logged on a phone: from the work list to the person, recorded on the timeline', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/services`);
    const first = phone.locator('#work li a').first();
    const href = await first.getAttribute('href');
    const before = await phone.textContent('main');
    assert(/逾期|到期/.test(before), 'someone is due');
    await Promise.all([phone.waitForURL(/\/registry\/\d+/), first.click()]);
    await phone.selectOption('#c-channel', '上门走访');
    await phone.getByLabel('政策宣介').check();
    await phone.getByLabel('职业指导').check();
    await phone.selectOption('#c-outcome', '仍在求职');
    await phone.fill('#c-note', '想在镇上找仓管工作');
    const submit = phone.getByRole('button', { name: '记录跟踪联系' });
    const box = await submit.boundingBox();
    assert(box && box.height >= 40, `a thumb-sized button: ${JSON.stringify(box)}`);
    await Promise.all([phone.waitForURL(/saved=contact/), submit.click()]);
    const section = await phone.textContent('#contact');
    assert(section.includes('上门走访：政策宣介、职业指导；仍在求职（想在镇上找仓管工作）'), `recorded: ${section}`);
    assert((await phone.textContent('main')).includes('已记录跟踪联系'), 'confirmed');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 400, `no horizontal scrolling, width ${width}`);
    await phone.screenshot({ path: join(shots, 'follow-up-phone.png'), fullPage: true });
    // The person has left the list of those overdue or due.
    await phone.goto(`${base}/services`);
    assert((await phone.locator(`#work li a[href="${href}"]`).count()) === 0, `${href} is no longer due`);
    await phone.close();
  });

  await check('training, brokers, workshops, 公益性岗位, 返乡创业 and 劳务品牌: each page shows the demo records, without CSP errors', async () => {
    const errors = [];
    const p = await context.newPage();
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await p.goto(`${base}/training`);
    const courses = await p.textContent('#courses');
    assert(courses.includes('岗前培训班') && courses.includes('技能提升班'), `courses listed: ${courses.slice(0, 200)}`);
    await Promise.all([p.waitForURL(/\/training\/courses\/\d+/), p.locator('#courses a', { hasText: '第一期' }).first().click()]);
    assert((await p.textContent('#trainees')).includes('结业'), 'trainees completed');
    await p.goto(`${base}/training/rates`);
    assert((await p.textContent('#rates')).includes('职业技能培训学校'), 'the providers report');
    await p.goto(`${base}/training/shortage`);
    assert(/紧缺职业目录/.test(await p.textContent('h1')), 'the catalog page');
    await p.goto(`${base}/brokers`);
    await Promise.all([p.waitForURL(/\/brokers\/\d+/), p.locator('#brokers a').first().click()]);
    const placements = await p.textContent('#placements');
    assert(placements.includes('入职') && placements.includes('暂不能申请补助'), `placements with reasons: ${placements.slice(0, 200)}`);
    await p.goto(`${base}/workshops`);
    assert((await p.textContent('#workshops')).includes('电子产品代工'), 'the workshop');
    await p.goto(`${base}/public-posts`);
    assert((await p.textContent('#holders')).includes('乡村保洁员'), 'post holders with tenure');
    await p.goto(`${base}/startups/parks`);
    assert((await p.textContent('#parks')).includes('万州区返乡创业园'), 'the park');
    await p.goto(`${base}/brands`);
    await Promise.all([p.waitForURL(/\/brands\/\d+/), p.locator('#brands a', { hasText: '万州烤鱼师傅' }).click()]);
    const award = await p.textContent('#brand-policies');
    assert(award.includes('市级劳务品牌奖补') && award.includes('300000元'), `the brand's award: ${award}`);
    await p.goto(`${base}/services/difficulty`);
    assert((await p.textContent('main')).includes('已认定'), 'the recognised list');
    await p.screenshot({ path: join(shots, 'difficulty.png'), fullPage: true });
    assert(!errors.some((e) => /Content Security Policy/i.test(e)), `CSP errors: ${errors.join(' | ')}`);
    await p.close();
  });

  await check('欠薪预警: the district map drills down to a warning, whose handling is recorded, without CSP errors', async () => {
    const errors = [];
    const p = await context.newPage();
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await p.goto(`${base}/wages`);
    assert((await p.locator('#wage-map path.area').count()) === 38, 'all 38 districts drawn');
    const hot = p.locator('#wage-map a:has(path.lvl-red), #wage-map a:has(path.lvl-orange), #wage-map a:has(path.lvl-yellow)');
    assert((await hot.count()) > 0, 'the demo projects raised warnings in some district');
    await p.screenshot({ path: join(shots, 'wages-map.png'), fullPage: true });
    await Promise.all([p.waitForURL(/\/wages\?district=\d+/), hot.first().click()]);
    const rows = p.locator('#wage-warnings a[href^="/wages/warnings/"]');
    assert((await rows.count()) > 0, 'the district lists its warnings');
    await Promise.all([p.waitForURL(/\/wages\/warnings\/\d+/), rows.first().click()]);
    const body = await p.textContent('main');
    assert(body.includes('依据') && body.includes('罚则') && body.includes('发出预警'), 'article, penalty and log');
    await p.fill('#w-note', '已电话约谈施工总承包单位');
    await Promise.all([p.waitForURL(/saved=1/), p.click('#work-form button')]);
    assert((await p.textContent('#warning-log')).includes('已电话约谈施工总承包单位'), 'the work is in the log');
    await p.goto(`${base}/wages/projects`);
    assert((await p.locator('#wage-projects tbody tr').count()) >= 40, 'the demo projects');
    assert(!errors.some((e) => /Content Security Policy/i.test(e)), `CSP errors: ${errors.join(' | ')}`);
    await p.close();
  });

  await check('监测: the dashboard map drills down to a district on click, and a figure to its people, without CSP errors', async () => {
    const errors = [];
    const p = await context.newPage();
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(`${base}/monitoring`);
    await p.waitForSelector('#map[data-ready="1"]');
    const body = await p.textContent('main');
    assert(body.includes('四清') && body.includes('月度流动') && body.includes('目标进度'), 'the dashboard sections');
    assert((await p.locator('#status-table tbody tr').count()) === 38, 'a row per district');
    // The centre of 万州区 on the canvas, as ECharts projects it.
    const point = await p.evaluate(() => {
      const chart = echarts.getInstanceByDom(document.getElementById('map'));
      return chart.convertToPixel({ seriesIndex: 0 }, [108.380246, 30.807807]);
    });
    const box = await p.locator('#map').boundingBox();
    await p.screenshot({ path: join(shots, 'monitoring-city.png'), fullPage: true });
    await Promise.all([
      p.waitForURL(/\/monitoring\?region=500101$/),
      p.mouse.click(box.x + point[0], box.y + point[1]),
    ]);
    assert((await p.textContent('h1')).includes('万州区'), 'the district\'s dashboard');
    await p.waitForSelector('#map[data-ready="1"]');
    await p.screenshot({ path: join(shots, 'monitoring-district.png'), fullPage: true });
    const flows = await p.locator('#flows-table tbody tr').count();
    assert(flows === 24, `24 months of flows, got ${flows}`);
    // A figure drills down to its people: the district's first month with returns.
    const link = p.locator('#flows-table tbody tr td:nth-child(2) a').filter({ hasNotText: /^0$/ }).first();
    const shown = Number(await link.textContent());
    await Promise.all([p.waitForURL(/\/monitoring\/people\?/), link.click()]);
    const total = Number(await p.textContent('#figure-total'));
    assert(total === shown, `the list's figure ${total} is the dashboard's ${shown}`);
    const rows = await p.locator('#people tbody tr td a').count();
    assert(rows > 0 && rows <= 50, `people listed: ${rows}`);
    await p.screenshot({ path: join(shots, 'monitoring-people.png'), fullPage: true });
    assert(!errors.length, `console errors: ${errors.join(' | ')}`);
    await p.close();
  });

  await check('欠薪投诉 on a phone: a worker files a complaint and sees it on the fast track', async () => {
    const csv = join(dir, 'employers-2.csv');
    const ex = spawnSync(bin, ['--db', db, 'export', 'employers', '--out', csv], { encoding: 'utf8' });
    assert(ex.status === 0, `export employers: ${ex.stderr}`);
    const [creditCode, employerName] = readFileSync(csv, 'utf8').split('\n')[1].replace(/^\uFEFF/, '').split(',');
    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const w = await phoneContext.newPage();
    w.setDefaultTimeout(10_000);
    const errors = [];
    w.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await w.goto(`${base}/login`);
    await w.fill('input[name=username]', 'gig-worker');
    await w.fill('input[name=password]', 'gig-worker-password');
    await Promise.all([w.waitForNavigation(), w.click('form button')]);
    await w.goto(`${base}/wages/complain`);
    await w.fill('#m-name', '工友甲');
    await w.fill('#m-phone', '13912345678');
    await w.fill('#m-ename', employerName);
    await w.fill('#m-ecode', creditCode);
    await w.selectOption('#m-region', '500101');
    await w.fill('#m-amount', '8600');
    await w.fill('#m-desc', '十月、十一月工资未发');
    await Promise.all([w.waitForURL(/saved=1/), w.click('#complain-form button')]);
    const mine = await w.textContent('#my-complaints');
    assert(mine.includes('速裁中') && mine.includes('8600'), `the complaint is listed: ${mine}`);
    const width = await w.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 400, `no horizontal scrolling, width ${width}`);
    await w.screenshot({ path: join(shots, 'wage-complaint-phone.png'), fullPage: true });
    assert((await w.goto(`${base}/wages`)).status() === 404, 'a worker has no staff pages');
    assert(!errors.some((e) => /Content Security Policy/i.test(e)), `CSP errors: ${errors.join(' | ')}`);
    await phoneContext.close();
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
