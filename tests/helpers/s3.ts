import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import type { S3Settings } from "../../bot-server/src/modules/files/s3-file-store";

/** s3rver checks request signatures against these credentials (its defaults). */
const ACCESS_KEY_ID = "S3RVER";
const SECRET_ACCESS_KEY = "S3RVER";

export type TestS3 = {
  /** FILE_STORE=s3 settings for a server (config.fileStore) or an S3FileStore, under a prefix of their own. */
  settings: (prefix?: string) => S3Settings;
  /** Where s3rver keeps the objects: to look at them behind the store's back. */
  directory: string;
  close: () => Promise<void>;
};

/**
 * An S3-protocol server on loopback (s3rver, decision 0019) with one bucket, on a port of its own and a temporary
 * folder, for the S3 file store's tests. Every test file starts its own.
 */
export async function startS3(bucket = "qn-test-files"): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "qn-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  let prefixes = 0;
  return {
    settings: (prefix = `files-${++prefixes}`) => ({
      kind: "s3",
      bucket,
      prefix,
      endpoint: `http://127.0.0.1:${port}`,
      region: "ap-southeast-1",
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      forcePathStyle: true,
    }),
    directory,
    close: async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
