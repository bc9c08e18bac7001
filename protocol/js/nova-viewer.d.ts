// Type declarations of nova-viewer.js. The messages are those of docs/protocol.md.

export type ViewerState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export declare const State: {
  readonly CONNECTING: 'connecting';
  readonly OPEN: 'open';
  readonly RECONNECTING: 'reconnecting';
  readonly CLOSED: 'closed';
};

export interface ReconnectOptions {
  /** Ceiling of the first retry's delay; each later attempt doubles it. Default 500. */
  baseDelayMs?: number;
  /** Largest ceiling of a retry's delay. Default 30000. */
  maxDelayMs?: number;
  /** A connection open this long resets the attempts to the base delay. Default 10000. */
  stableAfterMs?: number;
}

/** What a WebSocket constructor must offer; the browser's and Node 22's global one do. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface NovaViewerOptions {
  /** The viewer endpoint, `ws(s)://HOST/api/v1/streams/{stream_id}/ws`; or give baseUrl and streamId. */
  url?: string;
  /** `ws(s)://HOST[:PORT]`, to which `/api/v1/streams/{streamId}/ws` is appended. */
  baseUrl?: string;
  streamId?: string;
  /** A viewer JWT; or give getToken. */
  token?: string;
  /**
   * Called before every connection attempt for a fresh token, and when the server warns with TOKEN_EXPIRED
   * that the connection's token is about to expire: the new token is then sent with `refresh_token`, so the
   * connection stays open.
   */
  getToken?: () => string | Promise<string>;
  /** Where there is no global WebSocket (Node 20): e.g. `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  reconnect?: ReconnectOptions;
  /** How long getStreamInfo waits for its answer. Default 10000. */
  requestTimeoutMs?: number;
  /** Asks the server why a connection was refused; null to never ask. Default: the global fetch. */
  fetch?: ((url: string, init?: object) => Promise<{ status: number }>) | null;
  /** For tests: timers and the random source of the jitter. */
  timers?: Timers;
  random?: () => number;
}

export interface ServerMessage<D = Record<string, unknown>> {
  event: string;
  seq?: number;
  data: D;
}

export interface StreamInfo {
  request_id: string;
  stream_id: string;
  status: 'scheduled' | 'active' | 'ended';
  viewer_count: number;
  peak_viewers: number;
  quality: string;
  bitrate_kbps: number;
  fps: number;
  duration_seconds: number;
  broadcaster_name: string;
  timestamp: string;
}

export interface ViewerEvents {
  state: { state: ViewerState; previous: ViewerState };
  open: Record<string, never>;
  close: { code: number; reason: string; refusal: number | null; willReconnect: boolean };
  reconnecting: { attempt: number; delayMs: number };
  /** Every server message, after its own event. */
  message: ServerMessage;
  gap: { expected: number; received: number; missed: number };
  dropped: { count: number; [field: string]: unknown };
  rtt: { rttMs: number };
  /** A problem on this side: a malformed server message, a handler that threw, a failed send. */
  error: NovaViewerError;
  /**
   * The server's own `error` messages: stream errors, and the notices to this connection (MESSAGES_DROPPED,
   * RATE_LIMITED, SERVER_SHUTDOWN, TOKEN_EXPIRED, INVALID_TOKEN).
   */
  server_error: Record<string, unknown>;
  connection_established: Record<string, unknown>;
  stream_started: Record<string, unknown>;
  viewer_count_changed: Record<string, unknown>;
  quality_changed: Record<string, unknown>;
  bitrate_update: Record<string, unknown>;
  stream_ended: Record<string, unknown>;
  stream_info: StreamInfo;
  ping: { sequence: number; timestamp: string };
  /** The server accepted the token sent after TOKEN_EXPIRED; `expires_at` is its `exp`. */
  token_refreshed: { expires_at: string; timestamp: string };
}

export declare class NovaViewerError extends Error {
  readonly code: 'MALFORMED_MESSAGE' | 'HANDLER_FAILED' | 'SEND_FAILED' | 'CONNECT_FAILED' | 'CLOSE_FAILED'
    | 'TOKEN_FAILED' | 'TIMEOUT' | 'NOT_OPEN' | 'DISCONNECTED' | 'CLOSED';
  readonly detail: unknown;
}

export declare function backoffDelay(attempt: number, options: Required<Pick<ReconnectOptions, 'baseDelayMs' | 'maxDelayMs'>>,
  random?: () => number): number;

export declare class NovaViewer {
  constructor(options: NovaViewerOptions);
  readonly state: ViewerState;
  /** The `seq` of the last stream event received, or null. */
  readonly lastSeq: number | null;
  /** The latest round trip measured by getStreamInfo, in milliseconds, or null. */
  readonly rttMs: number | null;
  connect(): this;
  close(code?: number, reason?: string): void;
  on<E extends keyof ViewerEvents>(event: E, handler: (payload: ViewerEvents[E], message?: ServerMessage) => void): () => void;
  off<E extends keyof ViewerEvents>(event: E, handler: (payload: ViewerEvents[E], message?: ServerMessage) => void): void;
  getStreamInfo(options?: { timeoutMs?: number }): Promise<StreamInfo>;
  reportIssue(issue: { issueType: string; severity: string; description?: string; clientInfo?: Record<string, unknown> }): boolean;
}
