'use strict';
/*
 * Baseline for loadtest/bench.sh: the Nova Fanout viewer protocol subset (docs/protocol.md) and the
 * broadcaster calls the load tester uses (docs/broadcaster-api.md), written the way a Node developer
 * following the usual `ws` recipe would write it: one process, one `ws` server in noServer mode, a
 * Set of sockets per stream, JSON.stringify once per event and ws.send of that string to every viewer.
 *
 * What it implements:
 *   viewer port   GET /api/v1/streams/{id}/ws?token=JWT   (401/403/404/410 JSON answers before the upgrade)
 *                 GET /health
 *                 connection_established, stream_started if live on join, every published event with
 *                 its per-stream seq, application ping/pong, viewer_count_changed only if enabled,
 *                 get_stream_info, 4000 ping timeout / idle timeout, 1000 after stream_ended.
 *   internal port PUT /internal/v1/streams/{id}, POST .../start, POST .../events, POST .../end,
 *                 GET /internal/v1/streams/{id} (Bearer token, role broadcaster),
 *                 GET /metrics (a full global.gc() first, unless ?gc=0), GET /health
 *
 * Backpressure: a viewer whose ws.bufferedAmount is above MAX_BUFFERED_BYTES is skipped for that event
 * (the event is dropped for it and counted in node_messages_dropped_total). There is no per-viewer
 * queue and no MESSAGES_DROPPED notice: the viewer sees the gap in seq.
 *
 * Configuration (flag, environment, default):
 *   --host               HOST               0.0.0.0
 *   --port               PORT               8080
 *   --internal-host      INTERNAL_HOST      127.0.0.1
 *   --internal-port      INTERNAL_PORT      8081
 *   --jwt-secret         JWT_SECRET         (required)
 *   --ping-interval-ms   PING_INTERVAL_MS   30000
 *   --ping-timeout-ms    PING_TIMEOUT_MS    10000
 *   --idle-timeout-ms    IDLE_TIMEOUT_MS    60000
 *   --viewer-count-interval-ms VIEWER_COUNT_INTERVAL_MS 0 (off; 50 sends viewer_count_changed like Nova)
 *   --max-buffered-bytes MAX_BUFFERED_BYTES 65536
 *   --listen-backlog     LISTEN_BACKLOG     4096 (node's own default is 511; 4096 is what Netty, hence Nova,
 *                                           asks for on Linux: net.core.somaxconn)
 *
 * Run with `node --expose-gc server.js` so that GET /metrics can report the heap after a full GC.
 */

const http = require('node:http');
const crypto = require('node:crypto');
const { parseArgs } = require('node:util');
const { WebSocketServer, WebSocket } = require('ws');

// ---------------------------------------------------------------------------------------------------
// Configuration

function loadConfig(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'internal-host': { type: 'string' },
      'internal-port': { type: 'string' },
      'jwt-secret': { type: 'string' },
      'ping-interval-ms': { type: 'string' },
      'ping-timeout-ms': { type: 'string' },
      'idle-timeout-ms': { type: 'string' },
      'viewer-count-interval-ms': { type: 'string' },
      'max-buffered-bytes': { type: 'string' },
      'listen-backlog': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(require('node:fs').readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
    process.exit(0);
  }
  const pick = (flag, name, def) => values[flag] ?? env[name] ?? def;
  const int = (flag, name, def, min, max) => {
    const raw = String(pick(flag, name, def));
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      throw new Error(`${name}: ${raw} (expected an integer in ${min}..${max})`);
    }
    return n;
  };
  const config = {
    host: pick('host', 'HOST', '0.0.0.0'),
    port: int('port', 'PORT', 8080, 0, 65535),
    internalHost: pick('internal-host', 'INTERNAL_HOST', '127.0.0.1'),
    internalPort: int('internal-port', 'INTERNAL_PORT', 8081, 0, 65535),
    jwtSecret: pick('jwt-secret', 'JWT_SECRET', ''),
    pingIntervalMs: int('ping-interval-ms', 'PING_INTERVAL_MS', 30000, 100, 3600000),
    pingTimeoutMs: int('ping-timeout-ms', 'PING_TIMEOUT_MS', 10000, 50, 600000),
    idleTimeoutMs: int('idle-timeout-ms', 'IDLE_TIMEOUT_MS', 60000, 100, 86400000),
    viewerCountIntervalMs: int('viewer-count-interval-ms', 'VIEWER_COUNT_INTERVAL_MS', 0, 0, 1000),
    maxBufferedBytes: int('max-buffered-bytes', 'MAX_BUFFERED_BYTES', 65536, 1024, 1 << 30),
    listenBacklog: int('listen-backlog', 'LISTEN_BACKLOG', 4096, 1, 65535),
  };
  if (Buffer.byteLength(config.jwtSecret, 'utf8') < 32) {
    throw new Error('JWT_SECRET: required, at least 32 bytes');
  }
  if (config.idleTimeoutMs <= config.pingIntervalMs) {
    throw new Error('IDLE_TIMEOUT_MS must be longer than PING_INTERVAL_MS');
  }
  return config;
}

