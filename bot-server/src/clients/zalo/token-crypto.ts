import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** AES-256-GCM for OA tokens at rest (docs/zalo.md §2). The key is 32 bytes given as base64 or hex. */
export class TokenCrypto {
  private readonly key: Buffer;

  constructor(key: string) {
    const decoded = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, "hex") : Buffer.from(key, "base64");
    if (decoded.length !== 32) throw new Error("ZALO_TOKEN_ENCRYPTION_KEY must be 32 bytes (base64 or hex)");
    this.key = decoded;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(".");
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(".");
    if (version !== "v1" || !iv || !tag || !data) throw new Error("unknown token encryption format");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  }
}
