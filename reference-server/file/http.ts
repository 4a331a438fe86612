import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { notFound } from '../errors.js';
import { sendError, sendOk, toAppError } from '../http/envelope.js';
import { contractRoutes } from '../http/routes.js';
import { FILE_ID_RE } from './domain.js';

/** REST routes of the file area (6 contract ops) plus the non-contract signed blob routes behind uploadUrl/downloadUrl. */
export default async function fileHttp(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  const files = () => ctx.domains.file;
  contractRoutes(app, ctx, {
    'POST /files/upload-token': ({ caller, body }) => files().generateUploadToken(caller.userId, body ?? {}),
    'POST /files/{fileId}/complete': ({ caller, params }) => files().completeUpload(caller.userId, params.fileId),
    'GET /files/{fileId}': ({ caller, params }) => files().getFileInfo(caller.userId, params.fileId),
    'GET /files/{fileId}/download': ({ caller, params, query }) =>
      files().generateDownloadUrl(caller.userId, params.fileId, query.expiresMinutes),
    'DELETE /files/{fileId}': async ({ caller, params }) => {
      await files().deleteFile(caller.userId, params.fileId);
    },
    'GET /files': ({ caller, query }) =>
      files().listUserFiles(caller.userId, { fileType: query.fileType, page: query.page, pageSize: query.pageSize }),
  });
  await app.register(blobRoutes, { ctx });
}

/**
 * PUT/GET `/files/{fileId}/blob?exp&sig`: the signature is the credential, so no Authorization header is read.
 * A child context with its own catch-all parser hands the raw request stream to the domain (any content type, no JSON parsing).
 */
async function blobRoutes(app: FastifyInstance, opts: { ctx: ServerContext }): Promise<void> {
  const { ctx } = opts;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
    // Drain an unread upload body so the client sees the error instead of a reset.
    const body = req.body as Readable | undefined;
    if (body && typeof body.resume === 'function' && !body.readableEnded) body.resume();
    return sendError(ctx, reply, toAppError(err, req.log, 'file'));
  };
  const fileIdOf = (req: FastifyRequest): string => {
    const { fileId } = req.params as { fileId: string };
    if (!FILE_ID_RE.test(fileId)) throw notFound('file', `file ${fileId} not found`);
    return fileId;
  };

  app.put('/files/:fileId/blob', async (req, reply) => {
    try {
      const fileId = fileIdOf(req);
      const q = req.query as Record<string, unknown>;
      ctx.domains.file.verifySignature('PUT', fileId, q.exp, q.sig);
      const length = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
      const body = (req.body as Readable | undefined) ?? req.raw;
      const stored = await ctx.domains.file.storeBytes(fileId, body, Number.isFinite(length) ? length : undefined);
      return sendOk(ctx, reply, stored);
    } catch (err) {
      return fail(req, reply, err);
    }
  });

  app.get('/files/:fileId/blob', async (req, reply) => {
    try {
      const fileId = fileIdOf(req);
      const q = req.query as Record<string, unknown>;
      ctx.domains.file.verifySignature('GET', fileId, q.exp, q.sig);
      const blob = await ctx.domains.file.blobForDownload(fileId);
      return reply
        .status(200)
        .type(blob.mimeType)
        .header('content-length', blob.size)
        .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(blob.fileName)}`)
        .header('cache-control', 'private, no-store')
        .send(createReadStream(blob.path));
    } catch (err) {
      return fail(req, reply, err);
    }
  });
}