// ---------------------------------------------------------------------------------------------------
// HS256 JWT verification with node:crypto

const CLOCK_SKEW_SECONDS = 30;
const MAX_TOKEN_CHARS = 8192;

function base64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Returns the claims of a valid token, or null. */
function verifyJwt(token, secret) {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = base64urlJson(parts[0]);
    if (!header || header.alg !== 'HS256') return null;
    const expected = crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
    const actual = Buffer.from(parts[2], 'base64url');
    if (actual.length !== expected.length || !crypto.timingSafeEqual(actual, expected)) return null;
    const claims = base64urlJson(parts[1]);
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return null;
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || now > claims.exp + CLOCK_SKEW_SECONDS) return null;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf - CLOCK_SKEW_SECONDS)) return null;
    if (typeof claims.sub !== 'string' || claims.sub.length < 1 || claims.sub.length > 256) return null;
    if (claims.role !== undefined && typeof claims.role !== 'string') return null;
    const s = claims.streams;
    if (s !== undefined && s !== '*' && !(Array.isArray(s) && s.every((x) => typeof x === 'string'))) return null;
    return claims;
  } catch {
    return null;
  }
}

function grants(claims, streamId) {
  const s = claims.streams;
  return s === undefined || s === '*' || s.includes('*') || s.includes(streamId);
}

// ---------------------------------------------------------------------------------------------------
// Streams and metrics

const metrics = {
  viewersConnected: 0,
  messagesSent: 0,
  messagesDropped: 0,
  handshakes: new Map(), // outcome -> count
  closes: new Map(), // code -> count
};

function count(map, key) {
  map.set(key, (map.get(key) || 0) + 1);
}

/** @type {Map<string, object>} */
const streams = new Map();

function isoNow() {
  return new Date().toISOString();
}

function durationSeconds(stream) {
  if (!stream.startedAt) return 0;
  const end = stream.endedAt ?? Date.now();
  return Math.floor((end - stream.startedAt) / 1000);
}

function streamResource(stream) {
  const iso = (ms) => (ms == null ? null : new Date(ms).toISOString());
  return {
    stream_id: stream.id,
    status: stream.status,
    broadcaster_id: stream.broadcasterId,
    broadcaster_name: stream.broadcasterName,
    title: stream.title,
    description: stream.description,
    quality: stream.quality,
    fps: stream.fps,
    bitrate_kbps: stream.bitrateKbps,
    current_bitrate_kbps: stream.currentBitrateKbps,
    viewer_count: stream.viewers.size,
    peak_viewers: stream.peakViewers,
    seq: stream.seq,
    duration_seconds: durationSeconds(stream),
    created_at: iso(stream.createdAt),
    started_at: iso(stream.startedAt),
    ended_at: iso(stream.endedAt),
    end_reason: stream.endReason,
  };
}

function streamStartedData(stream) {
  return {
    stream_id: stream.id,
    broadcaster_id: stream.broadcasterId,
    title: stream.title,
    description: stream.description,
    quality: stream.quality,
    fps: stream.fps,
    bitrate_kbps: stream.bitrateKbps,
    timestamp: new Date(stream.startedAt).toISOString(),
  };
}

/**
 * Fan-out: one JSON.stringify per event, then the same string to every viewer of the stream. A viewer
 * that has more than maxBufferedBytes waiting in its socket is skipped: the event is dropped for it.
 */
function publish(stream, event, data) {
  const seq = ++stream.seq;
  const text = JSON.stringify({ event, seq, data });
  const limit = config.maxBufferedBytes;
  for (const viewer of stream.viewers) {
    const ws = viewer.ws;
    if (ws.readyState !== WebSocket.OPEN) continue;
    if (ws.bufferedAmount > limit) {
      metrics.messagesDropped++;
      continue;
    }
    ws.send(text);
    metrics.messagesSent++;
  }
  return seq;
}

