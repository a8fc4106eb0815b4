// A union of its own for a browser test, made as a union's operator makes one: kennin-admin
// against the running kennin-local (the union, its roster and dependents, an open campaign, its
// staff), the invitation mail's link, and the authenticator's codes (RFC 6238, as the apps
// compute them from the key on the enrolment page). The demo union's people belong to the tests
// that use them.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { baseUrl, call, mailTo, newPage, uniqueUserId } from './harness.mjs';

const BASE = baseUrl();

/** kennin-admin against the running kennin-local's data folder; its standard output. */
export async function admin(...args) {
  const bin = process.env.KENNIN_ADMIN_BIN;
  const dataDir = process.env.KENNIN_DATA_DIR;
  assert.ok(bin && dataDir, 'KENNIN_ADMIN_BIN and KENNIN_DATA_DIR are set by scripts/browser-tests.sh');
  // The embedded store, whatever DynamoDB settings the caller's environment has.
  const { KENNIN_TABLE, KENNIN_DYNAMODB_ENDPOINT, ...env } = process.env;
  const { stdout } = await promisify(execFile)(bin, ['--data-dir', dataDir, ...args], { env });
  return stdout;
}

/** YYYY-MM-DD of a day `offset` days from today, Japan time. */
export function japanDay(offset = 0) {
  return new Date(Date.now() + 9 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The union `code`, its roster and dependents (CSV rows after the header, in kennin-admin's
 * columns) and this year's campaign, open since yesterday for 30 days.
 */
export async function unionWithCampaign({ code, name, roster, dependents }) {
  const year = japanDay().slice(0, 4);
  const folder = await mkdtemp(path.join(tmpdir(), 'kennin-union-'));
  const rosterFile = path.join(folder, 'roster.csv');
  const dependentsFile = path.join(folder, 'dependents.csv');
  await writeFile(rosterFile, `symbol,number,birth_date,name_kana,name\n${roster.join('\n')}\n`);
  await writeFile(
    dependentsFile,
    `symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n${dependents.join('\n')}\n`,
  );
  await admin('insurer', 'put', '--code', code, '--name', name);
  await admin('roster', 'import', '--insurer', code, '--year', year, rosterFile);
  await admin('dependents', 'import', '--insurer', code, '--year', year, dependentsFile);
  await admin(
    'campaign', 'put', '--insurer', code, '--year', year, '--title', `${year}年度 被扶養者資格調査`,
    '--opens', `${japanDay(-1)}T09:00`, '--due', japanDay(30), '--reference-date', `${year}-04-01`,
    '--reminders', '7,1',
  );
  await admin('campaign', 'publish', '--insurer', code, '--year', year);
}

/** The invitation link in the newest mail to `to` (the token is the address's fragment). */
export async function invitationLink(to) {
  for (let tries = 0; tries < 50; tries += 1) {
    for (const message of await mailTo(BASE, to)) {
      const match = /https?:\/\/\S+?(\/admin\/invitation#[A-Za-z0-9_-]+)/.exec(message.text);
      if (match) return `${BASE}${match[1]}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no invitation mailed to ${to}`);
}

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const value = alphabet.indexOf(c);
    assert.ok(value >= 0, `not base32: ${c}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let at = 0; at + 8 <= bits.length; at += 8) bytes.push(parseInt(bits.slice(at, at + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code of `secret` for the 30-second step `step`. */
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

export const currentStep = () => Math.floor(Date.now() / 30_000);

/** A code of a step no code was used in yet (a code works once): waits for the next step. */
export async function freshCode(state) {
  while (currentStep() <= state.lastStep) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  state.lastStep = currentStep();
  return totp(state.secret, state.lastStep);
}

/**
 * A member of `union`'s staff with `role`, invited by kennin-admin, enrolled and signed in
 * through the API (the invitation's pages are the console test's reviewer's): their page, at
 * sign-in.
 */
export async function memberSignedIn(browser, { union, role, name, password, viewport }) {
  const email = `${uniqueUserId(role)}@example.com`;
  await admin('staff', 'add', '--insurer', union, '--email', email, '--name', name, '--role', role);
  const token = (await invitationLink(email)).split('#')[1];
  const member = await newPage(browser, viewport);
  await member.goto(`${BASE}/admin/login`);
  const accepted = await call(member, 'POST', '/api/admin/invitation/accept', { token, password });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  const state = { secret: new URL(accepted.body.otpauthUri).searchParams.get('secret'), lastStep: currentStep() - 1 };
  const enrolled = await call(member, 'POST', '/api/admin/invitation/totp', { token, code: await freshCode(state) });
  assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body));
  const signedIn = await call(member, 'POST', '/api/admin/session', { email, password, code: await freshCode(state) });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  return member;
}
