import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NovaViewer, NovaViewerError, State, backoffDelay } from '../nova-viewer.js';
import { FakeTimers, fakeWebSocketClass, settle } from './fakes.js';

const ESTABLISHED = {
  event: 'connection_established',
  data: { stream_id: 'demo', viewer_id: 'v', session_id: 's', protocol_version: '1.0', timestamp: '2026-12-01T00:00:00.000Z' },
};

/** A viewer on fakes; `refusal` is what the server answers to a probe of a refused upgrade (null: unreachable). */
function setUp({ refusal = null, random = () => 0.5, ...options } = {}) {
  const { FakeWebSocket, sockets } = fakeWebSocketClass();
  const timers = new FakeTimers();
  const probes = [];
  const fetch = async (url) => {
    probes.push(url);
    if (refusal === null) throw new TypeError('fetch failed');
    return { status: refusal };
  };
  const viewer = new NovaViewer({
    baseUrl: 'ws://127.0.0.1:8080', streamId: 'demo', token: 'tok', WebSocket: FakeWebSocket, timers, random, fetch,
    ...options,
  });
  const seen = [];
  for (const event of ['state', 'open', 'close', 'reconnecting', 'gap', 'dropped', 'error', 'rtt', 'server_error']) {
    viewer.on(event, (payload) => seen.push({ event, payload }));
  }
  const events = (name) => seen.filter((e) => e.event === name).map((e) => e.payload);
  return { viewer, sockets, timers, probes, events };
}

async function connected(setup) {
  setup.viewer.connect();
  await settle();
  const socket = setup.sockets.at(-1);
  socket.open();
  socket.receive(ESTABLISHED);
  return socket;
}

describe('backoffDelay', () => {
  it('draws from zero up to a ceiling that doubles from the base and stops at the maximum', () => {
    const options = { baseDelayMs: 500, maxDelayMs: 30_000 };
    const ceilings = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];
    ceilings.forEach((ceiling, attempt) => {
      assert.equal(backoffDelay(attempt, options, () => 0), 0);
      assert.equal(backoffDelay(attempt, options, () => 0.5), ceiling / 2);
      assert.equal(backoffDelay(attempt, options, () => 0.999_999), ceiling - 1);
    });
    assert.equal(backoffDelay(10_000, options, () => 0.5), 15_000, 'no overflow for a very late attempt');
  });

  it('spreads a thousand viewers dropped at once over the whole first window', () => {
    const options = { baseDelayMs: 500, maxDelayMs: 30_000 };
    const delays = Array.from({ length: 1000 }, () => backoffDelay(0, options));
    assert.ok(delays.every((d) => d >= 0 && d < 500));
    const buckets = new Array(10).fill(0);
    delays.forEach((d) => buckets[Math.floor(d / 50)]++);
    // Uniform: each 50 ms tenth holds about 100; lockstep would put them all in one.
    assert.ok(buckets.every((n) => n > 40 && n < 170), `buckets ${buckets}`);
  });
});

