// A small Socket.IO client (protocol v5 over Engine.IO v4, WebSocket transport), enough for the web chat:
// events, acknowledgements, heartbeats and reconnection with backoff. It replaces the socket.io-client
// bundle so the page needs no download, no CDN and no build step; widgets built for Rasa keep using theirs.
//
// Frames: "0{...}" open, "2" ping / "3" pong, "40" connect the default namespace, "42[name, data]" event,
// "42<id>[name, data]" event that wants an acknowledgement, "43<id>[data]" the acknowledgement, "41" close.

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;
const ACK_TIMEOUT_MS = 15000;

export class SocketClosed extends Error {}

export class Socket {
  constructor(path) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.url = `${scheme}://${location.host}${path.replace(/\/$/, "")}/?EIO=4&transport=websocket`;
    this.handlers = new Map();
    this.acks = new Map();
    this.nextAck = 1;
    this.connected = false;
    this.attempts = 0;
    this.ws = null;
    this.retryTimer = null;
    this.watchdog = null;
    this.heartbeatMs = 45000;
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    });
  }

  on(event, handler) {
    this.handlers.set(event, handler);
  }

  open() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (message) => this.receive(String(message.data));
    ws.onclose = () => {
      if (this.ws === ws) this.closed();
    };
    ws.onerror = () => ws.close();
  }

  reconnectNow() {
    if (!this.ws && this.retryTimer) {
      this.attempts = 0;
      this.open();
    }
  }

  emit(event, data) {
    return new Promise((resolve, reject) => {
      if (!this.connected) {
        reject(new SocketClosed("not connected"));
        return;
      }
      const id = this.nextAck++;
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new SocketClosed("no acknowledgement"));
      }, ACK_TIMEOUT_MS);
      this.acks.set(id, { resolve, reject, timer });
      this.ws.send(`42${id}${JSON.stringify([event, data])}`);
    });
  }

  receive(frame) {
    this.alive();
    const kind = frame[0];
    if (kind === "0") {
      const open = JSON.parse(frame.slice(1));
      this.heartbeatMs = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
      this.alive();
      this.ws.send("40");
    } else if (kind === "2") {
      this.ws.send("3");
    } else if (kind === "1") {
      this.ws.close();
    } else if (kind === "4") {
      this.packet(frame.slice(1));
    }
  }

  packet(body) {
    const kind = body[0];
    const rest = body.slice(1);
    if (kind === "0") {
      this.connected = true;
      this.attempts = 0;
      this.fire("connect");
    } else if (kind === "1" || kind === "4") {
      this.ws.close();
    } else if (kind === "2" || kind === "3") {
      const digits = rest.match(/^\d*/)[0];
      const args = JSON.parse(rest.slice(digits.length));
      if (kind === "2") {
        this.fire(args[0], args[1]);
      } else {
        const pending = this.acks.get(Number(digits));
        if (pending) {
          this.acks.delete(Number(digits));
          clearTimeout(pending.timer);
          pending.resolve(args[0]);
        }
      }
    }
  }

  fire(event, data) {
    const handler = this.handlers.get(event);
    if (handler) handler(data);
  }

  // No frame for longer than a heartbeat: the server or the network is gone even if TCP has not noticed.
  alive() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.ws && this.ws.close(), this.heartbeatMs);
  }

  closed() {
    clearTimeout(this.watchdog);
    const wasConnected = this.connected;
    this.connected = false;
    this.ws = null;
    for (const [id, pending] of this.acks) {
      clearTimeout(pending.timer);
      pending.reject(new SocketClosed("disconnected"));
      this.acks.delete(id);
    }
    if (wasConnected) this.fire("disconnect");
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts);
    this.attempts += 1;
    this.retryTimer = setTimeout(() => this.open(), ceiling / 2 + Math.random() * (ceiling / 2));
  }
}
