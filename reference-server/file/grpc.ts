import type { ServerContext } from '../context.js';
import { requiredString } from '../grpc/args.js';
import type { RpcHandlers } from '../grpc/host.js';
import type { FileInfo } from './domain.js';

/** file.FileService (package `file`, not `anychat.file`): the caller's identity is the request's user_id. */
export function grpcService(ctx: ServerContext): { name: string; handlers: RpcHandlers } {
  const files = () => ctx.domains.file;
  const handlers: RpcHandlers = {
    GenerateUploadToken: (r) => {
      const t = files().generateUploadToken(userIdOf(r), {
        fileName: r.file_name,
        fileSize: r.file_size,
        mimeType: r.mime_type,
        fileType: r.file_type,
        expiresHours: r.expires_hours ?? undefined,
      });
      return { file_id: t.fileId, upload_url: t.uploadUrl, expires_in: t.expiresIn };
    },
    CompleteUpload: (r) => fileInfoToProto(files().completeUpload(userIdOf(r), fileIdOf(r))),
    GenerateDownloadURL: (r) => {
      // proto3 `optional`: absent (or 0, the unset default) means the documented default of 60 minutes.
      const minutes = r.expires_minutes ? r.expires_minutes : undefined;
      const d = files().generateDownloadUrl(userIdOf(r), fileIdOf(r), minutes);
      return { download_url: d.downloadUrl, expires_in: d.expiresIn };
    },
    GetFileInfo: (r) => fileInfoToProto(files().getFileInfo(userIdOf(r), fileIdOf(r))),
    DeleteFile: async (r) => {
      await files().deleteFile(userIdOf(r), fileIdOf(r));
      return { success: true };
    },
    ListUserFiles: (r) => {
      const list = files().listUserFiles(userIdOf(r), {
        fileType: r.file_type || undefined,
        page: r.page || undefined,
        pageSize: r.page_size || undefined,
      });
      return { files: list.files.map(fileInfoToProto), total: list.total, page: list.page, page_size: list.pageSize };
    },
    BatchGetFileInfo: (r) => ({
      files: files().batchGetFileInfo(userIdOf(r), Array.isArray(r.file_ids) ? r.file_ids : []).map(fileInfoToProto),
    }),
  };
  return { name: 'file.FileService', handlers };
}

function userIdOf(r: any): string {
  return requiredString(r, 'user_id', 'file');
}

function fileIdOf(r: any): string {
  return requiredString(r, 'file_id', 'file');
}

export function fileInfoToProto(f: FileInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    file_id: f.fileId,
    user_id: f.userId,
    file_name: f.fileName,
    file_type: f.fileType,
    file_size: f.fileSize,
    mime_type: f.mimeType,
    storage_path: f.storagePath,
    thumbnail_path: f.thumbnailPath,
    bucket_name: f.bucketName,
    status: f.status,
    created_at: f.createdAt,
  };
  if (f.expiresAt !== undefined) out.expires_at = f.expiresAt;
  if (f.metadata !== undefined) out.metadata = f.metadata;
  if (f.downloadUrl !== undefined) out.download_url = f.downloadUrl;
  if (f.thumbnailUrl !== undefined) out.thumbnail_url = f.thumbnailUrl;
  return out;
}
