import { expectEqual, expectThat, fail } from '../../fixtures/failure.js';
import type { RestApi, RestResponse, TestUser } from '../../fixtures/rest-client.js';
import { field, str } from '../../fixtures/read.js';
import { check, test } from '../check.js';
import { expectStrictStatus, idsOf, opCite, owns, P, prereq, visibleList } from './support.js';
import { putBytes } from './tour.js';

/** Files (contract-notes W10, I25): the upload-token body is untyped in the contract; the fields are those of I9. */

const absolute = (u: unknown) => {
  try {
    return typeof u === 'string' && /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
};

interface Token { fileId: string; uploadUrl: string }

async function uploadToken(api: RestApi, u: TestUser, bytes: Buffer, fileType = 'file'): Promise<Token> {
  const res = await api.as(u).call('POST /files/upload-token', { body: { fileName: 'conform.txt', fileSize: bytes.length, mimeType: 'text/plain', fileType }, expect: 'success' });
  const fileId = str(res.data, 'fileId');
  if (!fileId) fail({ message: 'POST /files/upload-token returned no fileId', expected: 'data.fileId', observed: res.data ?? null, cite: 'file.GenerateUploadTokenResponse.file_id', replay: res.replay });
  return { fileId, uploadUrl: str(res.data, 'uploadUrl') ?? '' };
}

/** An upload token as setup (blocked, citing REST.FI1, when upload tokens cannot be had). */
const tokenSetup = (api: RestApi, u: TestUser, bytes: Buffer) => prereq(P.uploadToken, () => uploadToken(api, u, bytes));

check({
  id: 'REST.FI1', level: 'SHOULD', assumed: true, cites: [opCite('POST /files/upload-token'), 'file.FileService/GenerateUploadToken'],
  title: 'upload-token returns a fileId, an absolute uploadUrl and expiresIn',
}, async ({ api, newUser }) => {
  const u = await newUser();
  await owns(P.uploadToken, async () => {
    const res = await api.as(u).call('POST /files/upload-token', { body: { fileName: 'photo.png', fileSize: 2048, mimeType: 'image/png', fileType: 'image' }, expect: 'success' });
    expectThat(str(res.data, 'fileId') !== undefined, { message: 'no fileId', expected: 'data.fileId', observed: res.data ?? null, cite: 'file.GenerateUploadTokenResponse.file_id', replay: res.replay });
    expectThat(absolute(str(res.data, 'uploadUrl')), { message: 'uploadUrl is not an absolute http(s) URL', expected: 'an absolute URL (a presigned PUT target)', observed: str(res.data, 'uploadUrl') ?? null, cite: 'file.GenerateUploadTokenResponse.upload_url', replay: res.replay });
    expectThat(Number(str(res.data, 'expiresIn')) > 0, { message: 'expiresIn is not a positive number of seconds', expected: '> 0', observed: str(res.data, 'expiresIn') ?? null, cite: 'file.GenerateUploadTokenResponse.expires_in', replay: res.replay });
  });
});

check({
  id: 'REST.FI2', level: 'SHOULD', assumed: true, cites: [opCite('GET /files/{fileId}'), opCite('GET /files/{fileId}', 'responses', '403')],
  title: "the owner reads the file's metadata; another user cannot (403/404)",
}, async ({ api, target, recorder, newUser }) => {
  const [a, b] = await Promise.all([newUser(), newUser()]);
  const bytes = Buffer.from('fi2 bytes');
  const tok = await tokenSetup(api, a, bytes);
  if (target.filesUpload) {
    await prereq(P.fileUpload, async () => {
      await putBytes(tok.uploadUrl, bytes, 'text/plain', target.timeoutMs, recorder);
      await api.as(a).call('POST /files/{fileId}/complete', { params: { fileId: tok.fileId }, expect: 'success' });
    });
  }
  const own = await api.as(a).call('GET /files/{fileId}', { params: { fileId: tok.fileId }, expect: 'success' });
  expectEqual(str(own.data, 'fileId') ?? null, tok.fileId, 'fileId of GET /files/{fileId}', 'file.FileInfo.file_id');
  await api.as(b).call('GET /files/{fileId}', { params: { fileId: tok.fileId }, expect: 'failure', why: "for another user's file", cite: opCite('GET /files/{fileId}', 'responses', '403') });
});

check({
  id: 'REST.FI3', level: 'MAY', assumed: true, cites: [opCite('POST /files/{fileId}/complete'), opCite('GET /files'), opCite('GET /files/{fileId}/download')],
  title: 'bytes PUT to uploadUrl, then complete: the file is listed, downloadUrl is absolute and returns the same bytes (beyond the contract)',
}, async ({ api, target, recorder, newUser }) => {
  test.skip(!target.filesUpload, 'files upload is off (ANYCHAT_FILES_UPLOAD=0): the presigned URLs may be unreachable from here');
  const u = await newUser();
  const bytes = Buffer.from(`anychat-conform ${Date.now()} ✓ bytes`);
  const tok = await tokenSetup(api, u, bytes);
  const done = await owns(P.fileUpload, async () => {
    await putBytes(tok.uploadUrl, bytes, 'text/plain', target.timeoutMs, recorder);
    return api.as(u).call('POST /files/{fileId}/complete', { params: { fileId: tok.fileId }, expect: 'success' });
  });
  expectEqual(str(done.data, 'fileId') ?? null, tok.fileId, 'fileId of complete', 'file.FileInfo.file_id');
  const list = await api.as(u).call('GET /files', { expect: 'success' });
  const fid = (f: unknown) => str(f, 'fileId');
  expectThat(idsOf(visibleList(list, 'GET /files', 'files', fid, 'fileId'), fid).includes(tok.fileId), { message: 'the completed file is not in GET /files', expected: tok.fileId, observed: list.data ?? null, cite: opCite('GET /files'), replay: list.replay });
  const dl = await api.as(u).call('GET /files/{fileId}/download', { params: { fileId: tok.fileId }, expect: 'success' });
  const downloadUrl = str(dl.data, 'downloadUrl') ?? '';
  expectThat(absolute(downloadUrl), { message: 'downloadUrl is not an absolute URL', expected: 'absolute http(s) URL', observed: field(dl.data, 'downloadUrl') ?? null, cite: 'file.GenerateDownloadURLResponse.download_url', replay: dl.replay });
  const started = Date.now();
  const replay = `curl -sS '${downloadUrl}'`;
  let got: Buffer;
  try {
    const res = await fetch(downloadUrl, { signal: AbortSignal.timeout(target.timeoutMs) });
    got = Buffer.from(await res.arrayBuffer());
    recorder.exchange({ protocol: 'rest', label: 'GET downloadUrl', request: { url: downloadUrl }, response: got.toString('utf8').slice(0, 200), status: res.status, replay, durationMs: Date.now() - started });
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
  const tok = await tokenSetup(api, u, Buffer.from('fi4'));
  await api.as(u).call('DELETE /files/{fileId}', { params: { fileId: tok.fileId }, expect: 'success' });
  const gone = await api.as(u).call('GET /files/{fileId}', { params: { fileId: tok.fileId }, expect: 'failure', why: 'after the file was deleted', cite: opCite('GET /files/{fileId}', 'responses', '404') });
  expectStrictStatus(target, gone, 'GET /files/{fileId}', 404, 'for a deleted file');
});
