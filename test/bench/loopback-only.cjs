// Preloaded into a server we benchmark but do not control (Portkey's gateway listens on every
// interface): a listen() without a host binds 127.0.0.1 instead. Benchmarks stay on loopback.
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || args[1] === undefined || typeof args[1] === 'function')) {
    const callback = typeof args[1] === 'function' ? args[1] : args[2];
    return listen.call(this, args[0], '127.0.0.1', callback);
  }
  if (args[0] && typeof args[0] === 'object' && !('path' in args[0]) && args[0].host === undefined) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
