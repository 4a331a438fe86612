import { Option, type Command } from 'commander';
import { FAULTS } from '../reference-server/faults.js';
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
    .option('--list-faults', 'print the fault catalogue and exit')
    .addOption(new Option('--log-level <level>', 'server log level').choices(['silent', 'error', 'warn', 'info', 'debug']).default('silent'))
    .addHelpText('after', `
With --port 0 the chosen addresses are printed as one JSON line: {"http":…,"ws":…,"grpc":…}.

Examples:
  $ anychat-conform serve
  $ anychat-conform serve --port 0 --grpc-port 0 --db :memory:
  $ anychat-conform serve --fault ws.no-pong,rest.snake-case`)
    .action(async (opts) => {
      if (opts.listFaults) {
        for (const f of FAULTS) process.stdout.write(`${f.id.padEnd(30)} ${f.protocol.padEnd(10)} ${f.description}  [caught by ${f.catches.join(', ')}]\n`);
        return;
      }
      const unknown = (opts.fault ?? []).filter((id: string) => !FAULTS.some((f) => f.id === id));
      if (unknown.length) throw new SetupError(`unknown fault id(s): ${unknown.join(', ')} (see anychat-conform serve --list-faults)`);
      const { startServer } = await import('../reference-server/server.js');
      const server = await startServer({
        host: opts.host, port: opts.port, grpcPort: opts.grpcPort, db: opts.db, jwtSecret: opts.jwtSecret,
        adminUser: opts.adminUser, adminPassword: opts.adminPassword, faults: opts.fault ?? [], logLevel: opts.logLevel,
      });
      process.stdout.write(JSON.stringify({ http: server.httpUrl, base: server.baseUrl, ws: server.wsUrl, grpc: server.grpcAddress, faults: server.ctx.faults.ids }) + '\n');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      setExit(0);
    });
}