function health(current, nominal) {
  if (current * 10 > nominal * 9) return 'excellent';
  if (current * 10 >= nominal * 7) return 'good';
  if (current * 2 >= nominal) return 'fair';
  return 'poor';
}

// ---------------------------------------------------------------------------------------------------
// Request validation (the subset of docs/broadcaster-api.md the load tester and a broadcaster use)

const STREAM_ID = /^[A-Za-z0-9._-]{1,128}$/;
const QUALITY = /^(?:[0-9]{3,4}p|[248]k|auto)$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const QUALITY_REASONS = ['adaptive_bitrate', 'broadcaster_changed', 'network_congestion', 'quality_degradation'];
const ERROR_CODES = ['STREAM_NOT_FOUND', 'STREAM_ENDED', 'CONNECTION_REJECTED', 'PROTOCOL_ERROR', 'SERVER_ERROR',
  'RTMP_CONNECTION_LOST', 'RTMP_HANDSHAKE_FAILED', 'BUFFER_OVERFLOW', 'UNAUTHORIZED', 'RATE_LIMITED'];
const SEVERITIES = ['info', 'warning', 'error', 'critical'];
const END_REASONS = ['broadcaster_ended', 'connection_lost', 'session_timeout', 'error'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;
const isStr = (v, max) => typeof v === 'string' && v.length >= 1 && v.length <= max;

class Invalid extends Error {}

function check(ok, field, message) {
  if (!ok) throw new Invalid(`${field}: ${message}`);
}

function checkKeys(obj, allowed, prefix) {
  for (const key of Object.keys(obj)) {
    check(allowed.includes(key), prefix + key, 'unknown field');
  }
}

function parseRegistration(body) {
  check(isObject(body), 'body', 'expected a JSON object');
  checkKeys(body, ['broadcaster_id', 'broadcaster_name', 'title', 'description', 'quality', 'fps', 'bitrate_kbps'], '');
  check(isStr(body.broadcaster_id, 128), 'broadcaster_id', 'expected a string of 1..128 characters');
  check(body.broadcaster_name == null || isStr(body.broadcaster_name, 128), 'broadcaster_name', 'expected a string of 1..128 characters');
  check(isStr(body.title, 256), 'title', 'expected a string of 1..256 characters');
  check(body.description == null || isStr(body.description, 4096), 'description', 'expected a string of 1..4096 characters');
  check(typeof body.quality === 'string' && QUALITY.test(body.quality), 'quality', 'expected a quality like 720p, 1080p, 4k or auto');
  check(isInt(body.fps, 1, 240), 'fps', 'expected an integer in 1..240');
  check(isInt(body.bitrate_kbps, 1, 1000000), 'bitrate_kbps', 'expected an integer in 1..1000000');
  return body;
}

/** Validates one broadcaster event; returns a function that applies it to the stream and gives its data. */
function parseEvent(item, prefix) {
  check(isObject(item), prefix || 'body', 'expected a JSON object');
  checkKeys(item, ['event', 'data'], prefix);
  const d = item.data;
  check(isObject(d), prefix + 'data', d == null ? 'required' : 'expected an object');
  const p = prefix + 'data.';
  switch (item.event) {
    case 'quality_changed': {
      checkKeys(d, ['new_quality', 'new_bitrate_kbps', 'reason', 'fps'], p);
      check(typeof d.new_quality === 'string' && QUALITY.test(d.new_quality), p + 'new_quality', 'expected a quality like 720p, 1080p, 4k or auto');
      check(isInt(d.new_bitrate_kbps, 1, 1000000), p + 'new_bitrate_kbps', 'expected an integer in 1..1000000');
      check(QUALITY_REASONS.includes(d.reason), p + 'reason', 'expected one of ' + QUALITY_REASONS.join(', '));
      check(d.fps == null || isInt(d.fps, 1, 240), p + 'fps', 'expected an integer in 1..240');
      return (stream) => {
        const data = {
          stream_id: stream.id,
          previous_quality: stream.quality,
          new_quality: d.new_quality,
          previous_bitrate_kbps: stream.bitrateKbps,
          new_bitrate_kbps: d.new_bitrate_kbps,
          fps: d.fps ?? stream.fps,
          reason: d.reason,
          timestamp: isoNow(),
        };
        stream.quality = d.new_quality;
        stream.bitrateKbps = d.new_bitrate_kbps;
        stream.currentBitrateKbps = d.new_bitrate_kbps;
        stream.fps = data.fps;
        return ['quality_changed', data];
      };
    }
    case 'bitrate_update': {
      checkKeys(d, ['current_bitrate_kbps', 'timestamp'], p);
      check(isInt(d.current_bitrate_kbps, 0, 1000000), p + 'current_bitrate_kbps', 'expected an integer in 0..1000000');
      let measuredAt = null;
      if (d.timestamp != null) {
        const ms = typeof d.timestamp === 'string' && ISO_UTC.test(d.timestamp) ? Date.parse(d.timestamp) : NaN;
        check(Number.isFinite(ms), p + 'timestamp', 'expected an ISO-8601 UTC timestamp such as 2025-10-21T10:40:30.000Z');
        measuredAt = new Date(ms).toISOString(); // to the millisecond, like the Java server
      }
      return (stream) => {
        stream.currentBitrateKbps = d.current_bitrate_kbps;
        return ['bitrate_update', {
          stream_id: stream.id,
          current_bitrate_kbps: d.current_bitrate_kbps,
          quality: stream.quality,
          health: health(d.current_bitrate_kbps, stream.bitrateKbps),
          timestamp: measuredAt ?? isoNow(),
        }];
      };
    }
    case 'error': {
      checkKeys(d, ['error_code', 'error_message', 'severity', 'recoverable', 'suggested_action'], p);
      check(ERROR_CODES.includes(d.error_code), p + 'error_code', 'expected one of ' + ERROR_CODES.join(', '));
      check(isStr(d.error_message, 2000), p + 'error_message', 'expected a string of 1..2000 characters');
      check(SEVERITIES.includes(d.severity), p + 'severity', 'expected one of ' + SEVERITIES.join(', '));
      check(typeof d.recoverable === 'boolean', p + 'recoverable', 'expected true or false');
      check(d.suggested_action == null || isStr(d.suggested_action, 2000), p + 'suggested_action', 'expected a string of 1..2000 characters');
      return () => {
        const data = { error_code: d.error_code, error_message: d.error_message, severity: d.severity, recoverable: d.recoverable };
        if (d.suggested_action != null) data.suggested_action = d.suggested_action;
        data.timestamp = isoNow();
        return ['error', data];
      };
    }
    default:
      throw new Invalid(`${prefix}event: expected one of quality_changed, bitrate_update, error`);
  }
}

// ---------------------------------------------------------------------------------------------------
// HTTP helpers

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendError(res, status, code, message) {
  sendJson(res, status, { error_code: code, error_message: message });
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

function readBody(req, res, onBody) {
  const chunks = [];
  let size = 0;
  let failed = false;
  req.on('data', (chunk) => {
    if (failed) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      failed = true;
      res.setHeader('Connection', 'close');
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (failed) return;
    const text = Buffer.concat(chunks).toString('utf8');
    let body = null;
    if (text.trim().length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        sendError(res, 400, 'INVALID_REQUEST', 'body is not valid JSON');
        return;
      }
    }
    onBody(body);
  });
}

/** Writes a JSON refusal on a socket that asked for an upgrade, before any upgrade. */
function refuseUpgrade(socket, status, code, message) {
  const body = JSON.stringify({ error_code: code, error_message: message });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
  count(metrics.handshakes, code);
}

// ---------------------------------------------------------------------------------------------------
// Viewer side

const VIEWER_PATH = /^\/api\/v1\/streams\/([^/]+)\/ws$/;

function sessionId() {
  return 'session_' + crypto.randomBytes(16).toString('hex');
}

function startViewerServer() {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false, // viewers are tracked per stream below
    perMessageDeflate: false,
    maxPayload: 262144,
  });
  /** Every open viewer, for the heartbeat sweep. */
  const viewers = new Set();

  const server = http.createServer((req, res) => {
    const path = req.url.split('?', 1)[0];
    if (path === '/health') {
      if (req.method === 'GET' || req.method === 'HEAD') return sendJson(res, 200, { status: 'ok' });
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use GET /health');
    }
    if (VIEWER_PATH.test(path)) return sendError(res, 400, 'PROTOCOL_ERROR', 'not a WebSocket upgrade request');
    sendError(res, 404, 'NOT_FOUND', 'no such endpoint');
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url, 'http://viewer');
    const match = VIEWER_PATH.exec(url.pathname);
    if (!match) return refuseUpgrade(socket, 404, 'NOT_FOUND', 'no such endpoint');
    const streamId = match[1];
    if (!STREAM_ID.test(streamId)) {
      return refuseUpgrade(socket, 400, 'PROTOCOL_ERROR', 'malformed stream id (expected: [A-Za-z0-9._-]{1,128})');
    }
    const protocol = url.searchParams.get('protocol');
    if (protocol !== null && protocol !== '1.0') {
      return refuseUpgrade(socket, 400, 'PROTOCOL_ERROR', 'unsupported protocol version (supported: 1.0)');
    }
    let token = url.searchParams.get('token');
    if (token === null) {
      const auth = req.headers.authorization;
      if (auth && auth.startsWith('Bearer ')) token = auth.slice(7).trim();
    }
    const claims = verifyJwt(token, config.jwtSecret);
    if (!claims) return refuseUpgrade(socket, 401, 'CONNECTION_REJECTED', 'invalid or expired token');
    if (!grants(claims, streamId)) return refuseUpgrade(socket, 403, 'UNAUTHORIZED', 'token does not grant this stream');
    const stream = streams.get(streamId);
    if (!stream) return refuseUpgrade(socket, 404, 'STREAM_NOT_FOUND', 'no such stream');
    if (stream.status === 'ended') return refuseUpgrade(socket, 410, 'STREAM_ENDED', 'the stream has ended');

    wss.handleUpgrade(req, socket, head, (ws) => {
      count(metrics.handshakes, 'accepted');
      onViewer(ws, stream, claims.sub);
    });
  });

  function onViewer(ws, stream, viewerId) {
    const now = Date.now();
    const viewer = {
      ws,
      stream,
      pingSequence: 0,
      outstandingPing: 0, // sequence of the unanswered ping, 0 when none
      pingSentAt: 0,
      nextPingAt: now + config.pingIntervalMs,
      lastActivity: now,
    };
    ws.send(JSON.stringify({
      event: 'connection_established',
      data: {
        stream_id: stream.id,
        viewer_id: viewerId,
        session_id: sessionId(),
        protocol_version: '1.0',
        timestamp: new Date(now).toISOString(),
      },
    }));
    if (stream.status === 'ended') {
      ws.close(1000, 'stream ended');
      return;
    }
    if (stream.status === 'active') {
      ws.send(JSON.stringify({ event: 'stream_started', seq: stream.seq, data: streamStartedData(stream) }));
    }
    stream.viewers.add(viewer);
    if (stream.viewers.size > stream.peakViewers) stream.peakViewers = stream.viewers.size;
    viewers.add(viewer);
    metrics.viewersConnected++;

    ws.on('message', (data, isBinary) => onViewerMessage(viewer, data, isBinary));
    ws.on('pong', () => { viewer.lastActivity = Date.now(); });
    ws.on('ping', () => { viewer.lastActivity = Date.now(); }); // ws answers ping frames itself
    ws.on('error', () => {}); // 'close' follows
    ws.on('close', () => {
      if (viewers.delete(viewer)) {
        stream.viewers.delete(viewer);
        metrics.viewersConnected--;
      }
    });
  }

  function closeViewer(viewer, code, reason) {
    count(metrics.closes, code);
    viewer.ws.close(code, reason);
    // A peer that never reads may never send its close frame back: drop the TCP connection later.
    const timer = setTimeout(() => viewer.ws.terminate(), config.pingTimeoutMs);
    timer.unref();
    viewer.ws.once('close', () => clearTimeout(timer));
  }

  function onViewerMessage(viewer, data, isBinary) {
    viewer.lastActivity = Date.now();
    if (isBinary) return closeViewer(viewer, 1003, 'binary frames are not supported');
    let msg;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      return closeViewer(viewer, 1003, 'invalid JSON');
    }
    if (!isObject(msg)) return closeViewer(viewer, 1003, 'expected a JSON object');
    if (!isObject(msg.data)) return closeViewer(viewer, 1003, 'missing "data"');
    switch (msg.event) {
      case 'pong': {
        const seq = msg.data.sequence;
        if (seq != null && !(Number.isInteger(seq) && seq >= 0)) {
          return closeViewer(viewer, 1003, 'data.sequence: expected a non-negative integer');
        }
        // A pong with the outstanding sequence, or an unsequenced one after the ping, answers the ping.
        if (viewer.outstandingPing !== 0 && (seq == null || seq === viewer.outstandingPing)) {
          viewer.outstandingPing = 0;
          viewer.nextPingAt = Math.max(viewer.pingSentAt + config.pingIntervalMs, Date.now());
        }
        return;
      }
      case 'get_stream_info': {
        const requestId = msg.data.request_id;
        if (!isStr(requestId, 128)) {
          return closeViewer(viewer, 1003, 'data.request_id: expected a string of 1..128 characters');
        }
        const s = viewer.stream;
        viewer.ws.send(JSON.stringify({
          event: 'stream_info',
          data: {
            request_id: requestId,
            stream_id: s.id,
            status: s.status,
            viewer_count: s.viewers.size,
            peak_viewers: s.peakViewers,
            quality: s.quality,
            bitrate_kbps: s.currentBitrateKbps,
            fps: s.fps,
            duration_seconds: durationSeconds(s),
            broadcaster_name: s.broadcasterName,
            timestamp: isoNow(),
          },
        }));
        return;
      }
      case 'report_issue':
        return; // accepted; this baseline keeps no issue log
      default:
        return closeViewer(viewer, 1003, `unknown event "${String(msg.event).slice(0, 32)}"`);
    }
  }

  // One heartbeat sweep for every viewer, as in the usual ws recipe, with the protocol's rules: a ping an
  // interval after the previous one was answered, 4000 when it is not answered in time or nothing at all
  // arrives for the idle timeout.
  const sweepMs = Math.min(1000, Math.max(10,
    Math.floor(Math.min(config.pingIntervalMs, config.pingTimeoutMs, config.idleTimeoutMs) / 10)));
  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const viewer of viewers) {
      if (viewer.ws.readyState !== WebSocket.OPEN) continue;
      if (now - viewer.lastActivity >= config.idleTimeoutMs) {
        closeViewer(viewer, 4000, 'idle timeout');
      } else if (viewer.outstandingPing !== 0) {
        if (now - viewer.pingSentAt >= config.pingTimeoutMs) closeViewer(viewer, 4000, 'ping timeout');
      } else if (now >= viewer.nextPingAt) {
        viewer.outstandingPing = ++viewer.pingSequence;
        viewer.pingSentAt = now;
        viewer.ws.send(JSON.stringify({
          event: 'ping',
          data: { sequence: viewer.pingSequence, timestamp: new Date(now).toISOString() },
        }));
      }
    }
  }, sweepMs);

  // Viewer counts are announced at most once per interval per stream, when they changed.
  let viewerCounts = null;
  if (config.viewerCountIntervalMs > 0) {
    viewerCounts = setInterval(() => {
      for (const stream of streams.values()) {
        if (stream.status === 'ended') continue;
        const current = stream.viewers.size;
        if (current !== stream.announcedViewers) {
          const change = current - stream.announcedViewers;
          stream.announcedViewers = current;
          publish(stream, 'viewer_count_changed', {
            stream_id: stream.id,
            viewer_count: current,
            peak_viewers: stream.peakViewers,
            change,
            timestamp: isoNow(),
          });
        }
      }
    }, config.viewerCountIntervalMs);
  }

  server.on('close', () => {
    clearInterval(heartbeat);
    if (viewerCounts) clearInterval(viewerCounts);
  });
  return server;
}

