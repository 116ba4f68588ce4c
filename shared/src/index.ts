export * from "./calendar";
export * from "./dossier";
export * from "./errors";
export * from "./identity";
export * from "./procedure";
export * from "./text/fold";
export * from "./units";
export * from "./validation";
