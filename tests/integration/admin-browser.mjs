// The admin UI in a real browser (headless chromium via playwright-core),
// driven by admin-browser.sh in two phases:
//
//   enrol:  log in as the admin (password + a code from oathtool), add a
//           user, put it in a group, enrol its one-time code (the secret
//           read from the page, the QR code decoded with zbarimg, the first
//           code from oathtool); prints USER_SECRET=... for the shell.
//   revoke: with the same browser session, find the user's live session
//           and revoke it; look at the dashboard and the audit log.
//   logout: see the user disabled (by the shell, with curl), log out.
//
// Every page is saved as a screenshot in ARTIFACTS. Checks print TAP lines
// ("ok N - ..."); the shell counts them. Environment: URL, ADMIN_USER,
// ADMIN_PASSWORD, ADMIN_SECRET, NEW_USER, NEW_PASSWORD, GROUP, ARTIFACTS,
// PW_DIR (where playwright-core is installed), USER_SECRET (revoke).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const env = process.env;
const require = createRequire(env.PW_DIR + '/node_modules/');
const { chromium } = require('playwright-core');
const phase = process.argv[2];
const state = `${env.ARTIFACTS}/browser-state.json`;
let n = 0, fails = 0;

function check(ok, what) {
	n++;
	if (!ok)
		fails++;
	console.log(`${ok ? 'ok' : 'not ok'} ${n} - ${what}`);
}

function totp(secret) {
	return execFileSync('oathtool', ['--totp', '-b', secret]).toString().trim();
}

async function shot(page, name) {
	await page.screenshot({ path: `${env.ARTIFACTS}/${name}.png`, fullPage: true });
}

async function notice(page) {
	const el = page.locator('.notice, .alert').first();
	return (await el.count()) ? (await el.textContent()).trim() : '';
}

async function login(page) {
	await page.goto(env.URL + '/');
	check(page.url() === env.URL + '/login', 'without a session the portal sends the browser to /login');
	await shot(page, '01-login');
	await page.fill('#user', env.ADMIN_USER);
	await page.fill('#password', env.ADMIN_PASSWORD);
	await page.fill('#otp', totp(env.ADMIN_SECRET));
	await page.click('button[type=submit]');
	check(page.url() === env.URL + '/', 'the admin logs in with password and one-time code');
	check(await page.locator('header .who').textContent() === env.ADMIN_USER,
	      'the header names the logged-in admin');
	await shot(page, '02-dashboard');
}

async function enrol(page) {
	await page.goto(env.URL + '/users');
	await page.fill('#new-name', env.NEW_USER);
	await page.fill('#new-password', env.NEW_PASSWORD);
	await page.click('form[action="/users"] button:has-text("Add user")');
	check((await notice(page)).includes(`User ${env.NEW_USER} added`), `user ${env.NEW_USER} is added`);
	await page.selectOption('#group', env.GROUP);
	await page.click('button[value="group-add"]');
	check(await page.locator(`li a:has-text("${env.GROUP}")`).count() === 1,
	      `${env.NEW_USER} is now in group ${env.GROUP}`);
	await shot(page, '04-user');
	await page.click('#enrol');
	const secret = (await page.locator('#otp-secret').textContent()).trim();
	const uri = (await page.locator('#otp-uri').textContent()).trim();
	check(/^[A-Z2-7]{32}$/.test(secret), 'the enrolment page shows a base32 secret');
	check(uri.startsWith(`otpauth://totp/`) && uri.includes(`secret=${secret}&`),
	      'and the otpauth:// URI carrying it');
	await shot(page, '05-otp-enrol');
	const qr = `${env.ARTIFACTS}/qr.png`;
	await page.locator('svg.qr').screenshot({ path: qr });
	let decoded = '';
	try {
		decoded = execFileSync('zbarimg', ['--raw', '-q', qr]).toString().trim();
	} catch (e) {
		decoded = `zbarimg failed: ${e.message}`;
	}
	check(decoded === uri, 'the QR code on the page decodes (zbarimg) to the same URI');
	// In a second tab: the enrolment page stays as it is (it was a POST, never cached).
	const other = await page.context().newPage();
	await other.goto(env.URL + `/user?name=${env.NEW_USER}`);
	check((await other.locator('#otp-state').textContent()).trim() === 'pending',
	      'until a code is verified the new secret is only pending');
	await other.close();
	await page.fill('#code', totp(secret));
	await page.click('form[action="/otp/verify"] button');
	check((await notice(page)).includes('is now active'), 'the first code from oathtool activates it');
	await shot(page, '06-otp-active');
	await page.goto(env.URL + '/users');
	await shot(page, '03-users');
	await page.goto(env.URL + '/groups');
	await shot(page, '07-groups');
	return secret;
}

