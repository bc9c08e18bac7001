// Nova Fanout viewer client: one live connection to a stream's events, with the reconnect, heartbeat and
// sequence tracking a video player needs. No dependencies; runs in browsers and in Node 20+ (pass
// `WebSocket` where there is no global one). The wire contract is docs/protocol.md.

/** The states of a viewer, in `viewer.state` and in the `state` event. */
export const State = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
});

const DEFAULT_RECONNECT = Object.freeze({
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  // A connection that stayed open this long starts the next series of attempts from the base delay again.
  stableAfterMs: 10_000,
});
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const NORMAL_CLOSURE = 1000;
// HTTP answers to the upgrade that retrying cannot change (docs/protocol.md, "Handshake refusals").
const PERMANENT_REFUSALS = new Set([403, 404, 410]);
const UNAUTHORIZED = 401;

/** Raised as the `error` event: what went wrong on this side of the connection, never thrown at the caller. */
export class NovaViewerError extends Error {
  constructor(code, message, detail) {
    super(message);
    this.name = 'NovaViewerError';
    this.code = code;
    this.detail = detail;
  }
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first): "full jitter", a uniform draw between 0
 * and min(max, base * 2^attempt), so that many players dropped at once do not come back in lockstep.
 */
export function backoffDelay(attempt, { baseDelayMs, maxDelayMs }, random = Math.random) {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

export class NovaViewer {
  #url;
  #token;
  #getToken;
  #WebSocket;
  #reconnect;
  #requestTimeoutMs;
  #timers;
  #random;
  #fetch;
  #handlers = new Map();
  #state = State.CLOSED;
  #socket = null;
  #attempt = 0;
  #retryTimer = null;
  #stableTimer = null;
  #opened = false;
  #terminal = false;
  #lastSeq = null;
  #rttMs = null;
  #requests = new Map();
  #requestCounter = 0;
  #rttProbeInFlight = false;
  #refreshInFlight = false;

  /**
   * @param {object} options see nova-viewer.d.ts
   */
  constructor(options = {}) {
    const { url, baseUrl, streamId, token, getToken } = options;
    if (url == null && (baseUrl == null || streamId == null)) {
      throw new TypeError('NovaViewer: give url, or baseUrl and streamId');
    }
    if ((token == null) === (getToken == null)) {
      throw new TypeError('NovaViewer: give exactly one of token and getToken');
    }
    if (getToken != null && typeof getToken !== 'function') {
      throw new TypeError('NovaViewer: getToken must be a function returning a token or a promise of one');
    }
    this.#url = url ?? `${String(baseUrl).replace(/\/+$/, '')}/api/v1/streams/${encodeURIComponent(streamId)}/ws`;
    this.#token = token;
    this.#getToken = getToken;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError('NovaViewer: no global WebSocket here; pass one as options.WebSocket');
    }
    this.#reconnect = { ...DEFAULT_RECONNECT, ...(options.reconnect ?? {}) };
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#timers = options.timers ?? { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) };
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch === undefined ? globalThis.fetch : options.fetch;
  }

  /** `connecting`, `open`, `reconnecting` or `closed`. */
  get state() {
    return this.#state;
  }

  /** The `seq` of the last stream event received on this connection, or null before the first. */
  get lastSeq() {
    return this.#lastSeq;
  }

  /**
   * The latest round trip to the server in milliseconds, or null: the time a `get_stream_info` took to be
   * answered. One is sent when the connection is established and after each answered ping.
   */
  get rttMs() {
    return this.#rttMs;
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on(event, handler) {
    if (typeof handler !== 'function') {
      throw new TypeError('NovaViewer.on: handler must be a function');
    }
    if (!this.#handlers.has(event)) {
      this.#handlers.set(event, new Set());
    }
    this.#handlers.get(event).add(handler);
    return () => this.off(event, handler);
  }

  off(event, handler) {
    this.#handlers.get(event)?.delete(handler);
  }

  /** Opens the connection; reconnects by itself until close() or a close that retrying cannot change. */
  connect() {
    if (this.#state !== State.CLOSED) {
      return this;
    }
    this.#terminal = false;
    this.#attempt = 0;
    this.#open(State.CONNECTING);
    return this;
  }

  /** Closes for good: no reconnect, no timer left behind; pending requests are rejected. */
  close(code = NORMAL_CLOSURE, reason = 'client closed') {
    this.#terminal = true;
    this.#cancelTimers();
    this.#failRequests(new NovaViewerError('CLOSED', 'the viewer was closed'));
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      this.#detach(socket);
      try {
        socket.close(code, reason);
      } catch (e) {
        this.#emit('error', new NovaViewerError('CLOSE_FAILED', String(e?.message ?? e), e));
      }
    }
    this.#setState(State.CLOSED);
  }

  /** Asks for a `stream_info` snapshot; resolves with its `data`, rejects on timeout or close. */
  getStreamInfo({ timeoutMs = this.#requestTimeoutMs } = {}) {
    return new Promise((resolve, reject) => {
      if (this.#state !== State.OPEN) {
        reject(new NovaViewerError('NOT_OPEN', `cannot ask for stream info while ${this.#state}`));
        return;
      }
      const requestId = `nv-${++this.#requestCounter}`;
      const sentAt = now();
      const timer = this.#timers.setTimeout(() => {
        this.#requests.delete(requestId);
        reject(new NovaViewerError('TIMEOUT', `no stream_info within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#requests.set(requestId, { resolve, reject, timer, sentAt });
      this.#send({ event: 'get_stream_info', data: { request_id: requestId } });
    });
  }

  /** Reports a playback problem; see docs/protocol.md for the fields. Returns whether it was sent. */
  reportIssue({ issueType, severity, description, clientInfo } = {}) {
    const data = { issue_type: issueType, severity };
    if (description !== undefined) data.description = description;
    if (clientInfo !== undefined) data.client_info = clientInfo;
    return this.#send({ event: 'report_issue', data });
  }

  // ----------------------------------------------------------------------------------------------

  async #open(state) {
    this.#setState(state);
    let token;
    try {
      token = this.#getToken ? await this.#getToken() : this.#token;
    } catch (e) {
      this.#emit('error', new NovaViewerError('TOKEN_FAILED', `getToken failed: ${e?.message ?? e}`, e));
      this.#scheduleRetry();
      return;
    }
    if (this.#terminal) {
      return; // close() was called while the token was on its way.
    }
    const url = `${this.#url}${this.#url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    let socket;
    try {
      socket = new this.#WebSocket(url);
    } catch (e) {
      this.#emit('error', new NovaViewerError('CONNECT_FAILED', String(e?.message ?? e), e));
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    this.#opened = false;
    socket.onopen = () => this.#onOpen(socket);
    socket.onmessage = (message) => this.#onMessage(socket, message);
    socket.onclose = (event) => this.#onClose(socket, url, event);
    socket.onerror = () => {
      // After an open, close always follows and decides. Before one, some WebSockets (Node 20's) report a
      // refused upgrade with an error alone and never close: take the error as the close.
      if (!this.#opened) this.#onClose(socket, url, { code: 1006, reason: '' });
    };
  }

  #onOpen(socket) {
    if (socket !== this.#socket) return;
    this.#opened = true;
    // A new connection starts from the stream's current state (its first event says where seq is now);
    // a restarted server may even number the stream afresh.
    this.#lastSeq = null;
    this.#setState(State.OPEN);
    this.#emit('open', {});
    this.#stableTimer = this.#timers.setTimeout(() => {
      this.#stableTimer = null;
      this.#attempt = 0;
    }, this.#reconnect.stableAfterMs);
  }

  #onMessage(socket, { data }) {
    if (socket !== this.#socket) return;
    let message;
    try {
      message = JSON.parse(data);
    } catch (e) {
      this.#emit('error', new NovaViewerError('MALFORMED_MESSAGE', 'a server message is not JSON', { data }));
      return;
    }
    if (message === null || typeof message !== 'object' || typeof message.event !== 'string') {
      this.#emit('error', new NovaViewerError('MALFORMED_MESSAGE', 'a server message has no event name', { data }));
      return;
    }
    const payload = message.data !== null && typeof message.data === 'object' ? message.data : {};
    if (message.event === 'ping') {
      // At once, not on a timer: the server's pong timeout starts when it sends the ping.
      this.#send({ event: 'pong', data: { sequence: payload.sequence, timestamp: new Date().toISOString() } });
      this.#measureRtt();
    } else if (message.event === 'connection_established') {
      this.#measureRtt();
    } else if (message.event === 'stream_info') {
      this.#settleRequest(payload);
    } else if (message.event === 'error' && payload.error_code === 'MESSAGES_DROPPED') {
      this.#emit('dropped', { count: payload.dropped_count, ...payload });
    } else if (message.event === 'error' && payload.error_code === 'TOKEN_EXPIRED') {
      this.#refreshToken(socket);
    }
    if (typeof message.seq === 'number') {
      this.#followSeq(message.seq);
    }
    if (message.event === 'stream_ended') {
      this.#terminal = true; // The server closes with 1000 next; nothing to come back to.
    }
    this.#emit('message', message);
    this.#emit(message.event === 'error' ? 'server_error' : message.event, payload, message);
  }

  /**
   * The server is about to close this connection for its token's expiry: with getToken, fetch a new token
   * and send it on the same connection (answered by `token_refreshed`, or by an `INVALID_TOKEN` error).
   * With a static token there is nothing to send; the close 1008 that follows leads to a reconnect.
   */
  async #refreshToken(socket) {
    if (!this.#getToken || this.#refreshInFlight) return;
    this.#refreshInFlight = true;
    let token;
    try {
      token = await this.#getToken();
    } catch (e) {
      // The connection stays up until the server closes it; the reconnect then asks getToken again.
      this.#emit('error', new NovaViewerError('TOKEN_FAILED', `getToken failed: ${e?.message ?? e}`, e));
      return;
    } finally {
      this.#refreshInFlight = false;
    }
    if (socket !== this.#socket) return; // Closed or replaced meanwhile: a new connection fetches its own token.
    this.#send({ event: 'refresh_token', data: { token } });
  }

  /** One `get_stream_info` at a time, its answer timed; it also refreshes the app's `stream_info`. */
  #measureRtt() {
    if (this.#rttProbeInFlight) return;
    this.#rttProbeInFlight = true;
    this.getStreamInfo().catch(() => {}).finally(() => {
      this.#rttProbeInFlight = false;
    });
  }

  #followSeq(seq) {
    const last = this.#lastSeq;
    if (last !== null && seq > last + 1) {
      this.#emit('gap', { expected: last + 1, received: seq, missed: seq - last - 1 });
    }
    if (last === null || seq > last) {
      this.#lastSeq = seq;
    }
  }

  #settleRequest(data) {
    const request = this.#requests.get(data.request_id);
    if (!request) return; // Asked by someone else, or answered after its timeout.
    this.#requests.delete(data.request_id);
    this.#timers.clearTimeout(request.timer);
    this.#rttMs = now() - request.sentAt;
    this.#emit('rtt', { rttMs: this.#rttMs });
    request.resolve(data);
  }

  async #onClose(socket, url, { code, reason }) {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#detach(socket);
    if (this.#stableTimer !== null) {
      this.#timers.clearTimeout(this.#stableTimer);
      this.#stableTimer = null;
    }
    this.#failRequests(new NovaViewerError('DISCONNECTED', `connection closed (${code})`));
    let refusal = null;
    if (!this.#opened && !this.#terminal) {
      refusal = await this.#probeRefusal(url);
    }
    const permanent = this.#terminal || code === NORMAL_CLOSURE
      || (refusal !== null && (PERMANENT_REFUSALS.has(refusal) || (refusal === UNAUTHORIZED && !this.#getToken)));
    this.#emit('close', { code, reason, refusal, willReconnect: !permanent && !this.#terminal });
    if (this.#state === State.CLOSED) {
      return; // close() was called meanwhile.
    }
    if (permanent) {
      this.#terminal = true;
      this.#setState(State.CLOSED);
      return;
    }
    this.#scheduleRetry();
  }

  /**
   * A browser does not tell why an upgrade was refused. The server answers a plain GET of the same URL
   * with the same refusal (docs/protocol.md), so ask it; null when it cannot be learnt.
   */
  async #probeRefusal(url) {
    if (typeof this.#fetch !== 'function') return null;
    try {
      const response = await this.#fetch(url.replace(/^ws/, 'http'), { cache: 'no-store' });
      return response.status >= 400 && response.status !== 426 ? response.status : null;
    } catch {
      return null;
    }
  }

  #scheduleRetry() {
    if (this.#terminal) return;
    const delayMs = backoffDelay(this.#attempt, this.#reconnect, this.#random);
    const attempt = ++this.#attempt;
    this.#setState(State.RECONNECTING);
    this.#emit('reconnecting', { attempt, delayMs });
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#terminal) this.#open(State.RECONNECTING);
    }, delayMs);
  }

  #send(message) {
    const socket = this.#socket;
    if (!socket || this.#state !== State.OPEN) return false;
    try {
      socket.send(JSON.stringify(message));
      return true;
    } catch (e) {
      this.#emit('error', new NovaViewerError('SEND_FAILED', String(e?.message ?? e), e));
      return false;
    }
  }

  #failRequests(error) {
    for (const request of this.#requests.values()) {
      this.#timers.clearTimeout(request.timer);
      request.reject(error);
    }
    this.#requests.clear();
  }

  #cancelTimers() {
    for (const timer of [this.#retryTimer, this.#stableTimer]) {
      if (timer !== null) this.#timers.clearTimeout(timer);
    }
    this.#retryTimer = null;
    this.#stableTimer = null;
  }

  #detach(socket) {
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
  }

  #setState(state) {
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    this.#emit('state', { state, previous });
  }

  #emit(event, payload, message) {
    const handlers = this.#handlers.get(event);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(payload, message);
      } catch (e) {
        if (event !== 'error') {
          this.#emit('error', new NovaViewerError('HANDLER_FAILED', `a '${event}' handler threw: ${e?.message ?? e}`, e));
        }
      }
    }
  }
}

function now() {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
