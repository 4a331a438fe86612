/**
 * File service rules, shared by REST (file/http.ts) and gRPC (file/grpc.ts).
 *
 * Decisions (contract-notes I1, I9, I25; copy into the server README):
 * - Upload body (untyped in the contract, I9): {fileName*, fileSize* (integer > 0, ≤ 100 MiB), mimeType*,
 *   fileType* ∈ image|video|audio|file, expiresHours? (integer ≥ 0, 0 = never expires)}; 400 names the field.
 * - No object store: uploadUrl/downloadUrl are absolute presigned-style URLs on this server,
 *   `{publicUrl}/api/v1/files/{fileId}/blob?exp=<unix s>&sig=<base64url HMAC-SHA256(jwtSecret, "METHOD|fileId|exp")>`.
 *   PUT uploads raw bytes (any content type, at most the declared fileSize), GET downloads them with the declared mimeType.
 *   The signature is the only credential (no Authorization header); a bad or expired signature answers 403.
 *   Upload URLs live 1 h; download URLs `expiresMinutes` (default 60, 1…10080).
 * - Status (proto FileInfo.status): 2 "processing" from upload-token until complete, 1 active, 0 deleted.
 *   complete without uploaded bytes → 400 "no bytes uploaded"; complete twice → the same FileInfo, one notification.
 *   fileSize in FileInfo is the number of bytes actually received once completed.
 * - FileInfo is the camelCase form of proto file.FileInfo; createdAt/expiresAt are int Unix seconds (proto int64).
 * - Access: only the owner reads, downloads or deletes (403; the fault `authz.files-cross-user` opens metadata reads);
 *   complete declares no 403, so another user's file there is 404. Deleted and expired files are 404.
 * - Notifications to the owner: `file.upload_completed` {fileId, fileName, fileSize, mimeType, fileType} on complete;
 *   `file.processing` {fileId, fileName, fileSize, status: 2} when the bytes of a pending upload have been received;
 *   `file.expiring` {fileId, fileName, expiresAt} once an active file with expiresHours is within 1 h of expiry
 *   (checked at complete and by a 60 s sweep, which also removes expired files).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { ServerContext } from '../context.js';
import { AppError, badRequest, forbidden, notFound, conflict } from '../errors.js';
import { newId, nowSec } from '../ids.js';
import { pageOffset } from '../store/paging.js';

export const FILE_TYPES = ['image', 'video', 'audio', 'file'] as const;
export type FileType = (typeof FILE_TYPES)[number];

export const MAX_FILE_BYTES = 100 * 1024 * 1024;
export const UPLOAD_URL_TTL_SEC = 3600;
const MAX_DOWNLOAD_MINUTES = 7 * 24 * 60;
const EXPIRING_WINDOW_SEC = 3600;
const SWEEP_MS = 60_000;
/** The REST prefix every plugin is mounted under (server.ts). */
const API_PREFIX = '/api/v1';
export const FILE_ID_RE = /^f_[A-Za-z0-9_-]{1,64}$/;

export const STATUS_DELETED = 0;
export const STATUS_ACTIVE = 1;
export const STATUS_PROCESSING = 2;

interface FileRow {
  file_id: string;
  user_id: string;
  file_name: string;
  file_type: string;
  file_size: number;
  mime_type: string;
  status: number;
  /** Name of the bytes under filesDir (one per upload, so a size always matches its bytes); null until uploaded. */
  blob_name: string | null;
  uploaded_size: number | null;
  created_at: number;
  expires_at: number | null;
  expiring_notified: number;
}

/** camelCase FileInfo (proto file.FileInfo); the gRPC adapter maps the keys to snake_case. */
export interface FileInfo {
  fileId: string;
  userId: string;
  fileName: string;
  fileType: string;
  fileSize: number;
  mimeType: string;
  storagePath: string;
  thumbnailPath: string;
  bucketName: string;
  status: number;
  createdAt: number;
  expiresAt?: number;
  metadata?: string;
  downloadUrl?: string;
  thumbnailUrl?: string;
}