// ---------------------------------------------------------------------------------------------------
// Internal (broadcaster) side

const STREAM_PATH = /^\/internal\/v1\/streams\/([^/]+)(?:\/(start|events|end))?$/;

function broadcasterClaims(req) {
  const auth = req.headers.authorization;
  if (!auth || !auth.startsWith('Bearer ')) return null;
  return verifyJwt(auth.slice(7).trim(), config.jwtSecret);
}

function metricsText(runGc) {
  let gcRan = 0;
  if (runGc && typeof global.gc === 'function') {
    global.gc();
    gcRan = 1;
  }
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  let live = 0;
  for (const s of streams.values()) if (s.status === 'active') live++;
  const lines = [
    '# HELP node_viewers_connected Viewer WebSocket connections open now',
    '# TYPE node_viewers_connected gauge',
    `node_viewers_connected ${metrics.viewersConnected}`,
    '# HELP node_streams_live Streams with status active',
    '# TYPE node_streams_live gauge',
    `node_streams_live ${live}`,
    '# HELP node_messages_sent_total Stream events written to viewer connections',
    '# TYPE node_messages_sent_total counter',
    `node_messages_sent_total ${metrics.messagesSent}`,
    '# HELP node_messages_dropped_total Stream events skipped because the viewer had more than MAX_BUFFERED_BYTES buffered',
    '# TYPE node_messages_dropped_total counter',
    `node_messages_dropped_total ${metrics.messagesDropped}`,
    '# HELP node_handshakes_total Viewer handshakes by outcome',
    '# TYPE node_handshakes_total counter',
  ];
  for (const [outcome, n] of metrics.handshakes) lines.push(`node_handshakes_total{outcome="${outcome}"} ${n}`);
  lines.push('# HELP node_client_closes_total Viewer connections closed by the server, by close code',
    '# TYPE node_client_closes_total counter');
  for (const [code, n] of metrics.closes) lines.push(`node_client_closes_total{code="${code}"} ${n}`);
  lines.push(
    '# HELP node_gc_before_scrape 1 when global.gc() ran right before these memory figures (node --expose-gc)',
    '# TYPE node_gc_before_scrape gauge',
    `node_gc_before_scrape ${gcRan}`,
    '# HELP node_heap_used_bytes V8 heap in use (after a full GC when node_gc_before_scrape is 1)',
    '# TYPE node_heap_used_bytes gauge',
    `node_heap_used_bytes ${mem.heapUsed}`,
    '# HELP node_heap_total_bytes V8 heap reserved',
    '# TYPE node_heap_total_bytes gauge',
    `node_heap_total_bytes ${mem.heapTotal}`,
    '# HELP node_external_bytes Memory of C++ objects bound to JS objects, Buffers included',
    '# TYPE node_external_bytes gauge',
    `node_external_bytes ${mem.external}`,
    '# HELP node_array_buffers_bytes Memory of ArrayBuffers and Buffers',
    '# TYPE node_array_buffers_bytes gauge',
    `node_array_buffers_bytes ${mem.arrayBuffers}`,
    '# HELP node_rss_bytes Resident set size of the process',
    '# TYPE node_rss_bytes gauge',
    `node_rss_bytes ${mem.rss}`,
    '# HELP process_cpu_seconds_total User and system CPU time of the process',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
  );
  return lines.join('\n') + '\n';
}

