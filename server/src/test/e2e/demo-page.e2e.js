// The demo page and the JS viewer client in a real headless Chromium, against the real server jar: the page
// sees the stream go live, viewer counts and a quality change published through the internal API, and
// reconnects by itself when the server is restarted. Run by the server module's integration-test phase
// (NOVA_SERVER_JAR and E2E_ARTIFACTS set); screenshots are saved in E2E_ARTIFACTS.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

const JAR = process.env.NOVA_SERVER_JAR;
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? 'target/e2e';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const STREAM = 'demo-live';
const WAIT_MS = 20_000;
// The flags that keep Chromium off the network on a machine that has none (and, as root, unsandboxed).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const secret = crypto.randomBytes(32).toString('base64url');
let ports;
let server;
let browser;
let page;

function jwt(claims) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${body}.${crypto.createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const viewerToken = jwt({ sub: 'e2e-viewer' });
const broadcasterToken = jwt({ sub: 'e2e-broadcaster', role: 'broadcaster' });

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const process_ = spawn('java', ['-jar', JAR, '--host', '127.0.0.1', '--port', String(ports.viewer),
    '--internal-host', '127.0.0.1', '--internal-port', String(ports.internal), '--demo-stream', 'true'], {
    env: { ...process.env, NOVA_JWT_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  process_.stdout.on('data', (chunk) => output.push(chunk));
  process_.stderr.on('data', (chunk) => output.push(chunk));
  const exited = new Promise((resolve) => process_.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (process_.exitCode !== null) break;
    try {
      const health = await fetch(`http://127.0.0.1:${ports.viewer}/health`);
      if (health.ok) return { process: process_, exited, output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process_.kill('SIGKILL');
  throw new Error(`the server did not start:\n${Buffer.concat(output).toString()}`);
}

let serverRuns = 0;

/**
 * SIGTERM, as an orchestrator stops it; resolves with the exit code (null if it had to be killed). What the
 * server printed is kept in E2E_ARTIFACTS, where the build's LogTokenScanTest looks for leaked tokens.
 */
async function stopServer(running) {
  if (!running) return null;
  if (running.process.exitCode === null) {
    running.process.kill('SIGTERM');
    const timeout = setTimeout(() => running.process.kill('SIGKILL'), 20_000);
    await running.exited;
    clearTimeout(timeout);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, `server-${++serverRuns}.log`), Buffer.concat(running.output));
  return running.process.exitCode;
}

async function publishQualityChange(quality, bitrateKbps) {
  const response = await fetch(`http://127.0.0.1:${ports.internal}/internal/v1/streams/${STREAM}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${broadcasterToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'quality_changed',
      data: { new_quality: quality, new_bitrate_kbps: bitrateKbps, reason: 'network_congestion' } }),
  });
  assert.equal(response.status, 200, await response.text());
}

/** Waits until the page's event log has `count` lines containing `text`. */
function logLines(text, count = 1) {
  return page.waitForFunction(([t, n]) => [...document.querySelectorAll('#log div')]
    .filter((line) => line.textContent.includes(t)).length >= n, [text, count], { timeout: WAIT_MS });
}

function stateIs(state) {
  return page.waitForFunction((s) => document.getElementById('state').textContent === s, state, { timeout: WAIT_MS });
}

before(async () => {
  assert.ok(JAR && fs.existsSync(JAR), `NOVA_SERVER_JAR must name the built server jar (got ${JAR})`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ports = { viewer: await freePort(), internal: await freePort() };
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('pageerror', (error) => console.error('page error:', error));
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

test('the demo page follows a live stream, including a quality change published through the internal API', async () => {
  await page.goto(`http://127.0.0.1:${ports.viewer}/?stream=${STREAM}&token=${viewerToken}`);

  await logLines('connection_established');
  await logLines('stream_started');
  await page.waitForFunction(() => document.getElementById('viewers').textContent === '1', null, { timeout: WAIT_MS });
  // A second viewer joins: the first page sees the count change (its own join may be folded into the state it
  // joined with, so the test does not wait for that one).
  const second = await browser.newPage();
  await second.goto(`http://127.0.0.1:${ports.viewer}/?stream=${STREAM}&token=${viewerToken}`);
  await logLines('"viewer_count":2');
  await page.waitForFunction(() => document.getElementById('viewers').textContent === '2', null, { timeout: WAIT_MS });
  await second.close();
  assert.equal(await page.textContent('#title'), 'Nova Fanout demo stream');
  assert.equal(await page.textContent('#state'), 'open');

  await publishQualityChange('360p', 800);
  await logLines('"new_quality":"360p"');
  await page.waitForFunction(() => document.getElementById('quality').textContent === '360p', null, { timeout: WAIT_MS });
  await page.waitForFunction(() => document.getElementById('rtt').textContent.endsWith(' ms'), null, { timeout: WAIT_MS });

  await page.screenshot({ path: path.join(ARTIFACTS, 'demo-page.png') });
  assert.ok(fs.statSync(path.join(ARTIFACTS, 'demo-page.png')).size > 0);
});

test('a stopping server says goodbye, and the page reconnects by itself once it is back', async () => {
  assert.equal(await stopServer(server), 0, 'SIGTERM ends in a graceful stop and exit 0');
  await logLines('stream error SERVER_SHUTDOWN');
  await logLines('closed 1001 (server shutting down), will reconnect');
  await stateIs('reconnecting');

  server = await startServer();
  await stateIs('open');
  await logLines('connection_established', 2);
  await logLines('stream_started', 2);
  assert.equal(await page.evaluate(() => window.novaViewer.state), 'open');

  await page.screenshot({ path: path.join(ARTIFACTS, 'demo-page-after-restart.png') });
});
