import { Option, type Command } from 'commander';
import { FAULTS, FAULT_PROFILES } from '../reference-server/faults.js';
import { SetupError } from '../contracts/errors.js';
import type { SetExit } from './main.js';
import { intOption } from './options.js';

export function registerServe(program: Command, setExit: SetExit): void {
  program
    .command('serve')
    .description('Run the reference AnyChat server: REST + WebSocket on one port (base /api/v1), every gRPC service on another, embedded SQLite.')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'HTTP + WebSocket port (0 = pick a free one)', intOption('--port', 0, 65535), 8080)
    .option('--grpc-port <n>', 'gRPC port (0 = pick a free one, -1 = no gRPC)', intOption('--grpc-port', -1, 65535), 9090)
    .option('--db <path>', "SQLite file, or ':memory:'", 'data/anychat.db')
    .option('--jwt-secret <secret>', 'HS256 secret for tokens (default: env ANYCHAT_JWT_SECRET, else random per start)')
    .option('--admin-user <name>', 'seeded admin user name', 'admin')
    .option('--admin-password <password>', 'seeded admin password', 'Admin@123456')
    .option('--fault <ids>', 'switch on injected faults (comma-separated ids; see --list-faults)', (v: string) => v.split(',').filter(Boolean))
    .option('--profile <name>', `switch on a named fault set (${Object.keys(FAULT_PROFILES).join(', ')}; dialect = how the official backend differs, see --list-faults)`)
    .option('--list-faults', 'print the fault catalogue and the profiles, and exit')
    .addOption(new Option('--log-level <level>', 'server log level').choices(['silent', 'error', 'warn', 'info', 'debug']).default('silent'))
    .addHelpText('after', `
With --port 0 the chosen addresses are printed as one JSON line: {"http":…,"ws":…,"grpc":…}.

Examples:
  $ anychat-conform serve
  $ anychat-conform serve --port 0 --grpc-port 0 --db :memory:
  $ anychat-conform serve --fault ws.no-pong,rest.snake-case
  $ anychat-conform serve --profile dialect`)
    .action(async (opts) => {
      if (opts.listFaults) {
        for (const f of FAULTS) {
          const by = f.tolerated ? `tolerated: must not fail ${f.catches.join(', ')}` : `caught by ${f.catches.join(', ')}`;
          process.stdout.write(`${f.id.padEnd(34)} ${f.protocol.padEnd(10)} ${f.description}  [${by}]\n`);
        }
        for (const [name, ids] of Object.entries(FAULT_PROFILES)) process.stdout.write(`profile ${name}: ${ids.join(',')}\n`);
        return;
      }
      if (opts.profile !== undefined && !FAULT_PROFILES[opts.profile]) {
        throw new SetupError(`unknown --profile ${JSON.stringify(opts.profile)} (profiles: ${Object.keys(FAULT_PROFILES).join(', ')})`);
      }
      const faults: string[] = [...new Set([...(opts.profile ? FAULT_PROFILES[opts.profile]! : []), ...(opts.fault ?? [])])];
      const unknown = faults.filter((id: string) => !FAULTS.some((f) => f.id === id));
      if (unknown.length) throw new SetupError(`unknown fault id(s): ${unknown.join(', ')} (see anychat-conform serve --list-faults)`);
      const { startServer } = await import('../reference-server/server.js');
      const server = await startServer({
        host: opts.host, port: opts.port, grpcPort: opts.grpcPort, db: opts.db, jwtSecret: opts.jwtSecret,
        adminUser: opts.adminUser, adminPassword: opts.adminPassword, faults, logLevel: opts.logLevel,
      });
      process.stdout.write(JSON.stringify({ http: server.httpUrl, base: server.baseUrl, ws: server.wsUrl, admin: server.adminUrl, grpc: server.grpcAddress, faults: server.ctx.faults.ids }) + '\n');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      setExit(0);
    });
}
