import type { OfficialRole } from "@qn/shared";
import type { Request } from "express";
import { ForbiddenError, UnauthorizedError } from "../../errors/app-error";

export type CitizenActor = {
  kind: "citizen";
  id: number;
  name: string;
  zaloId: string;
  phone: string | null;
  devIdentity: boolean;
  sessionId: string;
};

export type OfficialActor = {
  kind: "official";
  id: number;
  name: string;
  username: string;
  role: OfficialRole;
  unitCode: string;
  sessionId: string;
};

export type Actor = CitizenActor | OfficialActor;

/** Where the authentication middleware leaves the caller. */
export function actorOf(req: Request): Actor | undefined {
  return (req as Request & { actor?: Actor }).actor;
}

export function setActor(req: Request, actor: Actor): void {
  (req as Request & { actor?: Actor }).actor = actor;
}

export function requireCitizen(req: Request): CitizenActor {
  const actor = actorOf(req);
  if (!actor) throw new UnauthorizedError("Vui lòng đăng nhập bằng Zalo để tiếp tục.");
  if (actor.kind !== "citizen") throw new ForbiddenError("Chức năng này dành cho công dân.");
  return actor;
}

export function requireOfficial(req: Request, roles?: readonly OfficialRole[]): OfficialActor {
  const actor = actorOf(req);
  if (!actor) throw new UnauthorizedError("Vui lòng đăng nhập tài khoản cán bộ.");
  if (actor.kind !== "official") throw new ForbiddenError("Chức năng này dành cho cán bộ.");
  if (roles && !roles.includes(actor.role)) throw new ForbiddenError();
  return actor;
}