function startInternalServer() {
  return http.createServer((req, res) => {
    const [path, query = ''] = req.url.split('?', 2);
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/metrics') {
      if (req.method !== 'GET') return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'method not allowed here');
      // A full GC before the memory figures, unless asked not to (/metrics?gc=0, for cheap polling).
      const text = metricsText(!new URLSearchParams(query).has('gc', '0'));
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Length': Buffer.byteLength(text) });
      return res.end(text);
    }
    const match = STREAM_PATH.exec(path);
    if (!match) return sendError(res, 404, 'NOT_FOUND', 'no such endpoint');
    const claims = broadcasterClaims(req);
    if (!claims) return sendError(res, 401, 'CONNECTION_REJECTED', 'missing, invalid or expired bearer token');
    if (claims.role !== 'broadcaster') return sendError(res, 403, 'UNAUTHORIZED', 'token lacks "role": "broadcaster"');
    const [, id, action] = match;
    const wanted = action ? 'POST' : req.method === 'GET' ? 'GET' : 'PUT';
    if (req.method !== wanted) {
      res.setHeader('Allow', action ? 'POST' : 'GET, PUT');
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'method not allowed here');
    }
    if (!STREAM_ID.test(id)) return sendError(res, 400, 'INVALID_REQUEST', 'malformed stream id (expected: [A-Za-z0-9._-]{1,128})');
    if (!grants(claims, id)) return sendError(res, 403, 'UNAUTHORIZED', `token does not grant stream ${id}`);
    readBody(req, res, (body) => {
      try {
        handleStreamRequest(res, id, action, req.method, body);
      } catch (e) {
        if (e instanceof Invalid) return sendError(res, 400, 'INVALID_REQUEST', e.message);
        console.error(e);
        sendError(res, 500, 'SERVER_ERROR', 'internal error');
      }
    });
  });
}

