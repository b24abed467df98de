/** Prometheus metrics of the inference sidecar; labels are bounded (rpc, method, outcome, model id from the models folder). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class InferenceMetrics {
  readonly registry = new Registry();
  readonly modelLoadSeconds = new Gauge({
    name: 'aigw_inference_model_load_seconds',
    help: 'Time a model took to load (the slowest worker), by model and whether it loaded',
    labelNames: ['model', 'loaded'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'aigw_inference_request_seconds',
    help: 'Request time from arrival to answer (queue wait included), by rpc and method',
    labelNames: ['rpc', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly modelErrors = new Counter({
    name: 'aigw_inference_model_errors_total',
    help: 'Models that failed to load (the sidecar serves on without them), by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'aigw_inference_queue_depth', help: 'Requests waiting for a worker', registers: [this.registry] });
  readonly requests = new Counter({
    name: 'aigw_inference_requests_total',
    help: 'Requests answered, by rpc, method and outcome (ok or the gRPC status name)',
    labelNames: ['rpc', 'method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly computed = new Counter({
    name: 'aigw_inference_computed_total',
    help: 'Jobs a worker actually ran, by rpc and method',
    labelNames: ['rpc', 'method'] as const,
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'aigw_inference_rejections_total',
    help: 'Requests refused at once with RESOURCE_EXHAUSTED because the queue was full',
    labelNames: ['rpc'] as const,
    registers: [this.registry],
  });
  readonly deadlineDrops = new Counter({
    name: 'aigw_inference_deadline_drops_total',
    help: 'Queued requests dropped uncomputed because their deadline had passed when a worker was free',
    labelNames: ['rpc'] as const,
    registers: [this.registry],
  });
  readonly busyWorkers = new Gauge({ name: 'aigw_inference_workers_busy', help: 'Model worker threads running a job', registers: [this.registry] });
  readonly workers = new Gauge({ name: 'aigw_inference_workers', help: 'Model worker threads running', registers: [this.registry] });

  constructor() {
    // Unprefixed, as every process's: one event-loop and memory panel covers them all.
    collectDefaultMetrics({ register: this.registry });
  }

  /** The current value of a counter or gauge series (tests and the bench read it). */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((sum, v) => sum + v.value, 0);
  }
}
