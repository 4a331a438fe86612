import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import { check, test } from '../check.js';
import { assumedSetup, expectStrictStatus, opCite } from './support.js';
import { putBytes } from './tour.js';

/** Files (contract-notes W10, I25): the upload-token body is untyped in the contract; the fields are those of I9. */

const absolute = (u: unknown) => {
  try {
    return typeof u === 'string' && /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
};

async function uploadToken(api: RestApi, u: TestUser, bytes: Buffer, fileType = 'file'): Promise<RestResponse> {
  return api.as(u).call('POST /files/upload-token', { body: { fileName: 'conform.txt', fileSize: bytes.length, mimeType: 'text/plain', fileType }, expect: 'success' });
}

check({
  id: 'REST.FI1', level: 'SHOULD', assumed: true, cites: [opCite('POST /files/upload-token'), 'file.FileService/GenerateUploadToken'],
  title: 'upload-token returns a fileId, an absolute uploadUrl and expiresIn',
}, async ({ api, newUser }) => {
  const u = await newUser();
  const res = await api.as(u).call('POST /files/upload-token', { body: { fileName: 'photo.png', fileSize: 2048, mimeType: 'image/png', fileType: 'image' }, expect: 'success' });
  expectThat(typeof res.data.fileId === 'string' && res.data.fileId !== '', { message: 'no fileId', expected: 'data.fileId', observed: res.data, cite: 'file.GenerateUploadTokenResponse.file_id', replay: res.replay });
  expectThat(absolute(res.data.uploadUrl), { message: 'uploadUrl is not an absolute http(s) URL', expected: 'an absolute URL (a presigned PUT target)', observed: res.data.uploadUrl, cite: 'file.GenerateUploadTokenResponse.upload_url', replay: res.replay });
  expectThat(Number(res.data.expiresIn) > 0, { message: 'expiresIn is not a positive number of seconds', expected: '> 0', observed: res.data.expiresIn, cite: 'file.GenerateUploadTokenResponse.expires_in', replay: res.replay });
});

check({
  id: 'REST.FI2', level: 'SHOULD', assumed: true, cites: [opCite('GET /files/{fileId}'), opCite('GET /files/{fileId}', 'responses', '403')],
  title: "the owner reads the file's metadata; another user cannot (403/404)",
}, async ({ api, target, recorder, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const bytes = Buffer.from('fi2 bytes');
  const tok = await assumedSetup('upload-token', () => uploadToken(api, a, bytes));
  if (target.filesUpload) {
    await putBytes(tok.data.uploadUrl, bytes, 'text/plain', target.timeoutMs, recorder);
    await api.as(a).call('POST /files/{fileId}/complete', { params: { fileId: tok.data.fileId }, expect: 'success' });
  }
  const own = await api.as(a).call('GET /files/{fileId}', { params: { fileId: tok.data.fileId }, expect: 'success' });
  expectEqual(own.data.fileId, tok.data.fileId, 'fileId of GET /files/{fileId}', 'file.FileInfo.file_id');
  await api.as(b).call('GET /files/{fileId}', { params: { fileId: tok.data.fileId }, expect: 'failure', why: "for another user's file", cite: opCite('GET /files/{fileId}', 'responses', '403') });
});

check({
  id: 'REST.FI3', level: 'MAY', assumed: true, cites: [opCite('POST /files/{fileId}/complete'), opCite('GET /files'), opCite('GET /files/{fileId}/download')],
  title: 'bytes PUT to uploadUrl, then complete: the file is listed, downloadUrl is absolute and returns the same bytes',
}, async ({ api, target, recorder, newUser }) => {
  test.skip(!target.filesUpload, 'files upload is off (ANYCHAT_FILES_UPLOAD=0): the presigned URLs may be unreachable from here');
  const u = await newUser();
  const bytes = Buffer.from(`anychat-conform ${Date.now()} ✓ bytes`);
  const tok = await uploadToken(api, u, bytes);
  await putBytes(tok.data.uploadUrl, bytes, 'text/plain', target.timeoutMs, recorder);
  const done = await api.as(u).call('POST /files/{fileId}/complete', { params: { fileId: tok.data.fileId }, expect: 'success' });
  expectEqual(done.data.fileId, tok.data.fileId, 'fileId of complete', 'file.FileInfo.file_id');
  const list = await api.as(u).call('GET /files', { expect: 'success' });
  expectThat((list.data.files ?? []).some((f: any) => f?.fileId === tok.data.fileId), { message: 'the completed file is not in GET /files', expected: tok.data.fileId, observed: list.data, cite: opCite('GET /files'), replay: list.replay });
  const dl = await api.as(u).call('GET /files/{fileId}/download', { params: { fileId: tok.data.fileId }, expect: 'success' });
  expectThat(absolute(dl.data.downloadUrl), { message: 'downloadUrl is not an absolute URL', expected: 'absolute http(s) URL', observed: dl.data.downloadUrl, cite: 'file.GenerateDownloadURLResponse.download_url', replay: dl.replay });
  const started = Date.now();
  const replay = `curl -sS '${dl.data.downloadUrl}'`;
  let got: Buffer;
  try {
    const res = await fetch(dl.data.downloadUrl, { signal: AbortSignal.timeout(target.timeoutMs) });
    got = Buffer.from(await res.arrayBuffer());
    recorder.exchange({ protocol: 'rest', label: 'GET downloadUrl', request: { url: dl.data.downloadUrl }, response: got.toString('utf8').slice(0, 200), status: res.status, replay, durationMs: Date.now() - started });
    expectThat(res.status === 200, { message: `downloadUrl answered HTTP ${res.status}`, expected: 200, observed: res.status, cite: 'file.GenerateDownloadURLResponse.download_url', replay });
  } catch (e) {
    if ((e as Error).name === 'ConformanceFailure') throw e;
    fail({ message: `fetching downloadUrl failed: ${(e as Error).message}`, expected: 'the uploaded bytes', cite: 'file.GenerateDownloadURLResponse.download_url', replay });
  }
  expectThat(got.equals(bytes), { message: 'downloaded bytes differ from the uploaded ones', expected: bytes.toString('base64'), observed: got.toString('base64'), cite: opCite('GET /files/{fileId}/download'), replay });
});

check({
  id: 'REST.FI4', level: 'MUST', assumed: true, cites: [opCite('DELETE /files/{fileId}'), opCite('GET /files/{fileId}', 'responses', '404')],
  title: 'DELETE /files/{fileId} succeeds and the file then reads as not found (404)',
}, async ({ api, target, newUser }) => {
  const u = await newUser();
  const tok = await assumedSetup('upload-token', () => uploadToken(api, u, Buffer.from('fi4')));
  await api.as(u).call('DELETE /files/{fileId}', { params: { fileId: tok.data.fileId }, expect: 'success' });
  const gone = await api.as(u).call('GET /files/{fileId}', { params: { fileId: tok.data.fileId }, expect: 'failure', why: 'after the file was deleted', cite: opCite('GET /files/{fileId}', 'responses', '404') });
  expectStrictStatus(target, gone, 'GET /files/{fileId}', 404, 'for a deleted file');
});
