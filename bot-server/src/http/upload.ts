import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Request, RequestHandler } from "express";
import multer from "multer";
import { AppError } from "../errors/app-error";

/** How many first bytes are kept to read a file's type by its content: file-type's own sample for a stream. */
export const HEAD_BYTES = 4100;
/** What a refused upload is told to wait, in seconds (an upload of 200 MB on a good line takes about that). */
const RETRY_AFTER_SECONDS = 10;
/** How many uploads may wait for a slot, per slot: each holds only its connection meanwhile. */
const MAX_WAITING_PER_SLOT = 16;

/**
 * A file part as it arrived: in a private temporary file (0600, in a 0700 folder under DATA_DIR), with its SHA-256,
 * its size and its first bytes, all computed while it streamed. The attachment store moves it into place or the
 * request's end deletes it.
 */
export type ReceivedPart = {
  fieldname: string;
  originalname: string;
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
};

export type UploadBuffering = "disk" | "memory";

/**
 * Receives multipart uploads for the whole process (issue 13, finding 4): parts are written to disk as they arrive
 * (before, each was held in memory until the request ended: four filings of 20 × 9.9 MB took 780 MB), and at most
 * `maxConcurrent` uploads are received at once, /api and /portal-api together. One more waits up to `waitMs` for a
 * slot with its body unread (the socket holds it back, nothing is buffered here), a few times `maxConcurrent` of
 * them at most; beyond that, 503 with Retry-After.
 */
export class UploadIntake {
  private active = 0;
  private readonly waiting: ((admitted: boolean) => void)[] = [];
  private readonly storage: multer.StorageEngine;

  constructor(
    /** The temporary folder; on the store's file system, so that accepting a file is a rename. */
    readonly dir: string,
    private readonly limits: { maxConcurrent: number; waitMs: number },
    buffering: UploadBuffering = "disk",
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.storage = new TemporaryFiles(dir, buffering);
  }

  /**
   * A middleware that takes an upload slot, parses the multipart body into `req.files` (or `req.file` with `field`)
   * and, when the response is over, frees the slot and deletes the temporaries nothing accepted. `busy` and
   * `refused` are the API's own errors (its dialect).
   */
  parse(options: {
    limits: multer.Options["limits"];
    field?: string;
    busy: () => AppError;
    refused: (error: unknown) => AppError;
  }): RequestHandler {
    const multipart = multer({
      storage: this.storage,
      // File names without an explicit charset are UTF-8 (browsers and Zalo send them so), not busboy's Latin-1.
      defParamCharset: "utf8",
      limits: options.limits,
    });
    const parse = options.field ? multipart.single(options.field) : multipart.any();
    return (req, res, next) => {
      void this.admit(req).then((admitted) => {
        if (!admitted) {
          if (req.destroyed) return;
          res.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
          req.resume(); // read and dropped: nothing of a refused upload is kept
          next(options.busy());
          return;
        }
        res.once("close", () => {
          this.release();
          // The routes discard before they answer; this catches a client gone before the route ran.
          discardParts(req);
        });
        parse(req, res, (error: unknown) => next(error ? options.refused(error) : undefined));
      });
    };
  }

  /** A slot now, or the first one freed within `waitMs`; false if none (or the client left while it waited). */
  private admit(req: Request): Promise<boolean> {
    if (this.active < this.limits.maxConcurrent) {
      this.active++;
      return Promise.resolve(true);
    }
    if (this.limits.waitMs === 0 || this.waiting.length >= MAX_WAITING_PER_SLOT * this.limits.maxConcurrent) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const settle = (admitted: boolean) => {
        clearTimeout(timer);
        req.off("close", leave);
        resolve(admitted);
      };
      const leave = () => {
        const at = this.waiting.indexOf(settle);
        if (at !== -1) this.waiting.splice(at, 1);
        settle(false);
      };
      const timer = setTimeout(leave, this.limits.waitMs);
      req.once("close", leave);
      this.waiting.push(settle);
    });
  }

  /** Hands the slot to the longest waiting upload, if any. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.active--;
  }
}

/** The parts of an upload request, as `UploadIntake.parse` left them. */
export function partsOf(req: Request): ReceivedPart[] {
  if (Array.isArray(req.files)) return req.files as unknown as ReceivedPart[];
  return req.file ? [req.file as unknown as ReceivedPart] : [];
}

