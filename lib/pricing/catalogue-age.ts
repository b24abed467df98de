/**
 * The price catalogue's age as a Prometheus gauge, so an operator can alert on stale prices
 * (e.g. `aigw_price_catalogue_age_days > 90`) and see which catalogue a node runs (the `version`
 * label). Kept apart from index.ts so the Kong plugins, which bundle lib/pricing, never pull in
 * prom-client. The relay's metrics registry is where it belongs: registerCatalogueAge(registry).
 */
import { Gauge, type Registry } from 'prom-client';
import { CATALOGUE_VERSION, catalogueAgeDays } from './index';

export const CATALOGUE_AGE_METRIC = 'aigw_price_catalogue_age_days';

/** Adds the gauge to `registry`; its value is computed at each scrape. */
export function registerCatalogueAge(registry: Registry, now: () => Date = () => new Date()): void {
  new Gauge({
    name: CATALOGUE_AGE_METRIC,
    help: "Days since the price catalogue (lib/pricing/catalogue.json) was read from the providers' price lists",
    labelNames: ['version'] as const,
    registers: [registry],
    collect() {
      this.set({ version: CATALOGUE_VERSION }, catalogueAgeDays(now()));
    },
  });
}
