import { randomUUID } from "node:crypto";
import fs from "node:fs";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { checkedKey, type FileStore, type FileStoreSettings, type SetAside, type StoredFile } from "./file-store";
import { fileNotFound } from "./files.errors";

export type S3Settings = Extract<FileStoreSettings, { kind: "s3" }>;

/** How many times a request is sent when the store answers 5xx or the connection fails. */
const ATTEMPTS = 3;
const RETRY_BASE_MS = 200;
const CONNECT_TIMEOUT_MS = 5_000;
/** The longest silence of the store within one request (a 100 MB put on a slow link keeps sending). */
const REQUEST_TIMEOUT_MS = 30_000;
/** A document the sweeper set aside: `<prefix>/.swept/<sha256>.<uuid>`. */
const SET_ASIDE = /\/?\.swept\/([0-9a-f]{64})\.[0-9a-f-]{36}$/;

/**
 * A failure of the object store, told by the operation, the store's error name and the HTTP status only: the SDK's
 * own errors may carry the access key id, the request's signature material or the object's key, none of which may
 * reach a log (docs/security.md).
 */
export class FileStoreError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    readonly code: string,
  ) {
    super(`file store: ${operation} failed: ${code}${status ? ` (HTTP ${status})` : ""}`);
    this.name = "FileStoreError";
  }
}

/**
 * Documents in an S3-compatible bucket (FILE_STORE=s3, issue 16): `<S3_PREFIX>/<first two hex digits>/<sha256>`, the
 * layout of the local store, so that a copy of DATA_DIR/files can be uploaded as it is. Every instance behind the load
 * balancer reads and writes the same bucket. A put sends the temporary's bytes with their length and their SHA-256
 * (the store refuses a body that is shorter, longer or other than the key says), then reads back the stored size.
 * The temporary is left for the request's clean-up, so that a filing can put it again if a sweep took it meanwhile
 * (AttachmentStore.confirm).
 */