describe('NovaViewer', () => {
  it('refuses options it cannot work with', () => {
    const { FakeWebSocket } = fakeWebSocketClass();
    assert.throws(() => new NovaViewer({ token: 't', WebSocket: FakeWebSocket }), /give url, or baseUrl and streamId/);
    assert.throws(() => new NovaViewer({ url: 'ws://h/x', WebSocket: FakeWebSocket }), /exactly one of token and getToken/);
    assert.throws(() => new NovaViewer({ url: 'ws://h/x', token: 't', getToken: () => 't', WebSocket: FakeWebSocket }),
      /exactly one of token and getToken/);
    assert.throws(() => new NovaViewer({ url: 'ws://h/x', token: 't', WebSocket: null }), /options\.WebSocket/);
  });

  it('connects to the stream endpoint with the token and reports its states', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    assert.equal(socket.url, 'ws://127.0.0.1:8080/api/v1/streams/demo/ws?token=tok');
    assert.equal(setup.viewer.state, State.OPEN);
    assert.deepEqual(setup.events('state').map((s) => s.state), ['connecting', 'open']);
    setup.viewer.close();
  });

  it('answers a ping with a pong that echoes its sequence, at once', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    socket.receive({ event: 'ping', data: { sequence: 7, timestamp: '2026-12-01T00:00:30.000Z' } });
    const pongs = socket.sentEvents('pong');
    assert.equal(pongs.length, 1, 'sent before any timer ran');
    assert.equal(pongs[0].data.sequence, 7);
    assert.equal(setup.timers.now, 0);
    setup.viewer.close();
  });

  it('measures the round trip with get_stream_info and matches answers by request_id', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    const [probe] = socket.sentEvents('get_stream_info'); // sent once connection_established arrived
    const first = setup.viewer.getStreamInfo();
    const second = setup.viewer.getStreamInfo();
    const [, a, b] = socket.sentEvents('get_stream_info').map((m) => m.data.request_id);
    assert.notEqual(a, b);
    socket.receive({ event: 'stream_info', data: { request_id: 'someone-else', status: 'active' } });
    socket.receive({ event: 'stream_info', data: { request_id: b, status: 'active', viewer_count: 2 } });
    socket.receive({ event: 'stream_info', data: { request_id: a, status: 'active', viewer_count: 1 } });
    assert.equal((await first).viewer_count, 1);
    assert.equal((await second).viewer_count, 2);
    socket.receive({ event: 'stream_info', data: { request_id: probe.data.request_id, status: 'active' } });
    assert.ok(setup.events('rtt').length >= 1);
    assert.equal(typeof setup.viewer.rttMs, 'number');
    setup.viewer.close();
  });

  it('rejects a get_stream_info that is not answered in time, and one asked while not open', async () => {
    const setup = setUp({ requestTimeoutMs: 1000 });
    await assert.rejects(setup.viewer.getStreamInfo(), (e) => e instanceof NovaViewerError && e.code === 'NOT_OPEN');
    await connected(setup);
    const pending = setup.viewer.getStreamInfo();
    const outcome = pending.then(() => 'resolved', (e) => e.code);
    await setup.timers.advance(999);
    await setup.timers.advance(1);
    assert.equal(await outcome, 'TIMEOUT');
    setup.viewer.close();
  });

  it('reconnects after an abnormal close with growing, jittered delays', async () => {
    const setup = setUp();
    setup.viewer.connect();
    await settle();
    for (let i = 0; i < 5; i++) {
      setup.sockets.at(-1).drop(1006); // refused or unreachable before open; the probe learns nothing
      await settle();
      const delay = setup.events('reconnecting').at(-1).delayMs;
      await setup.timers.advance(delay);
    }
    assert.deepEqual(setup.events('reconnecting').map((r) => r.delayMs), [250, 500, 1000, 2000, 4000]);
    assert.equal(setup.sockets.length, 6);
    assert.equal(setup.viewer.state, State.RECONNECTING);
    setup.viewer.close();
  });

  it('starts again from the base delay after a stable connection', async () => {
    const setup = setUp({ reconnect: { stableAfterMs: 10_000 } });
    await connected(setup);
    setup.sockets.at(-1).drop(1006);
    await settle();
    await setup.timers.advance(250);
    setup.sockets.at(-1).open();
    setup.sockets.at(-1).drop(1006); // open only briefly: the next delay doubles
    await settle();
    await setup.timers.advance(500);
    setup.sockets.at(-1).open();
    await setup.timers.advance(10_000);
    setup.sockets.at(-1).drop(1006);
    await settle();
    assert.deepEqual(setup.events('reconnecting').map((r) => r.delayMs), [250, 500, 250]);
    setup.viewer.close();
  });

  it('fetches a fresh token before every attempt with getToken', async () => {
    let issued = 0;
    const setup = setUp({ token: undefined, getToken: async () => `t${++issued}` });
    setup.viewer.connect();
    await settle();
    setup.sockets.at(-1).drop(1006);
    await settle();
    await setup.timers.advance(250);
    assert.deepEqual(setup.sockets.map((s) => new URL(s.url).searchParams.get('token')), ['t1', 't2']);
    setup.viewer.close();
  });

  const TOKEN_EXPIRED = {
    event: 'error',
    data: { error_code: 'TOKEN_EXPIRED', error_message: 'the token expires at ...', severity: 'warning', recoverable: true },
  };

  it('answers TOKEN_EXPIRED with a refresh_token carrying a new token from getToken', async () => {
    let issued = 0;
    const setup = setUp({ token: undefined, getToken: async () => `t${++issued}` });
    const socket = await connected(setup);
    const refreshed = [];
    setup.viewer.on('token_refreshed', (data) => refreshed.push(data));

    socket.receive(TOKEN_EXPIRED);
    await settle();

    assert.deepEqual(socket.sentEvents('refresh_token'), [{ event: 'refresh_token', data: { token: 't2' } }]);
    assert.equal(setup.events('server_error')[0].error_code, 'TOKEN_EXPIRED', 'the app sees the notice too');
    socket.receive({ event: 'token_refreshed', data: { expires_at: '2026-12-01T01:00:00.000Z', timestamp: 'x' } });
    assert.deepEqual(refreshed.map((r) => r.expires_at), ['2026-12-01T01:00:00.000Z']);
    assert.equal(setup.viewer.state, State.OPEN);
    setup.viewer.close();
  });

  it('asks getToken once for a burst of TOKEN_EXPIRED notices', async () => {
    let release;
    let calls = 0;
    const setup = setUp({ token: undefined, getToken: () => (++calls === 1 ? 'first' : new Promise((resolve) => { release = resolve; })) });
    const socket = await connected(setup);
    socket.receive(TOKEN_EXPIRED);
    socket.receive(TOKEN_EXPIRED);
    assert.equal(calls, 2, 'one for the connection, one for the refresh');
    release('second');
    await settle();
    assert.deepEqual(socket.sentEvents('refresh_token').map((m) => m.data.token), ['second']);
    setup.viewer.close();
  });

  it('sends no refresh_token with a static token, and reconnects after the close 1008 that follows', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    socket.receive(TOKEN_EXPIRED);
    await settle();
    assert.deepEqual(socket.sentEvents('refresh_token'), []);
    socket.drop(1008, 'token expired');
    await settle();
    assert.equal(setup.events('close').at(-1).willReconnect, true);
    assert.equal(setup.viewer.state, State.RECONNECTING);
    setup.viewer.close();
  });

  it('reports a getToken that fails on TOKEN_EXPIRED, and keeps the connection', async () => {
    let calls = 0;
    const setup = setUp({ token: undefined, getToken: async () => {
      if (++calls > 1) throw new Error('auth service down');
      return 'first';
    } });
    const socket = await connected(setup);
    socket.receive(TOKEN_EXPIRED);
    await settle();
    assert.deepEqual(socket.sentEvents('refresh_token'), []);
    assert.deepEqual(setup.events('error').map((e) => e.code), ['TOKEN_FAILED']);
    assert.equal(setup.viewer.state, State.OPEN);
    setup.viewer.close();
  });

  it('does not send a new token on a connection that closed while getToken was fetching it', async () => {
    let release;
    let calls = 0;
    const setup = setUp({ token: undefined, getToken: () => (++calls === 1 ? 'first' : new Promise((resolve) => { release = resolve; })) });
    const socket = await connected(setup);
    socket.receive(TOKEN_EXPIRED);
    socket.drop(1008, 'token expired');
    await settle();
    release('late');
    await settle();
    assert.deepEqual(socket.sentEvents('refresh_token'), []);
    setup.viewer.close();
  });

  for (const [what, act] of [
    ['stream_ended', (socket) => {
      socket.receive({ event: 'stream_ended', seq: 3, data: { stream_id: 'demo', reason: 'broadcaster_ended' } });
      socket.drop(1000, 'stream ended');
    }],
    ['a close 1000', (socket) => socket.drop(1000, 'bye')],
  ]) {
    it(`does not reconnect after ${what}`, async () => {
      const setup = setUp();
      await connected(setup);
      act(setup.sockets.at(-1));
      await settle();
      await setup.timers.advance(60_000);
      assert.equal(setup.sockets.length, 1);
      assert.equal(setup.viewer.state, State.CLOSED);
      assert.equal(setup.events('close').at(-1).willReconnect, false);
      assert.equal(setup.timers.pending, 0);
    });
  }

  for (const status of [403, 404, 410]) {
    it(`does not reconnect after a ${status} refusal`, async () => {
      const setup = setUp({ refusal: status });
      setup.viewer.connect();
      await settle();
      setup.sockets.at(-1).drop(1006);
      await settle();
      await setup.timers.advance(60_000);
      assert.equal(setup.sockets.length, 1);
      assert.deepEqual(setup.probes, ['http://127.0.0.1:8080/api/v1/streams/demo/ws?token=tok']);
      assert.equal(setup.events('close').at(-1).refusal, status);
      assert.equal(setup.viewer.state, State.CLOSED);
      assert.equal(setup.timers.pending, 0);
    });
  }

  it('does not reconnect after a 401 with a static token, but does with getToken', async () => {
    const fixed = setUp({ refusal: 401 });
    fixed.viewer.connect();
    await settle();
    fixed.sockets.at(-1).drop(1006);
    await settle();
    assert.equal(fixed.viewer.state, State.CLOSED);

    const refreshed = setUp({ refusal: 401, token: undefined, getToken: () => 'fresh' });
    refreshed.viewer.connect();
    await settle();
    refreshed.sockets.at(-1).drop(1006);
    await settle();
    assert.equal(refreshed.viewer.state, State.RECONNECTING);
    refreshed.viewer.close();
  });

  it('keeps retrying when the refusal can heal (503) or the server cannot be reached', async () => {
    for (const refusal of [503, null]) {
      const setup = setUp({ refusal });
      setup.viewer.connect();
      await settle();
      setup.sockets.at(-1).drop(1006);
      await settle();
      assert.equal(setup.viewer.state, State.RECONNECTING, `refusal ${refusal}`);
      setup.viewer.close();
    }
  });

  it('takes an error without a close before the open as a failed attempt, as Node 20 reports a refusal', async () => {
    const refused = setUp({ refusal: 404 });
    refused.viewer.connect();
    await settle();
    refused.sockets[0].failWithErrorOnly();
    await settle();
    assert.equal(refused.viewer.state, State.CLOSED);
    assert.equal(refused.events('close')[0].refusal, 404);

    const unreachable = setUp();
    unreachable.viewer.connect();
    await settle();
    unreachable.sockets[0].failWithErrorOnly();
    await settle();
    assert.equal(unreachable.viewer.state, State.RECONNECTING);
    assert.equal(unreachable.events('close').length, 1, 'one close, not one per error and close');
    unreachable.viewer.close();
  });

  it('does not ask why a connection that had opened was lost', async () => {
    const setup = setUp({ refusal: 404 });
    await connected(setup);
    setup.sockets.at(-1).drop(1006);
    await settle();
    assert.deepEqual(setup.probes, []);
    assert.equal(setup.viewer.state, State.RECONNECTING);
    setup.viewer.close();
  });

  it('reports gaps in seq and drop notices', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    socket.receive({ event: 'bitrate_update', seq: 4, data: {} });
    socket.receive({ event: 'bitrate_update', seq: 5, data: {} });
    socket.receive({ event: 'error', data: { error_code: 'MESSAGES_DROPPED', dropped_count: 3 } });
    socket.receive({ event: 'bitrate_update', seq: 9, data: {} });
    assert.deepEqual(setup.events('gap'), [{ expected: 6, received: 9, missed: 3 }]);
    assert.equal(setup.events('dropped')[0].count, 3);
    assert.equal(setup.events('server_error')[0].error_code, 'MESSAGES_DROPPED');
    assert.equal(setup.viewer.lastSeq, 9);
    setup.viewer.close();
  });

  it('follows seq afresh on each connection, so a restarted server numbering anew is no gap', async () => {
    const setup = setUp();
    let socket = await connected(setup);
    socket.receive({ event: 'bitrate_update', seq: 40, data: {} });
    socket.drop(1006);
    await settle();
    await setup.timers.advance(250);
    socket = setup.sockets.at(-1);
    socket.open();
    assert.equal(setup.viewer.lastSeq, null);
    socket.receive({ event: 'stream_started', seq: 2, data: {} });
    socket.receive({ event: 'bitrate_update', seq: 3, data: {} });
    assert.deepEqual(setup.events('gap'), []);
    assert.equal(setup.viewer.lastSeq, 3);
    setup.viewer.close();
  });

  it('never throws from a malformed server message or a failing handler: it reports an error event', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    setup.viewer.on('quality_changed', () => {
      throw new Error('player bug');
    });
    for (const bad of ['not json', 'null', '42', '{"data":{}}', '{"event":7}']) {
      assert.doesNotThrow(() => socket.receive(bad));
    }
    assert.doesNotThrow(() => socket.receive({ event: 'quality_changed', seq: 2, data: { new_quality: '720p' } }));
    const codes = setup.events('error').map((e) => e.code);
    assert.deepEqual(codes, ['MALFORMED_MESSAGE', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE',
      'MALFORMED_MESSAGE', 'HANDLER_FAILED']);
    assert.equal(setup.viewer.state, State.OPEN);
    setup.viewer.close();
  });

  it('emits every server message by its event name, and off() unsubscribes', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    const counts = [];
    const handler = (data) => counts.push(data.viewer_count);
    const unsubscribe = setup.viewer.on('viewer_count_changed', handler);
    socket.receive({ event: 'viewer_count_changed', seq: 1, data: { viewer_count: 1 } });
    unsubscribe();
    socket.receive({ event: 'viewer_count_changed', seq: 2, data: { viewer_count: 2 } });
    assert.deepEqual(counts, [1]);
    setup.viewer.close();
  });

  it('sends report_issue with the protocol field names', async () => {
    const setup = setUp();
    const socket = await connected(setup);
    assert.equal(setup.viewer.reportIssue({ issueType: 'buffering', severity: 'medium', description: 'stalls',
      clientInfo: { player: 'test' } }), true);
    assert.deepEqual(socket.sentEvents('report_issue')[0].data,
      { issue_type: 'buffering', severity: 'medium', description: 'stalls', client_info: { player: 'test' } });
    setup.viewer.close();
    assert.equal(setup.viewer.reportIssue({ issueType: 'buffering', severity: 'low' }), false);
  });

  it('leaves no timer behind after close, whatever it was doing', async () => {
    // Open, with a request and the stable-connection timer pending.
    const open = setUp();
    await connected(open);
    const request = open.viewer.getStreamInfo().catch((e) => e.code);
    assert.ok(open.timers.pending > 0);
    open.viewer.close();
    assert.equal(open.timers.pending, 0);
    assert.equal(await request, 'CLOSED');
    assert.equal(open.sockets[0].closedWith.code, 1000);

    // Waiting to reconnect.
    const waiting = setUp();
    waiting.viewer.connect();
    await settle();
    waiting.sockets[0].drop(1006);
    await settle();
    assert.equal(waiting.timers.pending, 1);
    waiting.viewer.close();
    assert.equal(waiting.timers.pending, 0);
    await waiting.timers.advance(60_000);
    assert.equal(waiting.sockets.length, 1);

    // Closed while the token was being fetched.
    let release;
    const slow = setUp({ token: undefined, getToken: () => new Promise((resolve) => { release = resolve; }) });
    slow.viewer.connect();
    slow.viewer.close();
    release('late');
    await settle();
    assert.equal(slow.sockets.length, 0);
    assert.equal(slow.timers.pending, 0);
    assert.equal(slow.viewer.state, State.CLOSED);
  });
});
