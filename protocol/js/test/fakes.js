// Test doubles for nova-viewer.js: a WebSocket the test plays the server for, and timers the test moves.

/** Every socket the viewer opened, in order; the test acts as the server through them. */
export function fakeWebSocketClass() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closedWith = null;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      sockets.push(this);
    }

    send(data) {
      this.sent.push(JSON.parse(data));
    }

    close(code, reason) {
      this.closedWith = { code, reason };
    }

    // --- the server's side ---
    open() {
      this.onopen?.({});
    }

    receive(message) {
      this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
    }

    drop(code = 1006, reason = '') {
      this.onerror?.({});
      this.onclose?.({ code, reason });
    }

    /** What Node 20's WebSocket does on a refused upgrade: an error, and never a close. */
    failWithErrorOnly() {
      this.onerror?.({});
    }

    sentEvents(event) {
      return this.sent.filter((m) => m.event === event);
    }
  }
  return { FakeWebSocket, sockets };
}

/** Timers that only run when the test advances time; `pending` says how many are still set. */
export class FakeTimers {
  now = 0;
  #timers = new Map();
  #nextId = 1;

  setTimeout = (callback, ms) => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.now + ms, callback });
    return id;
  };

  clearTimeout = (id) => {
    this.#timers.delete(id);
  };

  get pending() {
    return this.#timers.size;
  }

  /** Runs, in time order, every timer due within `ms`, letting promises settle after each. */
  async advance(ms) {
    const end = this.now + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      let next = null;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= end && (next === null || timer.at < next.timer.at)) {
          next = { id, timer };
        }
      }
      if (next === null) break;
      this.#timers.delete(next.id);
      this.now = next.timer.at;
      next.timer.callback();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

/** Lets pending promise callbacks (and the viewer's async steps) run. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}