export class S3FileStore implements FileStore {
  readonly kind = "s3";
  private readonly client: S3Client;
  private readonly bucket: string;
  /** The prefix with one trailing slash, or empty. */
  private readonly base: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    const prefix = settings.prefix.replace(/^\/+|\/+$/g, "");
    this.base = prefix ? `${prefix}/` : "";
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      // Retries are ours (`send`): a retried put needs a fresh stream of the temporary.
      maxAttempts: 1,
      // A store that stops answering fails the request (and the filing) instead of holding it.
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      // The SHA-256 we send is the only checksum: S3-compatible servers differ in the newer CRC trailers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async put(sha256: string, file: { path: string; size: number }): Promise<void> {
    const key = this.keyOf(sha256);
    // The length sent is the one the filing checked: a temporary of another size would leave the store waiting for
    // bytes that never come (or cut it short).
    const { size } = await fs.promises.stat(file.path);
    if (size !== file.size) throw new FileStoreError("PutObject", undefined, "TemporarySizeDiffers");
    await this.send("PutObject", () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: fs.createReadStream(file.path),
          ContentLength: file.size,
          ContentType: "application/octet-stream",
          ChecksumSHA256: Buffer.from(sha256, "hex").toString("base64"),
        }),
      ),
    );
    const stored = await this.head(key);
    if (stored?.size !== file.size) throw new FileStoreError("PutObject", undefined, "StoredSizeDiffers");
  }

  async open(sha256: string): Promise<Readable> {
    const key = this.keyOf(sha256);
    const answer = await this.send("GetObject", () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    if (!answer?.Body) throw fileNotFound();
    return answer.Body as Readable;
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.head(this.keyOf(sha256))) !== undefined;
  }

  async delete(sha256: string): Promise<void> {
    await this.deleteKey(this.keyOf(sha256));
  }

  async *list(): AsyncIterable<StoredFile> {
    for await (const object of this.objects(this.base)) {
      const name = object.key.slice(this.base.length);
      const match = /^([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(name);
      if (match && (match[2] as string).startsWith(match[1] as string)) {
        yield { sha256: match[2] as string, modifiedAt: object.modifiedAt };
      }
    }
  }

  /**
   * Copies the document aside, then deletes it from its key: S3 has no rename. The copy is made only if the
   * document was not written again since we read its time (a filing's fresh put is left where it is); a put landing
   * between the copy and the delete is put again by its filing after its commit (AttachmentStore.confirm), or the
   * sweeper, which looks at the references again, restores it (decision 0019).
   */
  async setAside(sha256: string): Promise<SetAside | undefined> {
    const key = this.keyOf(sha256);
    const found = await this.head(key);
    if (!found) return undefined;
    const aside = `${this.base}.swept/${sha256}.${randomUUID()}`;
    const copied = await this.copy(key, aside, found.modifiedAt);
    if (!copied) return undefined;
    await this.deleteKey(key);
    return this.handle(sha256, aside, found.modifiedAt);
  }

  async *setAsideLeft(before: number): AsyncIterable<SetAside> {
    for await (const object of this.objects(`${this.base}.swept/`)) {
      const match = SET_ASIDE.exec(object.key);
      // Its time is when it was copied aside: later than its content's, so it goes back rather than too soon.
      if (match && object.modifiedAt < before) yield this.handle(match[1] as string, object.key, object.modifiedAt);
    }
  }

  async removeTemporaries(): Promise<number> {
    return 0; // a put is whole or nothing in S3: nothing half-written is left under a key
  }

  private handle(sha256: string, aside: string, modifiedAt: number): SetAside {
    const key = this.keyOf(sha256);
    return {
      sha256,
      modifiedAt,
      restore: async () => {
        // Absent: another instance's sweep put it back or deleted it already.
        if (await this.copy(aside, key)) await this.deleteKey(aside);
      },
      discard: () => this.deleteKey(aside),
    };
  }

  private keyOf(sha256: string): string {
    const name = checkedKey(sha256);
    return `${this.base}${name.slice(0, 2)}/${name}`;
  }

  private async head(key: string): Promise<{ size: number; modifiedAt: number } | undefined> {
    const answer = await this.send("HeadObject", () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    if (!answer) return undefined;
    return { size: answer.ContentLength ?? -1, modifiedAt: answer.LastModified?.getTime() ?? Date.now() };
  }

  /** Copies `from` to `to` (if `from` was not written since `unmodifiedSince`); false if it is absent or was. */
  private async copy(from: string, to: string, unmodifiedSince?: number): Promise<boolean> {
    const source = `${this.bucket}/${from.split("/").map(encodeURIComponent).join("/")}`;
    const answer = await this.send(
      "CopyObject",
      () =>
        this.client.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: to,
            CopySource: source,
            ...(unmodifiedSince === undefined ? {} : { CopySourceIfUnmodifiedSince: new Date(unmodifiedSince) }),
          }),
        ),
      [404, 412],
    );
    return answer !== undefined;
  }

  private async deleteKey(key: string): Promise<void> {
    await this.send("DeleteObject", () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  private async *objects(prefix: string): AsyncIterable<{ key: string; modifiedAt: number }> {
    let token: string | undefined;
    do {
      const page = await this.send("ListObjectsV2", () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
        ),
      );
      for (const object of page?.Contents ?? []) {
        if (object.Key) yield { key: object.Key, modifiedAt: object.LastModified?.getTime() ?? Date.now() };
      }
      token = page?.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Sends a request (made anew for each attempt), retrying a 5xx or a failed connection with a growing wait. An
   * answer with a status in `absent` (404 by default) is undefined; any other failure is a FileStoreError.
   */
  private async send<T>(operation: string, request: () => Promise<T>, absent = [404]): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status !== undefined && absent.includes(status)) return undefined;
        const retryable = status === undefined || status >= 500;
        if (!retryable || attempt >= ATTEMPTS) throw new FileStoreError(operation, status, codeOf(error));
        await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
  }
}

/** The store's error name (AccessDenied, NoSuchBucket…) or a socket's code (ECONNREFUSED): never its message. */
function codeOf(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  for (const candidate of [code, name]) {
    if (typeof candidate === "string" && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(candidate) && candidate !== "Error") {
      return candidate;
    }
  }
  return "Unknown";
}
