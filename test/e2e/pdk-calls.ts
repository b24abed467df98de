/**
 * Counts the PDK calls (each one a socket round trip between Kong and a plugin server) that one
 * request costs, per plugin and phase, from the test double's own record (`ExternalPlugin.calls`).
 * The double keeps its plugins to itself, so this wraps `ExternalPlugin.prototype.handleEvent` to
 * learn of them and of when each phase ends. Requests must be measured one at a time: the calls of
 * a plugin are one list for all its requests.
 */
import type { Phase } from '../harness/kong-double/context';
import { ExternalPlugin } from '../harness/kong-double/plugin-runtime';

export interface PhaseCalls {
  plugin: string;
  phase: Phase;
  /** PDK methods in the order the plugin called them, e.g. `kong.request.get_headers`. */
  methods: string[];
  /** Each call's arguments as JSON, bytes (the identity a plugin sets, the plan aigw-proxy sends on). */
  argBytes: number[];
}

export interface RequestCalls {
  phases: PhaseCalls[];
  /** PDK calls of every plugin and phase together. */
  total: number;
  /** HandleEvent RPCs (one per plugin and phase, on top of the PDK calls). */
  events: number;
}

interface Tracker {
  plugins: Set<ExternalPlugin>;
  running: number;
  lastActivity: number;
  overlapped: boolean;
  phases: PhaseCalls[] | null;
}

const tracker: Tracker = { plugins: new Set(), running: 0, lastActivity: 0, overlapped: false, phases: null };
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = ExternalPlugin.prototype.handleEvent;
  ExternalPlugin.prototype.handleEvent = async function (this: ExternalPlugin, ...args: Parameters<ExternalPlugin['handleEvent']>) {
    const phase = args[1];
    tracker.plugins.add(this);
    if (tracker.running > 0) tracker.overlapped = true;
    tracker.running++;
    const from = this.calls.length;
    try {
      return await original.apply(this, args);
    } finally {
      tracker.running--;
      tracker.lastActivity = performance.now();
      tracker.phases?.push({
        plugin: this.name,
        phase,
        methods: this.calls.slice(from).map((c) => c.method),
        argBytes: this.calls.slice(from).map((c) => c.argBytes),
      });
    }
  };
}

/** Log phases run after the response: wait until no phase has run for a while. */
async function settled(quietMs: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 10));
    if (tracker.running === 0 && performance.now() - tracker.lastActivity >= quietMs) return;
    if (performance.now() > until) throw new Error('plugin phases still running');
  }
}

/**
 * Installs the counter (once per process, before the ingress serves) and returns a function
 * that runs one request and reports the PDK calls it cost, log phases included.
 */
export function pdkCallMeter(): (request: () => Promise<unknown>) => Promise<RequestCalls> {
  install();
  return async (request) => {
    await settled(50, 5000);
    tracker.phases = [];
    tracker.overlapped = false;
    try {
      await request();
      await settled(50, 5000);
      if (tracker.overlapped) throw new Error('phases of several requests overlapped: measure one request at a time');
      const phases = tracker.phases;
      return { phases, total: phases.reduce((n, p) => n + p.methods.length, 0), events: phases.length };
    } finally {
      tracker.phases = null;
    }
  };
}

/** `plugin phase: method, method` lines, for assertions whose failure shows what changed. */
export function describeCalls(calls: RequestCalls): string[] {
  return calls.phases.map((p) => `${p.plugin} ${p.phase}: ${p.methods.map((m) => m.replace(/^kong\./, '')).join(', ')}`);
}