async function revoke(page) {
	await page.goto(env.URL + '/sessions');
	check(page.url() === env.URL + '/sessions', 'the saved browser session is still logged in');
	const row = page.locator('tbody tr', { hasText: env.NEW_USER });
	check(await row.count() === 1, `the live session of ${env.NEW_USER} is listed`);
	const cells = (await row.locator('td').allTextContents()).map(s => s.trim());
	check(/^100\.64\.|^10\.|^172\.|^192\.168\./.test(cells[1]) || cells[1].includes('/'),
	      `with its tunnel address (${cells[1]})`);
	check(cells[4] !== '-' && cells[5] !== '0 B', `a handshake (${cells[4]}) and bytes (${cells[5]})`);
	await shot(page, '08-sessions');
	await row.locator('button:has-text("Revoke")').click();
	check((await notice(page)).includes('revoked'), 'the revoke button says the session is revoked');
	check(await page.locator('tbody tr', { hasText: env.NEW_USER }).count() === 0,
	      'and it is gone from the list');
	await shot(page, '09-revoked');
	await page.goto(env.URL + '/');
	check(Number(await page.locator('#live-sessions').textContent()) === 0,
	      'the dashboard counts no live peers');
	await page.goto(env.URL + `/audit?user=${env.NEW_USER}&event=admin.`);
	const events = (await page.locator('tbody td:nth-child(3)').allTextContents()).map(s => s.trim());
	for (const e of ['admin.user.add.ok', 'admin.otp.enrol.ok', 'admin.otp.verify.ok',
			 'admin.session.revoke.ok'])
		check(events.includes(e), `the audit log, filtered to ${env.NEW_USER}, has ${e}`);
	check(events.every(e => e.startsWith('admin.')), 'the event filter keeps only admin events');
	await shot(page, '10-audit');
	// The script put in 60 entries for `pager': 50 a page, newest first.
	const buttons = async () => [await page.locator('button:has-text("Newer")').count(),
				      await page.locator('button:has-text("Older")').count()].join();
	const details = async () => (await page.locator('tbody td:nth-child(6)').allTextContents())
		.map(s => s.trim());
	await page.goto(env.URL + '/audit?user=pager');
	let d = await details();
	check(d.length === 50 && d[0] === 'fill 60' && d[49] === 'fill 11',
	      `page 1 of the audit log: the newest 50 (${d[0]} .. ${d[d.length - 1]})`);
	check(await buttons() === '0,1', 'page 1 offers only Older');
	await page.locator('button:has-text("Older")').click();
	d = await details();
	check(d.length === 10 && d[0] === 'fill 10' && d[9] === 'fill 1',
	      `page 2: the other 10 (${d[0]} .. ${d[d.length - 1]})`);
	check(await buttons() === '1,0', 'page 2 offers only Newer');
	check(page.url().includes('user=pager') && page.url().includes('page=2'),
	      'the filter is kept across pages');
}

async function logout(page) {
	await page.goto(env.URL + `/user?name=${env.NEW_USER}`);
	check(await page.locator('dd', { hasText: 'disabled' }).count() === 1,
	      `the user page shows ${env.NEW_USER} disabled (at ${page.url()})`);
	await shot(page, '11-user-disabled');
	await page.click('button.link:has-text("Log out")');
	check(page.url() === env.URL + '/login', 'logging out goes back to the login page');
	await page.goto(env.URL + '/users');
	check(page.url() === env.URL + '/login', 'and the old session no longer opens pages');
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
	const context = await browser.newContext({
		ignoreHTTPSErrors: true,	// the gateway's own certificate; curl pins it in the shell
		viewport: { width: 1200, height: 800 },
		...(phase !== 'enrol' ? { storageState: state } : {}),
	});
	const page = await context.newPage();
	// Generous: under the sanitizers each login costs an argon2id verify at
	// ASan speed; WAIT_FACTOR (KGW_WAIT_FACTOR in the shell) for valgrind.
	page.setDefaultTimeout(30000 * Number(process.env.WAIT_FACTOR || 1));
	const scriptErrors = [];
	page.on('console', m => { if (m.type() === 'error') scriptErrors.push(m.text()); });
	if (phase === 'enrol') {
		await login(page);
		const secret = await enrol(page);
		await context.storageState({ path: state });
		writeFileSync(`${env.ARTIFACTS}/user-secret`, secret + '\n', { mode: 0o600 });
	} else if (phase === 'revoke') {
		await revoke(page);
	} else {
		await logout(page);
	}
	check(scriptErrors.length === 0, `no console errors (CSP violations) on any page${scriptErrors.length ? ': ' + scriptErrors[0] : ''}`);
} catch (e) {
	check(false, `the ${phase} phase ran to the end: ${e.message.split('\n')[0]}`);
} finally {
	await browser.close();
}
console.log(`# ${phase}: ${n - fails} passed, ${fails} failed`);
process.exit(fails ? 1 : 0);
