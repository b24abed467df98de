/** Environment variable names every component reads for the shared stores. */
export const REDIS_URL_ENV = 'AIGW_REDIS_URL';
export const DATABASE_URL_ENV = 'AIGW_DATABASE_URL';
