import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../config";

/** FILE_STORE and the S3_* settings (issue 16, decision 0019). */
const S3 = {
  FILE_STORE: "s3",
  S3_BUCKET: "qn-dvc-files",
  S3_PREFIX: "prod/files",
  S3_ENDPOINT: "https://s3.example.vn/",
  S3_REGION: "ap-southeast-1",
  S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
  S3_SECRET_ACCESS_KEY: "secret-example",
  S3_FORCE_PATH_STYLE: "true",
};

function issues(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe("file storage settings", () => {
  it("when nothing is set, then documents stay on this machine's disk, as before", () => {
    expect(loadConfig({}).fileStore).toEqual({ kind: "local" });
  });

  it("when FILE_STORE=s3 has all its settings, then they are parsed (the endpoint without its trailing slash)", () => {
    expect(loadConfig(S3).fileStore).toEqual({
      kind: "s3",
      bucket: "qn-dvc-files",
      prefix: "prod/files",
      endpoint: "https://s3.example.vn",
      region: "ap-southeast-1",
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: "secret-example",
      forcePathStyle: true,
    });
    expect(loadConfig({ ...S3, S3_FORCE_PATH_STYLE: "false" }).fileStore).toMatchObject({ forcePathStyle: false });
  });

  it("when FILE_STORE=s3 misses some S3_* settings, then each missing one is named", () => {
    const { S3_REGION: _r, S3_SECRET_ACCESS_KEY: _s, ...partial } = S3;
    expect(issues(partial).map((i) => i.variable)).toEqual(["S3_REGION", "S3_SECRET_ACCESS_KEY"]);
  });

  it("when S3_* settings are set without FILE_STORE=s3, then it is refused rather than silently kept on the disk", () => {
    const { FILE_STORE: _f, ...withoutKind } = S3;
    const refused = issues(withoutKind);
    expect(refused.map((i) => i.variable)).toEqual(["FILE_STORE"]);
    expect(refused[0]?.message).not.toContain("secret-example");
  });

  it("when a bucket name or prefix is malformed, then the variable is named", () => {
    expect(issues({ ...S3, S3_BUCKET: "Bad_Bucket" }).map((i) => i.variable)).toEqual(["S3_BUCKET"]);
    expect(issues({ ...S3, S3_PREFIX: "a prefix with spaces" }).map((i) => i.variable)).toEqual(["S3_PREFIX"]);
  });
});
