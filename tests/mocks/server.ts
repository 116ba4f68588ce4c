import { setupServer } from "msw/node";

/**
 * The msw server shared by all tests. Vendor handlers (Zalo, the provincial portal, payment, post) are added here as
 * `tests/mocks/<vendor>.ts` when the features that call them land; tests override them with `mockServer.use(…)`.
 */
export const mockServer = setupServer();