export interface UploadTokenInput {
  fileName: unknown;
  fileSize: unknown;
  mimeType: unknown;
  fileType: unknown;
  expiresHours?: unknown;
}

export const BUCKET_NAME = 'anychat-reference';

export class FileDomain {
  private readonly sweeper: NodeJS.Timeout;

  constructor(readonly ctx: ServerContext) {
    mkdirSync(ctx.config.filesDir, { recursive: true });
    ctx.db.exec(`
      CREATE TABLE IF NOT EXISTS files (
        file_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        file_name TEXT NOT NULL,
        file_type TEXT NOT NULL,
        file_size INTEGER NOT NULL,
        mime_type TEXT NOT NULL,
        status INTEGER NOT NULL,
        blob_name TEXT,
        uploaded_size INTEGER,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        expiring_notified INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS files_by_user ON files (user_id, status, created_at);
    `);
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  // ---- operations (identity = the authenticated caller on REST, request user_id on gRPC) ----

  generateUploadToken(userId: string, input: UploadTokenInput): { fileId: string; uploadUrl: string; expiresIn: number } {
    const v = validateUploadInput(input);
    const fileId = newId('f');
    const now = nowSec();
    this.ctx.db
      .prepare(
        `INSERT INTO files (file_id, user_id, file_name, file_type, file_size, mime_type, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(fileId, userId, v.fileName, v.fileType, v.fileSize, v.mimeType, STATUS_PROCESSING, now,
        v.expiresHours > 0 ? now + v.expiresHours * 3600 : null);
    return { fileId, uploadUrl: this.signedUrl('PUT', fileId, now + UPLOAD_URL_TTL_SEC), expiresIn: UPLOAD_URL_TTL_SEC };
  }

  completeUpload(userId: string, fileId: string): FileInfo {
    const row = this.live(fileId);
    if (!row || row.user_id !== userId) throw notFound('file', `file ${fileId} not found`, 'fileId');
    if (row.status === STATUS_ACTIVE) return toInfo(row);
    if (row.uploaded_size === null) throw badRequest('file', `no bytes uploaded for file ${fileId}: PUT them to the uploadUrl first`, 'fileId');
    this.ctx.db.prepare('UPDATE files SET status = ?, file_size = ? WHERE file_id = ?').run(STATUS_ACTIVE, row.uploaded_size, fileId);
    const done = this.live(fileId)!;
    this.ctx.bus.notify([userId], 'file.upload_completed', {
      fileId, fileName: done.file_name, fileSize: done.file_size, mimeType: done.mime_type, fileType: done.file_type,
    });
    this.notifyExpiring(done);
    return toInfo(done);
  }

  getFileInfo(userId: string, fileId: string): FileInfo {
    const row = this.live(fileId);
    if (!row) throw notFound('file', `file ${fileId} not found`, 'fileId');
    if (row.user_id !== userId && !this.ctx.faults.on('authz.files-cross-user')) {
      throw forbidden('file', `file ${fileId} belongs to another user`, 'fileId');
    }
    return toInfo(row);
  }

  generateDownloadUrl(userId: string, fileId: string, expiresMinutes: number | undefined): { downloadUrl: string; expiresIn: number } {
    const minutes = expiresMinutes ?? 60;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_DOWNLOAD_MINUTES) {
      throw badRequest('file', `expiresMinutes must be an integer between 1 and ${MAX_DOWNLOAD_MINUTES}`, 'expiresMinutes');
    }
    const row = this.owned(userId, fileId);
    if (row.status !== STATUS_ACTIVE) throw badRequest('file', `file ${fileId} is not completed yet`, 'fileId');
    const expiresIn = minutes * 60;
    return { downloadUrl: this.signedUrl('GET', fileId, nowSec() + expiresIn), expiresIn };
  }

  async deleteFile(userId: string, fileId: string): Promise<void> {
    const row = this.owned(userId, fileId);
    this.markDeleted(row.file_id);
    await this.removeBlob(row.blob_name);
  }

  listUserFiles(userId: string, opts: { fileType?: string; page?: number; pageSize?: number }): { files: FileInfo[]; total: number; page: number; pageSize: number } {
    const page = opts.page ?? 1;
    const pageSize = opts.pageSize ?? 20;
    if (!Number.isInteger(page) || page < 1) throw badRequest('file', 'page must be an integer ≥ 1', 'page');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw badRequest('file', 'pageSize must be an integer between 1 and 100', 'pageSize');
    const fileType = opts.fileType || undefined;
    if (fileType !== undefined && !(FILE_TYPES as readonly string[]).includes(fileType)) {
      throw badRequest('file', `fileType must be one of ${FILE_TYPES.join(', ')}`, 'fileType');
    }
    const now = nowSec();
    const where = `user_id = ? AND status = ${STATUS_ACTIVE} AND (expires_at IS NULL OR expires_at > ?)${fileType ? ' AND file_type = ?' : ''}`;
    const args: unknown[] = fileType ? [userId, now, fileType] : [userId, now];
    const total = (this.ctx.db.prepare(`SELECT COUNT(*) AS n FROM files WHERE ${where}`).get(...args) as { n: number }).n;
    const rows = this.ctx.db
      .prepare(`SELECT * FROM files WHERE ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`)
      .all(...args, pageSize, pageOffset(page, pageSize)) as FileRow[];
    return { files: rows.map(toInfo), total, page, pageSize };
  }

  /** The caller's own live files among `fileIds` (unknown, deleted and other users' ids are left out). */
  batchGetFileInfo(userId: string, fileIds: string[]): FileInfo[] {
    const out: FileInfo[] = [];
    for (const id of new Set(fileIds)) {
      const row = this.live(id);
      if (row && (row.user_id === userId || this.ctx.faults.on('authz.files-cross-user'))) out.push(toInfo(row));
    }
    return out;
  }

  // ---- blob transfer (the presigned-style URLs) ----

  /** Check a blob URL's signature; 403 when it is missing, wrong or expired. */
  verifySignature(method: 'PUT' | 'GET', fileId: string, exp: unknown, sig: unknown): void {
    if (typeof exp !== 'string' || !/^\d{1,12}$/.test(exp) || typeof sig !== 'string' || sig === '') {
      throw forbidden('file', 'missing or malformed signature (exp, sig)');
    }
    const expected = Buffer.from(this.sign(method, fileId, Number(exp)), 'base64url');
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw forbidden('file', 'invalid signature');
    if (Number(exp) < nowSec()) throw forbidden('file', 'the signed URL has expired');
  }

  /**
   * Store the uploaded bytes of a pending file (signature already verified). Streams to a temp file, fsyncs and renames,
   * so an acknowledged upload is on disk; more bytes than the declared fileSize abort with 400.
   */
  async storeBytes(fileId: string, body: Readable, contentLength: number | undefined): Promise<{ fileId: string; size: number }> {
    const row = this.live(fileId);
    if (!row) throw notFound('file', `file ${fileId} not found`);
    if (row.status === STATUS_ACTIVE) throw conflict('file', `file ${fileId} is already completed; request a new upload token`);
    if (contentLength === 0) throw badRequest('file', 'the upload is empty');
    if (contentLength !== undefined && contentLength > row.file_size) {
      throw badRequest('file', `Content-Length ${contentLength} exceeds the declared fileSize ${row.file_size}`);
    }
    const blobName = `${fileId}.${randomBytes(6).toString('hex')}`;
    const tmp = `${this.blobPath(blobName)}.part`;
    let size = 0;
    const limit = row.file_size;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > limit) cb(badRequest('file', `upload exceeds the declared fileSize ${limit}`));
        else cb(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(tmp));
      if (size === 0) throw badRequest('file', 'the upload is empty');
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.blobPath(blobName));
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof AppError) throw err;
      throw badRequest('file', `upload interrupted: ${(err as Error).message}`);
    }
    // Swap in the new bytes only while the file is still pending (it may have been completed or deleted meanwhile).
    const swap = this.ctx.db.transaction(() => {
      const now = this.ctx.db.prepare('SELECT status, blob_name FROM files WHERE file_id = ?').get(fileId) as Pick<FileRow, 'status' | 'blob_name'> | undefined;
      if (!now || now.status !== STATUS_PROCESSING) return { ok: false as const, status: now?.status };
      this.ctx.db.prepare('UPDATE files SET blob_name = ?, uploaded_size = ? WHERE file_id = ?').run(blobName, size, fileId);
      return { ok: true as const, previous: now.blob_name };
    })();
    if (!swap.ok) {
      await this.removeBlob(blobName);
      if (swap.status === STATUS_ACTIVE) throw conflict('file', `file ${fileId} was completed during the upload; request a new upload token`);
      throw notFound('file', `file ${fileId} not found`);
    }
    await this.removeBlob(swap.previous);
    this.ctx.bus.notify([row.user_id], 'file.processing', { fileId, fileName: row.file_name, fileSize: size, status: STATUS_PROCESSING });
    return { fileId, size };
  }

  /** Where and what to stream for a signed download; 404 unless the file is active with bytes on disk. */
  async blobForDownload(fileId: string): Promise<{ path: string; size: number; mimeType: string; fileName: string }> {
    const row = this.live(fileId);
    if (!row || row.status !== STATUS_ACTIVE || !row.blob_name) throw notFound('file', `file ${fileId} not found`);
    const path = this.blobPath(row.blob_name);
    const st = await stat(path).catch(() => null);
    if (!st) throw notFound('file', `bytes of file ${fileId} are missing`);
    return { path, size: st.size, mimeType: row.mime_type, fileName: row.file_name };
  }

  // ---- internals ----

  private sign(method: string, fileId: string, exp: number): string {
    return createHmac('sha256', this.ctx.config.jwtSecret).update(`${method}|${fileId}|${exp}`).digest('base64url');
  }

  private signedUrl(method: 'PUT' | 'GET', fileId: string, exp: number): string {
    return `${this.ctx.config.publicUrl}${API_PREFIX}/files/${encodeURIComponent(fileId)}/blob?exp=${exp}&sig=${this.sign(method, fileId, exp)}`;
  }

  private blobPath(blobName: string): string {
    return join(this.ctx.config.filesDir, blobName);
  }

  private async removeBlob(blobName: string | null): Promise<void> {
    if (blobName) await rm(this.blobPath(blobName), { force: true });
  }

  private markDeleted(fileId: string): void {
    this.ctx.db.prepare('UPDATE files SET status = ?, blob_name = NULL, uploaded_size = NULL WHERE file_id = ?').run(STATUS_DELETED, fileId);
  }

  /** A file that is neither deleted nor expired. */
  private live(fileId: string): FileRow | undefined {
    const row = this.ctx.db.prepare('SELECT * FROM files WHERE file_id = ?').get(fileId) as FileRow | undefined;
    if (!row || row.status === STATUS_DELETED) return undefined;
    if (row.expires_at !== null && row.expires_at <= nowSec()) return undefined;
    return row;
  }

  private owned(userId: string, fileId: string): FileRow {
    const row = this.live(fileId);
    if (!row) throw notFound('file', `file ${fileId} not found`, 'fileId');
    if (row.user_id !== userId) throw forbidden('file', `file ${fileId} belongs to another user`, 'fileId');
    return row;
  }

  private notifyExpiring(row: FileRow): void {
    if (row.status !== STATUS_ACTIVE || row.expires_at === null || row.expiring_notified) return;
    if (row.expires_at - nowSec() > EXPIRING_WINDOW_SEC) return;
    this.ctx.db.prepare('UPDATE files SET expiring_notified = 1 WHERE file_id = ?').run(row.file_id);
    this.ctx.bus.notify([row.user_id], 'file.expiring', { fileId: row.file_id, fileName: row.file_name, expiresAt: row.expires_at });
  }

  /** Periodic: warn owners of files about to expire, remove expired files. Stops once the store is closed. */
  private sweep(): void {
    if (!this.ctx.db.open) {
      clearInterval(this.sweeper);
      return;
    }
    try {
      const now = nowSec();
      const soon = this.ctx.db
        .prepare(`SELECT * FROM files WHERE status = ${STATUS_ACTIVE} AND expiring_notified = 0 AND expires_at IS NOT NULL AND expires_at > ? AND expires_at <= ?`)
        .all(now, now + EXPIRING_WINDOW_SEC) as FileRow[];
      for (const row of soon) this.notifyExpiring(row);
      const expired = this.ctx.db
        .prepare(`SELECT file_id, blob_name FROM files WHERE status != ${STATUS_DELETED} AND expires_at IS NOT NULL AND expires_at <= ?`)
        .all(now) as Pick<FileRow, 'file_id' | 'blob_name'>[];
      for (const { file_id, blob_name } of expired) {
        this.markDeleted(file_id);
        this.removeBlob(blob_name).catch(() => undefined);
      }
    } catch {
      // A sweep must never take the server down; the next one retries.
    }
  }
}

function validateUploadInput(input: UploadTokenInput): { fileName: string; fileSize: number; mimeType: string; fileType: FileType; expiresHours: number } {
  const { fileName, fileSize, mimeType, fileType, expiresHours } = input;
  if (typeof fileName !== 'string' || fileName.trim() === '') throw badRequest('file', "invalid field 'fileName': a non-empty string is required", 'fileName');
  if (fileName.length > 255) throw badRequest('file', "invalid field 'fileName': at most 255 characters", 'fileName');
  if (typeof fileSize !== 'number' || !Number.isInteger(fileSize) || fileSize <= 0) {
    throw badRequest('file', "invalid field 'fileSize': an integer > 0 is required", 'fileSize');
  }
  if (fileSize > MAX_FILE_BYTES) throw badRequest('file', `invalid field 'fileSize': at most ${MAX_FILE_BYTES} bytes`, 'fileSize');
  if (typeof mimeType !== 'string' || !/^[\w.+-]+\/[\w.+-]+/.test(mimeType)) {
    throw badRequest('file', "invalid field 'mimeType': a MIME type like image/png is required", 'mimeType');
  }
  if (typeof fileType !== 'string' || !(FILE_TYPES as readonly string[]).includes(fileType)) {
    throw badRequest('file', `invalid field 'fileType': one of ${FILE_TYPES.join(', ')} is required`, 'fileType');
  }
  let hours = 0;
  if (expiresHours !== undefined && expiresHours !== null) {
    if (typeof expiresHours !== 'number' || !Number.isInteger(expiresHours) || expiresHours < 0 || expiresHours > 24 * 365 * 10) {
      throw badRequest('file', "invalid field 'expiresHours': an integer between 0 (never) and 87600 is required", 'expiresHours');
    }
    hours = expiresHours;
  }
  return { fileName, fileSize, mimeType, fileType: fileType as FileType, expiresHours: hours };
}

function toInfo(row: FileRow): FileInfo {
  const info: FileInfo = {
    fileId: row.file_id,
    userId: row.user_id,
    fileName: row.file_name,
    fileType: row.file_type,
    fileSize: row.file_size,
    mimeType: row.mime_type,
    storagePath: `${row.user_id}/${row.file_id}`,
    thumbnailPath: '',
    bucketName: BUCKET_NAME,
    status: row.status,
    createdAt: row.created_at,
  };
  if (row.expires_at !== null) info.expiresAt = row.expires_at;
  return info;
}