/**
 * Deletes what is left of a request's temporaries: those the store accepted were moved away already. Routes call it
 * before they answer (so the answer comes after the clean-up), the intake again when the response closes.
 */
export function discardParts(req: Request): void {
  // A part multer had not finished storing when the request failed is a placeholder without a path.
  for (const part of partsOf(req)) if (part.path) fs.rmSync(part.path, { force: true });
}

/** The multipart middleware of `/api`: multer's limit errors become Vietnamese API errors. */
export function uploadParts(intake: UploadIntake, maxFileBytes: number, maxFiles: number): RequestHandler {
  const mb = Math.round((maxFileBytes / 1024 / 1024) * 10) / 10;
  const messages: Partial<Record<string, [number, string]>> = {
    LIMIT_FILE_SIZE: [413, `Mỗi tệp tối đa ${mb} MB. Vui lòng chụp với độ phân giải thấp hơn.`],
    LIMIT_FILE_COUNT: [413, `Tối đa ${maxFiles} tệp mỗi lần gửi.`],
    LIMIT_FIELD_VALUE: [413, "Thông tin hồ sơ quá dài."],
    LIMIT_PART_COUNT: [413, "Quá nhiều phần trong yêu cầu."],
    LIMIT_FIELD_COUNT: [413, "Quá nhiều trường trong yêu cầu."],
  };
  return intake.parse({
    limits: { fileSize: maxFileBytes, files: maxFiles, fields: 20, fieldSize: 256 * 1024, parts: maxFiles + 20 },
    busy: () => new AppError("UPLOADS_BUSY", "Hệ thống đang nhận nhiều hồ sơ cùng lúc. Vui lòng gửi lại sau ít giây."),
    refused: (error) => {
      if (error instanceof multer.MulterError) {
        const [status, message] = messages[error.code] ?? [400, "Yêu cầu tải tệp không hợp lệ."];
        return new AppError("UPLOAD_REJECTED", message, status);
      }
      return new AppError("MALFORMED_REQUEST", "Yêu cầu tải tệp không đúng định dạng.", 400);
    },
  });
}

/**
 * multer's storage for `UploadIntake`: each part streams into `<dir>/<uuid>.part` while it is hashed and its first
 * bytes kept. `memory` (UPLOAD_BUFFERING, for the benchmark's baseline only) keeps every part in memory until the
 * request is over, as multer's memory storage did, and writes it out at its end.
 */
class TemporaryFiles implements multer.StorageEngine {
  constructor(
    private readonly dir: string,
    private readonly buffering: UploadBuffering,
  ) {}

  _handleFile(_req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: object) => void): void {
    this.receive(file.stream).then(
      (info) => callback(null, info),
      (error: unknown) => callback(error),
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    fs.rm(file.path, { force: true }, (error) => callback(error));
  }

  private async receive(stream: Readable) {
    const target = path.join(this.dir, `${randomUUID()}.part`);
    const hash = createHash("sha256");
    const head: Buffer[] = [];
    let size = 0;
    const observe = (chunk: Buffer) => {
      hash.update(chunk);
      if (size < HEAD_BYTES) head.push(chunk.subarray(0, HEAD_BYTES - size));
      size += chunk.length;
    };
    const received = () => ({ path: target, size, sha256: hash.digest("hex"), head: Buffer.concat(head) });
    try {
      if (this.buffering === "memory") {
        const held: Buffer[] = [];
        for await (const chunk of stream) {
          observe(chunk);
          held.push(chunk);
        }
        const buffer = Buffer.concat(held);
        await fs.promises.writeFile(target, buffer, { mode: 0o600, flag: "wx" });
        // Kept on the request's file, alive until the request is over: what the old memory storage did.
        return { ...received(), buffer };
      }
      const tap = new Transform({
        transform: (chunk: Buffer, _encoding, done) => {
          observe(chunk);
          done(null, chunk);
        },
      });
      await pipeline(stream, tap, fs.createWriteStream(target, { mode: 0o600, flags: "wx" }));
      return received();
    } catch (error) {
      await fs.promises.rm(target, { force: true });
      throw error;
    }
  }
}

/** Runs an upload route's use case, then deletes the temporaries it did not accept, before the route answers. */
export async function discardingParts<T>(req: Request, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    discardParts(req);
  }
}