function handleStreamRequest(res, id, action, method, body) {
  let stream = streams.get(id);
  if (!action && method === 'GET') {
    if (!stream) return sendError(res, 404, 'STREAM_NOT_FOUND', `no stream ${id} is registered`);
    return sendJson(res, 200, streamResource(stream));
  }
  if (!action) { // PUT: register or replace metadata
    const reg = parseRegistration(body);
    if (stream && stream.status === 'ended') {
      return sendError(res, 409, 'INVALID_TRANSITION', `stream ${id} has ended; register a new stream id`);
    }
    const created = !stream;
    if (created) {
      stream = {
        id, status: 'scheduled', seq: 0, viewers: new Set(), peakViewers: 0, announcedViewers: 0,
        createdAt: Date.now(), startedAt: null, endedAt: null, endReason: null,
      };
      streams.set(id, stream);
    }
    Object.assign(stream, {
      broadcasterId: reg.broadcaster_id,
      broadcasterName: reg.broadcaster_name ?? reg.broadcaster_id,
      title: reg.title,
      description: reg.description ?? '',
      quality: reg.quality,
      fps: reg.fps,
      bitrateKbps: reg.bitrate_kbps,
      currentBitrateKbps: reg.bitrate_kbps,
    });
    return sendJson(res, created ? 201 : 200, streamResource(stream));
  }
  let applies = null;
  let endReason = null;
  if (action === 'events') {
    const items = Array.isArray(body) ? body : [body];
    check(items.length > 0, 'body', 'expected at least one event');
    applies = items.map((item, i) => parseEvent(item, Array.isArray(body) ? `[${i}].` : ''));
  } else if (action === 'end') {
    check(isObject(body), 'body', 'expected a JSON object');
    checkKeys(body, ['reason'], '');
    check(END_REASONS.includes(body.reason), 'reason', 'expected one of ' + END_REASONS.join(', '));
    endReason = body.reason;
  }
  if (!stream) return sendError(res, 404, 'STREAM_NOT_FOUND', `no stream ${id} is registered`);
  if (stream.status === 'ended') return sendError(res, 409, 'INVALID_TRANSITION', `stream ${id} has ended`);

  let first;
  let last;
  if (action === 'start') {
    if (stream.status !== 'scheduled') {
      return sendError(res, 409, 'INVALID_TRANSITION', `stream ${id} is ${stream.status}; only a scheduled stream can start`);
    }
    stream.status = 'active';
    stream.startedAt = Date.now();
    first = last = publish(stream, 'stream_started', streamStartedData(stream));
  } else if (action === 'events') {
    for (const apply of applies) {
      const [event, data] = apply(stream);
      last = publish(stream, event, data);
      if (first === undefined) first = last;
    }
  } else { // end
    const finalViewers = stream.viewers.size;
    stream.status = 'ended';
    stream.endedAt = Date.now();
    stream.endReason = endReason;
    first = last = publish(stream, 'stream_ended', {
      stream_id: id,
      duration_seconds: durationSeconds(stream),
      peak_viewers: stream.peakViewers,
      final_viewer_count: finalViewers,
      reason: endReason,
      timestamp: new Date(stream.endedAt).toISOString(),
    });
    for (const viewer of stream.viewers) { // ws sends the close frame after what is already queued
      count(metrics.closes, 1000);
      viewer.ws.close(1000, 'stream ended');
    }
  }
  return sendJson(res, 200, { stream_id: id, first_seq: first, last_seq: last });
}

// ---------------------------------------------------------------------------------------------------
// Main

let config;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (e) {
  console.error(`node-ws-baseline: ${e.message}`);
  process.exit(2);
}

const viewerServer = startViewerServer();
const internalServer = startInternalServer();
viewerServer.listen({ port: config.port, host: config.host, backlog: config.listenBacklog }, () => {
  internalServer.listen({ port: config.internalPort, host: config.internalHost, backlog: config.listenBacklog }, () => {
    console.log(`node-ws baseline: viewers on ${config.host}:${viewerServer.address().port}, ` +
      `internal API on ${config.internalHost}:${internalServer.address().port}, ` +
      `ws ${require('ws/package.json').version}, node ${process.version}, ` +
      `gc on /metrics: ${typeof global.gc === 'function' ? 'yes' : 'no (run with --expose-gc)'}`);
  });
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    viewerServer.close();
    internalServer.close();
    process.exit(0);
  });
}
