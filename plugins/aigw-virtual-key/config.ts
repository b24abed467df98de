/** The config as Kong delivers it (validated, defaults filled, vault references resolved). */
export interface VirtualKeyConfig {
  database_url: string;
  redis_url: string;
  signing_secret: string;
  require_admin: boolean;
  cache_ttl_seconds: number;
  negative_cache_ttl_seconds: number;
  redis_cache_ttl_seconds: number;
  max_request_body_bytes: number;
  parallel_lease_seconds: number;
}
