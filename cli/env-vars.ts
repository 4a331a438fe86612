/**
 * Every ANYCHAT_* variable the suites and fixtures read, for `run --help` (tests/cli-run-usage.test.ts greps fixtures/
 * and suites/ and fails when one is missing here). Options set most of them; the rest pass through from the
 * environment (or the config file's "env" object).
 */
export const SUITE_ENV: ReadonlyArray<readonly [name: string, what: string]> = [
  ['ANYCHAT_TARGET', 'target server root (the url argument)'],
  ['ANYCHAT_REST_PREFIX', 'REST base path under the root (default /api/v1; the WS endpoint moves with it)'],
  ['ANYCHAT_ADMIN_URL', 'base URL of the contract\'s /admin/* operations (--admin-url; default <url>/api/v1/admin)'],
  ['ANYCHAT_ADMIN_USER', 'admin account (--admin-user); admin checks need it'],
  ['ANYCHAT_ADMIN_PASSWORD', 'its password (--admin-password; never written to run-config.json)'],
  ['ANYCHAT_GRPC', 'gRPC host:port serving every service (--grpc)'],
  ['ANYCHAT_GRPC_SERVICE_<pkg>_<Service>', 'gRPC address of one service (--grpc-service), e.g. ANYCHAT_GRPC_SERVICE_anychat_auth_AuthService'],
  ['ANYCHAT_CONTRACTS', 'contract bundle directory (--contracts)'],
  ['ANYCHAT_STRICT', '1 = strict profile (--strict)'],
  ['ANYCHAT_SEED', 'seed of generated data and property runs (--seed)'],
  ['ANYCHAT_RUN_ID', 'unique per run, embedded in test data names (set by run)'],
  ['ANYCHAT_DEVICE_TYPE', 'deviceType sent at register/login (--device-type; default ios)'],
  ['ANYCHAT_PLATFORM', 'push-token platform override used after the contract value (ios) is refused (default: the contract enum)'],
  ['ANYCHAT_CONTENT_FORMAT', 'message content: json ({"text":"…"}, default) or text (--content-format)'],
  ['ANYCHAT_VERIFY_CODE', 'verifyCode sent at register (default 123456)'],
  ['ANYCHAT_CLIENT_VERSION', 'clientVersion sent at register/login (default 1.0.0)'],
  ['ANYCHAT_PRIVATE_CONV', 'private conversation ids: peer | pair | off (--private-conv)'],
  ['ANYCHAT_FILES_UPLOAD', '0 = do not PUT bytes to upload URLs (--no-files-upload)'],
  ['ANYCHAT_TIMEOUT_MS', 'timeout of every network call (--timeout-ms; default 10000)'],
  ['ANYCHAT_CHECK_TIMEOUT_MS', 'timeout of one whole check (default 60000)'],
  ['ANYCHAT_WORKERS', 'parallel Playwright workers (--workers; default 2)'],
  ['ANYCHAT_JWT_SECRET', 'the deployment\'s HS256 key, so SEC.4 can forge a validly signed expired token (else it needs a short token lifetime); never written to run-config.json'],
  ['ANYCHAT_NUM_RUNS', 'ordering: property runs per property (--num-runs)'],
  ['ANYCHAT_MAX_COMMANDS', 'ordering: commands per generated run (--max-commands)'],
  ['ANYCHAT_ORD_PATH', 'ordering: replay one counterexample (--path)'],
  ['ANYCHAT_ORD_BUDGET_MS', 'ordering: time budget of one property (default 25000)'],
  ['ANYCHAT_ORD_GRACE_MS', 'ordering: how long to wait for late frames before judging'],
  ['ANYCHAT_RUN_CONFIG', 'set by run: the path of <out>/run-config.json as the user would type it, for replay lines (run --config … --grep …)'],
  ['ANYCHAT_STATE_DIR', 'where a run shares broken prerequisites between workers (set by run: <out>/.state, emptied at start)'],
];

export function envHelp(): string {
  const width = Math.max(...SUITE_ENV.map(([n]) => n.length));
  return SUITE_ENV.map(([n, w]) => `  ${n.padEnd(width)}  ${w}`).join('\n');
}
