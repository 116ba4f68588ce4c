export * from "./errors";
export * from "./procedure";
export * from "./text/fold";
export * from "./units";
export * from "./validation";
