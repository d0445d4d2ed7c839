// Runner ↔ server transport. Speaks Vite's `ModuleRunnerTransport` protocol:
//
//  * `invoke(payload)` transports get `{type:'custom', event:'vite:invoke',
//    data:{id:'send', name, data:args}}` and answer `{result}` or `{error}`;
//  * `send`/`connect` transports get the same payload with a unique
//    `id: 'send:<key>'` and answer asynchronously with a `vite:invoke` message
//    whose `data.id` is `response:<key>`.

const INVOKE_EVENT = 'vite:invoke';
const ID_ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';

/** Non-cryptographic random id; only has to be unique among pending calls. */
function randomKey(size = 21) {
  let key = '';
  for (let i = 0; i < size; i++) key += ID_ALPHABET[(Math.random() * 64) | 0];
  return key;
}

/**
 * Errors travel as plain objects; rebuild a real `Error` (so `instanceof`,
 * stack printing etc. work) while keeping every property the server sent.
 */
function reviveError(raw) {
  const error = new Error(raw?.message || 'Unknown invoke error');
  Object.assign(error, raw, { runnerError: new Error('RunnerError') });
  return error;
}

export class SendBeforeConnectError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SendBeforeConnectError';
  }
}

/** Adds `invoke(name, args)` on top of either transport flavour. */
function withRpc(transport) {
  if (transport.invoke) {
    return {
      ...transport,
      async invoke(name, args) {
        const payload = { type: 'custom', event: INVOKE_EVENT, data: { id: 'send', name, data: args } };
        // Called from a fresh microtask: the server's work does not run inside the module's
        // async call chain, so errors created there (ERR_LOAD_URL, resolve failures) carry the
        // server's stack only, as with Vite's message-based server transport, instead of also
        // listing the importing module's frame.
        const response = await new Promise((resolve, reject) => {
          queueMicrotask(() => {
            try {
              // Closures, not the resolve functions themselves: V8 follows those into the caller's
              // async stack.
              Promise.resolve(transport.invoke(payload)).then(
                (value) => resolve(value),
                (error) => reject(error),
              );
            } catch (error) {
              reject(error);
            }
          });
        });
        if ('error' in response) throw reviveError(response.error);
        return response.result;
      },
    };
  }
  if (!transport.send || !transport.connect) {
    throw new Error('transport must implement send and connect when invoke is not implemented');
  }

  // key → { resolve, reject, name, timer }
  const pending = new Map();
  return {
    ...transport,
    connect({ onMessage, onDisconnection }) {
      return transport.connect({
        onMessage(payload) {
          // Responses to our calls are consumed here; everything else (HMR
          // updates, custom events) goes to the runner.
          if (payload.type === 'custom' && payload.event === INVOKE_EVENT) {
            const data = payload.data;
            if (data.id.startsWith('response:')) {
              const key = data.id.slice('response:'.length);
              const call = pending.get(key);
              if (!call) return;
              if (call.timer) clearTimeout(call.timer);
              pending.delete(key);
              const { error, result } = data.data;
              if (error) call.reject(error);
              else call.resolve(result);
              return;
            }
          }
          onMessage(payload);
        },
        onDisconnection,
      });
    },
    disconnect() {
      for (const call of pending.values()) {
        call.reject(new Error(`transport was disconnected, cannot call ${JSON.stringify(call.name)}`));
      }
      pending.clear();
      return transport.disconnect?.();
    },
    send(data) {
      return transport.send(data);
    },
    async invoke(name, args) {
      const key = randomKey();
      const request = {
        type: 'custom',
        event: INVOKE_EVENT,
        data: { name, id: `send:${key}`, data: args },
      };
      const sent = transport.send(request);
      const response = new Promise((resolve, reject) => {
        const timeout = transport.timeout ?? 60_000;
        let timer;
        if (timeout > 0) {
          timer = setTimeout(() => {
            pending.delete(key);
            reject(new Error(`transport invoke timed out after ${timeout}ms (data: ${JSON.stringify(request)})`));
          }, timeout);
          // A pending call alone must not keep the process alive.
          timer.unref?.();
        }
        pending.set(key, { resolve, reject, name, timer });
        if (sent && typeof sent.catch === 'function') {
          sent.catch((err) => {
            clearTimeout(timer);
            pending.delete(key);
            reject(err);
          });
        }
      });
      try {
        return await response;
      } catch (err) {
        throw reviveError(err);
      }
    },
  };
}

/**
 * Wraps a user transport with connection state: `connect` is idempotent,
 * `send`/`invoke` wait for an in-progress connection and fail before one.
 */
export function normalizeTransport(transport) {
  const rpc = withRpc(transport);
  let connected = !rpc.connect;
  let connecting;

  const ensureConnected = async (what) => {
    if (connected) return;
    if (connecting) {
      await connecting;
      return;
    }
    throw new SendBeforeConnectError(`${what} was called before connect`);
  };

  const normalized = {
    ...transport,
    async send(data) {
      if (!rpc.send) return;
      await ensureConnected('send');
      await rpc.send(data);
    },
    async invoke(name, args) {
      await ensureConnected('invoke');
      return rpc.invoke(name, args);
    },
  };
  if (rpc.connect) {
    normalized.connect = async (onMessage) => {
      if (connected) return;
      if (connecting) {
        await connecting;
        return;
      }
      const result = rpc.connect({
        onMessage: onMessage ?? (() => {}),
        onDisconnection() {
          connected = false;
        },
      });
      if (result) {
        connecting = result;
        try {
          await result;
        } finally {
          connecting = undefined;
        }
      }
      connected = true;
    };
  } else {
    delete normalized.connect;
  }
  if (rpc.disconnect) {
    normalized.disconnect = async () => {
      if (!connected) return;
      if (connecting) await connecting;
      connected = false;
      await rpc.disconnect();
    };
  } else {
    delete normalized.disconnect;
  }
  return normalized;
}

/**
 * A transport over a WebSocket-like object (`createConnection()` returns
 * something with `addEventListener`, `send`, `close`, `readyState`, `OPEN`).
 * Pings keep proxies from closing idle connections.
 */
export function createWebSocketModuleRunnerTransport(options) {
  const pingInterval = options.pingInterval ?? 30_000;
  let socket;
  let pingTimer;
  return {
    async connect({ onMessage, onDisconnection }) {
      const ws = options.createConnection();
      ws.addEventListener('message', ({ data }) => {
        onMessage(JSON.parse(data));
      });
      let opened = ws.readyState === ws.OPEN;
      if (!opened) {
        await new Promise((resolve, reject) => {
          ws.addEventListener(
            'open',
            () => {
              opened = true;
              resolve();
            },
            { once: true },
          );
          ws.addEventListener('close', () => {
            if (!opened) {
              reject(new Error('WebSocket closed without opened.'));
              return;
            }
            onMessage({ type: 'custom', event: 'vite:ws:disconnect', data: { webSocket: ws } });
            onDisconnection();
          });
        });
      }
      onMessage({ type: 'custom', event: 'vite:ws:connect', data: { webSocket: ws } });
      socket = ws;
      pingTimer = setInterval(() => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'ping' }));
      }, pingInterval);
    },
    disconnect() {
      clearInterval(pingTimer);
      socket?.close();
    },
    send(data) {
      socket.send(JSON.stringify(data));
    },
  };
}
